// kill -9 of the agent process mid-stream: after a restart no window is sent twice, seq has no gap, every window
// closed before the crash and every window after the restart arrives, each accepted once. Also the last will: the
// broker announces the device offline when its connection dies.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair, ManualClock, topics } from '@datagraph/protocol';
import t from 'tap';
import { allFields, signPolicy } from '../helpers/policy.ts';
import { TestGateway, waitFor } from '../helpers/testGateway.ts';

const H = 3_600_000;
const script = fileURLToPath(new URL('../helpers/crashableAgent.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

function runAgent(args: string[], killAtProgress?: number): Promise<{ lastProgress: number; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import=tsx', script, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastProgress = 0;
    let killed = false;
    let buf = '';
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.stdout.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        const m = /^progress (\d+)$/.exec(l);
        if (!m) continue;
        lastProgress = Number(m[1]);
        if (killAtProgress !== undefined && lastProgress >= killAtProgress && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve({ lastProgress, killed });
      else reject(new Error(`agent process failed (${code}): ${err}`));
    });
  });
}

t.test('kill -9 mid-stream, restart: nothing twice, nothing closed is lost, seq without gaps', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const t0 = clock.now();
  const dir = mkdtempSync(join(tmpdir(), 'dg-crash-'));
  const device = generateKeyPair();
  const provider = generateKeyPair();
  const gw = await TestGateway.start(clock);
  t.teardown(async () => {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });
  gw.register(device);
  await gw.publishPolicy(
    device.address,
    signPolicy(provider, { version: 1, fields: allFields(), issuedAt: t0 / 1000, expiresAt: null }),
  );
  const args = (from: number, to: number) => [
    dir,
    gw.url,
    device.privateKey,
    provider.address,
    String(t0),
    String(from),
    String(to),
  ];

  const first = await runAgent(args(t0, t0 + 48 * H), t0 + 20 * H);
  t.ok(first.killed, `killed at progress ${new Date(first.lastProgress).toISOString()}`);
  await waitFor(
    () =>
      gw.allPublished.some(
        (p) => p.topic === topics.status(device.address) && p.retain && p.payload.toString() === '{"state":"offline"}',
      ),
    'the last will (offline) after the crash',
  );
  // The device is off for an hour, then the agent starts again where the clock is.
  const restartAt = first.lastProgress + 2 * H;
  const second = await runAgent(args(restartAt, t0 + 48 * H));
  t.notOk(second.killed);
  await waitFor(
    () => gw.received.length > 0 && [...gw.accepted.values()].some((u) => u.body.window.start * 1000 >= t0 + 47 * H),
    'the last hour',
  );

  const accepted = [...gw.accepted.values()];
  const seqs = accepted.map((u) => u.body.seq).sort((a, b) => a - b);
  t.same(
    seqs,
    Array.from({ length: seqs.length }, (_, i) => i + 1),
    'seq 1..N, no gap',
  );
  const hours = accepted.filter((u) => u.body.cadence === 'hourly').map((u) => u.body.window.start * 1000);
  t.equal(new Set(hours).size, hours.length, 'no hourly window twice');
  const closedBeforeCrash = Array.from({ length: 48 }, (_, i) => t0 + i * H).filter(
    (h) => h + H + 2 * 60_000 <= first.lastProgress,
  );
  const afterRestart = Array.from({ length: 48 }, (_, i) => t0 + i * H).filter((h) => h >= restartAt);
  for (const h of [...closedBeforeCrash, ...afterRestart])
    t.ok(hours.includes(h), `hour ${new Date(h).toISOString()} delivered`);
  const acceptedPerId = new Map<string, number>();
  for (const r of gw.received)
    if (r.status === 'accepted') acceptedPerId.set(r.update.body.id, (acceptedPerId.get(r.update.body.id) ?? 0) + 1);
  t.ok(
    [...acceptedPerId.values()].every((n) => n === 1),
    'each accepted once',
  );
});
