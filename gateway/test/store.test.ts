// GatewayStore's write path: ops are written to the root database with each sublevel's prefix and JSON encoding,
// so what the sublevels read back must be exactly what was written; within one coalesced LevelDB write the last op
// on a key wins, as it would applied one by one.
import { join } from 'node:path';
import t from 'tap';
import { GatewayStore } from '../src/store/GatewayStore.ts';
import { cleanup, tempDir } from './helpers.ts';

t.test('writes read back through the sublevels, in key order, after a reopen', async (t) => {
  const dir = tempDir('store');
  t.teardown(() => cleanup(dir));
  let store = await GatewayStore.open(join(dir, 'db'), { writeBufferSize: 1 << 20 });
  const value = { a: 1, nested: { s: 'quote " and \\ back', list: [1, 'two', null] } };
  await store.write([
    { type: 'put', sub: 'ids', key: 'k2', value },
    { type: 'put', sub: 'ids', key: 'k1', value: 'text' },
    { type: 'put', sub: 'devseq', key: 'k1', value: 7 },
  ]);
  t.same(await store.get('ids', 'k2'), value);
  t.equal(store.getSync('devseq', 'k1'), 7);
  t.same(await store.getManyText('ids', ['k1', 'k2', 'nope']), ['"text"', JSON.stringify(value), undefined]);
  t.same(await store.keys('ids'), ['k1', 'k2'], 'each sublevel holds only its own keys');
  t.same(await store.keys('devseq'), ['k1']);
  await store.close();
  store = await GatewayStore.open(join(dir, 'db'));
  t.teardown(() => store.close());
  t.same(await store.get('ids', 'k2'), value, 'durable across a reopen');
  const entries: [string, unknown][] = [];
  for await (const e of store.entries('ids')) entries.push(e);
  t.same(entries, [
    ['k1', 'text'],
    ['k2', value],
  ]);
});

t.test('concurrent writes coalesce; the last op on a key wins, deletes included', async (t) => {
  const dir = tempDir('store');
  t.teardown(() => cleanup(dir));
  const store = await GatewayStore.open(join(dir, 'db'));
  t.teardown(() => store.close());
  await store.write([{ type: 'put', sub: 'meta', key: 'gone', value: 1 }]);
  // Issued in one turn: they queue behind the first and go to LevelDB as one batch.
  await Promise.all([
    store.write([{ type: 'put', sub: 'devseq', key: 'd', value: 1 }]),
    store.write([
      { type: 'put', sub: 'devseq', key: 'd', value: 2 },
      { type: 'del', sub: 'meta', key: 'gone' },
    ]),
    store.write([
      { type: 'put', sub: 'devseq', key: 'd', value: 3 },
      { type: 'put', sub: 'meta', key: 'back', value: 'x' },
      { type: 'del', sub: 'meta', key: 'back' },
    ]),
  ]);
  t.equal(await store.get('devseq', 'd'), 3);
  t.equal(await store.get('meta', 'gone'), undefined);
  t.equal(await store.get('meta', 'back'), undefined, 'a put then a delete of the same key in one batch');
});
