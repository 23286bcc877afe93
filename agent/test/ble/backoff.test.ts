import { ManualClock } from '@datagraph/protocol';
import t from 'tap';
import { Backoff, createNobleWithBindings, installedNobleVersion, NOBLE_VERSION } from '../../src/ble/index.ts';
import { withTimeout } from '../../src/ble/withTimeout.ts';

t.test('backoff doubles up to the cap and resets', async (t) => {
  const b = new Backoff({ initialMs: 500, maxMs: 5000 });
  t.same([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [500, 1000, 2000, 4000, 5000, 5000]);
  b.reset();
  t.equal(b.next(), 500);
  const j = new Backoff({ initialMs: 1000, jitter: () => 0.5 });
  t.equal(j.next(), 500);
});

t.test('withTimeout rejects with AG_BLE_TIMEOUT on the injected clock', async (t) => {
  const clock = new ManualClock();
  let cancelled = false;
  const p = withTimeout(clock, 1000, new Promise(() => {}), 'read 2a19', () => {
    cancelled = true;
  });
  clock.advance(999);
  clock.advance(1);
  await t.rejects(p, { code: 'AG_BLE_TIMEOUT' });
  t.ok(cancelled);
  t.equal(await withTimeout(clock, 1000, Promise.resolve(7), 'x'), 7);
  t.equal(clock.pendingTimers(), 0, 'timer cancelled once answered');
});

t.test('noble version is pinned for the private bindings path', async (t) => {
  t.equal(installedNobleVersion(), NOBLE_VERSION);
  const { EventEmitter } = await import('node:events');
  const noble = createNobleWithBindings(new EventEmitter());
  t.equal(typeof noble.startScanningAsync, 'function');
});
