// Configuration errors are listed at once with a code and a non-zero exit; the genesis file is validated
// path by path; a data dir refuses a different genesis; `datagraph node` shuts down cleanly on SIGTERM.
import { EventEmitter } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, isProtocolError } from '@datagraph/protocol';
import { pino } from 'pino';
import t from 'tap';
import { runNodeCommand } from '../../src/cli/index.ts';
import { startNode } from '../../src/index.ts';
import { getJson, tempDir, waitFor } from './helpers.ts';

async function captured(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const log = console.log;
  const error = console.error;
  let out = '';
  let err = '';
  console.log = (...a: unknown[]) => {
    out += `${a.join(' ')}\n`;
  };
  console.error = (...a: unknown[]) => {
    err += `${a.join(' ')}\n`;
  };
  try {
    return { code: await fn(), out, err };
  } finally {
    console.log = log;
    console.error = error;
  }
}

t.test('bad flags: every problem listed, MG_BAD_CONFIG, exit 2', async (t) => {
  const r = await captured(() =>
    runNodeCommand(['--snapshot-interval', 'soon', '--l1-port', '70000', '--authorised-gateway', 'DAGnope']),
  );
  t.equal(r.code, 2);
  t.match(r.err, /MG_BAD_CONFIG/);
  for (const p of [
    '--data-dir is required',
    '--genesis is required',
    "--snapshot-interval: 'soon'",
    "--l1-port: '70000'",
    "--authorised-gateway: 'DAGnope'",
  ]) {
    t.ok(r.err.includes(p), `lists: ${p}`);
  }
  const unknown = await captured(() => runNodeCommand(['--frobnicate']));
  t.equal(unknown.code, 2, 'unknown flag: exit 2');
  t.match(unknown.err, /frobnicate/);
  const help = await captured(() => runNodeCommand(['--help']));
  t.equal(help.code, 0);
  t.match(help.out, /--snapshot-interval MS/);
});

t.test('genesis file: every bad path listed; missing file and bad JSON explained', async (t) => {
  const tmp = await tempDir();
  t.teardown(() => tmp.remove());
  const good = generateKeyPair().address;
  const file = join(tmp.dir, 'genesis.json');
  await writeFile(
    file,
    JSON.stringify({ balances: { DAGbad: '5', [good]: '-5', [generateKeyPair().address]: '1.5' }, extra: true }),
  );
  const err = await startNode({
    dataDir: join(tmp.dir, 'd1'),
    genesis: file,
    snapshotIntervalMs: 0,
    logger: pino({ level: 'silent' }),
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isProtocolError(err) && err.code === 'MG_BAD_GENESIS', 'MG_BAD_GENESIS');
  const problems = (err as { details: { problems: string[] } }).details.problems;
  t.equal(problems.length, 4, `four problems: ${problems.join(' | ')}`);
  t.ok(problems.some((p) => p.includes('DAGbad')));
  t.ok(problems.some((p) => p.includes('extra')));
  await writeFile(file, '{ nope');
  const bad = await startNode({
    dataDir: join(tmp.dir, 'd2'),
    genesis: file,
    snapshotIntervalMs: 0,
    logger: pino({ level: 'silent' }),
  }).catch((e) => e);
  t.equal(bad.code, 'MG_BAD_GENESIS');
  t.match(bad.message, /not valid JSON/);
  const missing = await captured(() =>
    runNodeCommand([
      '--data-dir',
      join(tmp.dir, 'd3'),
      '--genesis',
      join(tmp.dir, 'none.json'),
      '--snapshot-interval',
      '0',
      '--log-level',
      'silent',
    ]),
  );
  t.equal(missing.code, 1, 'missing genesis: exit 1');
  t.match(missing.err, /MG_BAD_GENESIS.*cannot read genesis file/);
});

t.test('a data dir keeps its genesis: another one is refused', async (t) => {
  const tmp = await tempDir();
  t.teardown(() => tmp.remove());
  const dataDir = join(tmp.dir, 'data');
  const opts = {
    dataDir,
    snapshotIntervalMs: 0,
    ports: { l0: 0, l1: 0, dataL1: 0 },
    logger: pino({ level: 'silent' }),
  };
  const a = generateKeyPair().address;
  const node = await startNode({ ...opts, genesis: { balances: { [a]: '100' } } });
  await node.close();
  const other = await startNode({ ...opts, genesis: { balances: { [a]: '200' } } }).catch((e) => e);
  t.equal(other.code, 'MG_GENESIS_MISMATCH');
  const again = await startNode({ ...opts, genesis: { balances: { [a]: '100' } } });
  t.equal((await getJson(`${again.urls.l0}/currency/${a}/balance`)).body.balance, 100, 'same genesis reopens');
  await again.close();
});

t.test('datagraph node runs until SIGTERM, then exits 0', async (t) => {
  const tmp = await tempDir();
  t.teardown(() => tmp.remove());
  const file = join(tmp.dir, 'genesis.json');
  await writeFile(file, JSON.stringify({ balances: {} }));
  const signals = new EventEmitter();
  let out = '';
  const log = console.log;
  console.log = (...a: unknown[]) => {
    out += a.join(' ');
  };
  t.teardown(() => {
    console.log = log;
  });
  const running = runNodeCommand(
    [
      '--data-dir',
      join(tmp.dir, 'd'),
      '--genesis',
      file,
      '--snapshot-interval',
      '50',
      '--l0-port',
      '0',
      '--l1-port',
      '0',
      '--data-l1-port',
      '0',
      '--log-level',
      'silent',
    ],
    signals,
  );
  const l0 = await waitFor(() => /metagraph L0 (\S+)/.exec(out)?.[1], 'the node to start');
  await waitFor(
    async () => ((await getJson(`${l0}/snapshots/latest/ordinal`)).body.value as number) >= 2 || undefined,
    'snapshots on the timer',
  );
  signals.emit('SIGTERM');
  t.equal(await running, 0);
  await t.rejects(fetch(`${l0}/cluster/info`), 'listeners closed');
});
