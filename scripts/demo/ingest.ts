// Demo, part 2: the gateway, ten providers with simulated wearables, a simulated day of data, and what the
// ledger holds of it (commitments and field names only).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KeyPair, MerkleProof, verifyMerkleProof } from '@datagraph/protocol';
import { buildDeviceArtifact } from '../../agent/scripts/build.ts';
import { DEFAULT_NODE, latestOrdinal, short } from './ledger.ts';
import { getJson, runDatagraph, type Services, waitFor } from './processes.ts';

export interface DemoContext {
  services: Services;
  keys: string;
  dir: string;
  passphrase: string;
  researcher: KeyPair;
  gateway: KeyPair;
  treasury: KeyPair;
  step: (n: number, title: string) => void;
}

export const GATEWAY_HTTP = 'http://127.0.0.1:8080';
const PERSONAS = ['runner', 'office-worker', 'night-shift'];
// What each provider shares: most share the usual set; some share less or coarse values, to show consent at work.
const SHARES = [
  'steps:hourly,heart_rate_avg:hourly,calories_burned:hourly,active_minutes:hourly,sleep_hours:daily,steps_total:daily,resting_heart_rate:daily,gender:profile,age_band:profile',
  'steps:hourly,heart_rate_avg:hourly,sleep_hours:daily,steps_total:daily,gender:profile,age_band:profile',
  'steps:hourly,sleep_hours:daily,age_band:profile',
];
export const PROVIDERS = 10;
/** Simulated hours per real second. */
const SPEED = 1800;

export interface DemoProvider {
  index: number;
  address: string;
  keystore: string;
  agentDir: string;
  persona: string;
}

