// The production build (gateway/scripts/build.ts): the bundled gateway, started by its launcher with plain node
// (no tsx anywhere), serves /healthz, the portal built ahead and /docs, and streams a paid dataset with proofs
// through its bundled download worker, as the sources do; its bundled ingest worker verifies updates.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { generateKeyPair } from '@datagraph/protocol';
import t from 'tap';
import { MASTER_KEY, populate, TOKEN } from '../../bench/download.bench.ts';
import { buildGateway, EXTERNAL_DEPENDENCIES, GATEWAY_ENV } from '../../scripts/build.ts';
import { freePort, gatewayArgs, makeUpdate, waitFor } from '../helpers.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

t.test('the built gateway: launcher, /healthz, portal, docs, a download with proofs', async (t) => {
  // Inside the workspace, so the bundle's external modules resolve from its node_modules.
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dist = mkdtempSync(join(cache, 'dg-gateway-dist-'));
  const dir = mkdtempSync(join(cache, 'dg-gateway-data-'));
  t.teardown(() => {
    rmSync(dist, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  await buildGateway(dist);
  const files = readdirSync(dist);
  for (const f of ['datagraph-gateway', 'datagraph-gateway.mjs', 'lineWorkerThread.mjs', 'verifyWorkerThread.mjs']) {
    t.ok(files.includes(f), `dist has ${f}`);
  }
  const launcher = readFileSync(join(dist, 'datagraph-gateway'), 'utf8');
  for (const [k, v] of Object.entries(GATEWAY_ENV))
    t.match(launcher, `export ${k}=\${${k}:-${v}}`, `the launcher sets ${k} unless it is set`);
  const bundles = files.filter((f) => f.endsWith('.mjs')).map((f) => readFileSync(join(dist, f), 'utf8'));
  t.notOk(
    bundles.some((b) => b.includes('tsx/esm')),
    'nothing in the build loads tsx',
  );
  // The workers are started by URL relative to the code starting them: that code and the worker entries sit
  // side by side in dist, so they start the bundled entries.
  t.ok(
    bundles.some((b) => b.includes('./lineWorkerThread.mjs')) &&
      bundles.some((b) => b.includes('./verifyWorkerThread.mjs')),
    'the bundle starts its workers from files beside it',
  );
  t.same(Object.keys(JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8')).dependencies), [
    ...EXTERNAL_DEPENDENCIES,
  ]);

  // The ingest's bundled worker, as VerifyWorker starts it: a signed update verifies, a tampered one does not.
  const device = generateKeyPair();
  const good = makeUpdate(device, generateKeyPair(), 1);
  const bad = { ...good, commitment: good.commitment.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) };
  const verify = new Worker(join(dist, 'verifyWorkerThread.mjs'));
  t.teardown(() => verify.terminate());
  const payloads = [good, bad].map((u) => new TextEncoder().encode(JSON.stringify(u)));
  const reply = new Promise<{ id: number; results: { verdict?: string; outcome?: unknown }[] }>((resolve, reject) => {
    verify.once('message', resolve);
    verify.once('error', reject);
  });
  verify.postMessage({ id: 7, payloads });
  const { id, results } = await reply;
  t.equal(id, 7);
  t.same(
    results.map((r) => r.verdict),
    ['ok', 'PR_COMMITMENT_MISMATCH'],
    'the bundled verify worker checks commitments and signatures',
  );

  const ROWS = 3000;
  const { queryId } = await populate(dir, ROWS);
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ mqtts: { port: null }, logLevel: 'warn', host: '127.0.0.1', rewards: { intervalMs: 0 } }),
  );
  const [mqttPort, httpPort] = [await freePort(), await freePort()];
  const dead = 'http://127.0.0.1:9';
  const child = spawn(
    join(dist, 'datagraph-gateway'),
    gatewayArgs({
      config: join(dir, 'config.json'),
      dataDir: dir,
      mqttPort,
      httpPort,
      ledger: { l0: dead, l1: dead, dataL1: dead },
    }),
    {
      env: {
        ...process.env,
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        DG_VAULT_MASTER_KEY: MASTER_KEY,
        NODE_OPTIONS: '',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.teardown(() => child.kill('SIGKILL'));
  const http = `http://127.0.0.1:${httpPort}`;
  await waitFor(async () => (await fetch(`${http}/healthz`).catch(() => null))?.ok, 'built gateway up', 30_000);
  const health = (await (await fetch(`${http}/healthz`)).json()) as { ok: boolean };
  t.equal(health.ok, true, '/healthz');
  t.equal((await fetch(`${http}/portal/app.js`)).status, 200, 'the portal built ahead is served');
  t.equal((await fetch(`${http}/docs/static/index.html`)).status, 200, "swagger-ui's assets are served");

  // The bundle's worker entries load: a worker that failed to load its entry exits, its gauge stays 0 and the main
  // thread does its work. (Counting the process's threads could not tell: the gateway starts both workers at once
  // and prepares the paid dataset in the background, so threads come and go on their own.)
  const workerUp = async (worker: string) =>
    new RegExp(`^dg_gateway_worker_up\\{worker="${worker}"\\} 1$`, 'm').test(
      await (await fetch(`${http}/metrics`)).text(),
    );
  t.ok(await waitFor(() => workerUp('download'), 'the download worker up', 30_000), 'the download worker is running');
  if (availableParallelism() >= 2)
    t.ok(await waitFor(() => workerUp('verify'), 'the verify worker up', 30_000), 'the verify worker is running');
  const download = async () => {
    const res = await fetch(`${http}/v1/queries/${queryId}/data?format=ndjson`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    t.equal(res.status, 200);
    return res.text();
  };
  const text = await download();
  // the first chunks may be written on the main thread while the worker starts: the second download is all worker
  t.equal(await download(), text, 'the same bytes from the bundled download worker');
  const lines = text.trimEnd().split('\n');
  t.equal(lines.length, ROWS + 1, 'every row and the trailer');
  const first = JSON.parse(lines[0] as string) as { row: number; body?: unknown; proof?: unknown; merkle?: unknown };
  t.equal(first.row, 0);
  t.ok(first.body && first.proof && first.merkle, 'rows carry their body, signature and Merkle proof');
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'stops cleanly on SIGTERM');
  t.notMatch(stderr, /Warning|Error|"level":(50|60)/, 'no node warnings or gateway errors');
});