export async function ingestDemo(ctx: DemoContext): Promise<DemoProvider[]> {
  const env = { DG_PASSPHRASE: ctx.passphrase, DG_LOG_LEVEL: 'warn' };
  ctx.step(2, 'Gateway: MQTT broker (1883, TLS 8883, WebSocket /mqtt), ingest, encrypted vault, batcher, REST (8080)');
  ctx.services.start('gateway', ['gateway', '--data-dir', join(ctx.dir, 'gateway')], {
    DG_GATEWAY_KEYSTORE: join(ctx.keys, 'gateway.json'),
    DG_GATEWAY_PASSPHRASE_FILE: join(ctx.keys, 'passphrase'),
    DG_TREASURY_KEYSTORE: join(ctx.keys, 'treasury.json'),
    DG_TREASURY_PASSPHRASE_FILE: join(ctx.keys, 'passphrase'),
    DG_LOG_LEVEL: 'info',
  });
  const health = await waitFor('the gateway', () => getJson<{ gateway: string }>(`${GATEWAY_HTTP}/healthz`));
  console.log(`  gateway ${short(health.gateway)} up; the node takes its batches (authorised gateway)`);

  ctx.step(3, `Providers: ${PROVIDERS} people pair a simulated wearable and choose what to share`);
  // Each person does this on their own: the ten run side by side.
  const providers = await Promise.all(
    Array.from({ length: PROVIDERS }, async (_, i): Promise<DemoProvider> => {
      const agentDir = join(ctx.dir, 'agents', `device-${i}`);
      const keystore = join(ctx.dir, 'providers', `provider-${i}.json`);
      // device 0 is the small device of step 4: its keystore opens in 16 MiB (init --scrypt-n, docs/agent.md)
      const light = i === 0 ? ['--scrypt-n', '16384'] : [];
      const init = await runDatagraph(['agent', 'init', '--dir', agentDir, ...light], env);
      const code = /pairing code:\s+(DG1-[0-9A-Z-]+)/.exec(init)?.[1];
      if (!code) throw new Error(`demo: no pairing code in:\n${init}`);
      const out = await runDatagraph(['provider', 'init', '--keystore', keystore], env);
      const { address } = JSON.parse(out) as { address: string };
      const share = SHARES[i % SHARES.length] as string;
      const coarse = i % 4 === 3 ? ['--coarse', 'steps'] : [];
      await runDatagraph(
        ['provider', 'register', '--keystore', keystore, '--code', code, '--share', share, ...coarse],
        env,
      );
      const persona = PERSONAS[i % PERSONAS.length] as string;
      const note = `shares ${share.split(',').length} fields${coarse.length ? ', steps coarse' : ''}`;
      console.log(`  provider ${short(address)} paired ${code.slice(0, 13)}… (${persona}), ${note}`);
      return { index: i, address, keystore, agentDir, persona };
    }),
  );

  ctx.step(4, `Agents: a simulated day each, through the real noble over a simulated radio (${SPEED}x real time)`);
  // The first device runs the agent as a device does: the built artifact (agent/dist's layout, built here) through
  // its launcher with the lean node flags; the others run from the sources through `datagraph agent run`.
  const deviceBuild = join(ctx.dir, 'agent-dist');
  await buildDeviceArtifact(deviceBuild);
  console.log(`  device 0 runs the device build (npm run build -w @datagraph/agent, here in ${deviceBuild})`);
  const dayStart = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000);
  const before = await acceptedCount();
  const agents = providers.map((p) => {
    const run = ['run', '--dir', p.agentDir, '--simulate', p.persona, '--seed', String(p.index + 1)];
    run.push('--speed', String(SPEED), '--start', dayStart.toISOString(), '--provider', p.address);
    return p.index === 0
      ? ctx.services.startCommand('agent-0', join(deviceBuild, 'datagraph-agent'), run, env)
      : ctx.services.start(`agent-${p.index}`, ['agent', ...run], env);
  });
  // Each agent runs on its own sped-up clock from its start; wait until every one has passed the end of the day
  // (plus the closing grace) by its own status, then stop them as a person would (SIGTERM).
  const dayEnd = dayStart.getTime() + 86_400_000 + 5 * 60_000;
  const simulatedAt = (p: DemoProvider): number => {
    try {
      return (JSON.parse(readFileSync(join(p.agentDir, 'status.json'), 'utf8')) as { at: number }).at;
    } catch {
      return dayStart.getTime();
    }
  };
  const deadline = Date.now() + 10 * 60_000;
  // The device build's memory, from the kernel's view of its process (Linux).
  const statusKb = (field: string): number => {
    try {
      const status = readFileSync(`/proc/${agents[0]?.pid}/status`, 'utf8');
      return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    } catch {
      return 0;
    }
  };
  let deviceRssKb = 0;
  // sampled once it runs its day (its status shows simulated time passing), not while it unlocks its key
  const rssSampler = setInterval(() => {
    if (simulatedAt(providers[0] as DemoProvider) > dayStart.getTime())
      deviceRssKb = Math.max(deviceRssKb, statusKb('VmRSS'));
  }, 250);
  for (;;) {
    await new Promise((r) => setTimeout(r, 5000));
    const slowest = Math.min(...providers.map(simulatedAt));
    const hours = Math.max(0, Math.min(24, Math.floor((slowest - dayStart.getTime()) / 3_600_000)));
    console.log(
      `  ${hours} of 24 simulated hours done by every agent; gateway accepted ${(await acceptedCount()) - before} updates`,
    );
    if (slowest >= dayEnd) break;
    if (Date.now() > deadline) throw new Error('demo: the agents did not finish their simulated day in 10 minutes');
  }
  clearInterval(rssSampler);
  const startPeakKb = statusKb('VmHWM');
  if (deviceRssKb > 0)
    console.log(
      `  device 0 (device build): peak RSS ${(deviceRssKb / 1024).toFixed(1)} MB while running its day at ${SPEED}x` +
        ` (high-water mark since its start, key unlock included: ${(startPeakKb / 1024).toFixed(1)} MB)`,
    );
  for (const a of agents) a.kill('SIGTERM');
  await Promise.all(agents.map((a) => new Promise((r) => (a.exitCode !== null ? r(null) : a.once('exit', r)))));
  const accepted = (await acceptedCount()) - before;
  console.log(`  day over: ${accepted} signed, consent-filtered updates accepted into the encrypted vault`);

  ctx.step(5, 'Ledger: batches of commitments in snapshots; Merkle proofs; no raw value anywhere on chain');
  await waitFor(
    'every accepted update to be committed',
    async () => {
      const h = await getJson<{ pendingEntries: number; ledger: { queued: number; sent: number } }>(
        `${GATEWAY_HTTP}/healthz`,
      );
      return h.pendingEntries === 0 && h.ledger.queued === 0 && h.ledger.sent === 0;
    },
    120_000,
  );
  const ordinal = await latestOrdinal(DEFAULT_NODE);
  let entries = 0;
  let sample: Record<string, unknown> | undefined;
  for (let o = 1; o <= ordinal; o++) {
    const snap = await getJson<{
      value: { dataApplication?: { blocks?: { value: { type: string; entries?: Record<string, unknown>[] } }[] } };
    }>(`${DEFAULT_NODE.l0}/snapshots/${o}`);
    for (const b of snap.value.dataApplication?.blocks ?? []) {
      if (b.value.type !== 'IngestBatch') continue;
      entries += b.value.entries?.length ?? 0;
      sample ??= b.value.entries?.[0];
    }
  }
  console.log(`  ${entries} ingest entries in snapshots 1..${ordinal}`);
  if (sample) {
    const { proof: _p, ...shown } = sample;
    console.log(`  one entry as the ledger has it (no values, no salt):\n    ${JSON.stringify(shown)}`);
    const p = await getJson<{ proof: unknown; entriesRoot: string; ordinal: number }>(
      `${DEFAULT_NODE.l0}/data-application/entries/${sample.commitment}/proof`,
    );
    const ok = verifyMerkleProof(sample.commitment as string, MerkleProof.parse(p.proof), p.entriesRoot);
    console.log(
      `  its Merkle inclusion proof against snapshot ${p.ordinal}'s entries root: ${ok ? 'valid' : 'INVALID'}`,
    );
  }
  return providers;
}

async function acceptedCount(): Promise<number> {
  const text = await (await fetch(`${GATEWAY_HTTP}/metrics`)).text();
  const m = /dg_gateway_updates_total\{status="accepted"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}
