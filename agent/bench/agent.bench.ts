// Acceptance 5: one agent with five simulated BLE sensors notifying at 1 Hz for a simulated hour (real noble over
// the simulated radio -> aggregation -> consent -> signing -> LevelDB outbox -> MQTT to a broker that acks).
// Peak RSS (target <= 60 MB) and CPU.
//
// What is measured: the workload (agent/bench/agentWorkload.ts) bundled by the device build (agent/scripts/build.ts:
// esbuild, minified, native modules external) and run by plain node in a child process with the device's node flags
// and environment (DEVICE_NODE_FLAGS, DEVICE_ENV, as agent/dist/datagraph-agent runs them). The child holds the agent and, unlike a device,
// also the simulated radio and the five simulated peripherals (on a device those are the Bluetooth controller and
// the wearables). The MQTT broker (a real aedes broker authenticating the device and acking its update, the agent's
// test gateway) runs in this parent process, as the gateway runs on another machine. Peak RSS is the kernel's
// high-water mark of the child (getrusage maxrss), from node's start to the end of the hour.
// References: bare node with the same flags (the floor); the same run in this process under tsx (tsx's
// TypeScript compiler alone adds about 40 MB).
// The simulated hour runs in seconds, so garbage is made thousands of times faster than on a device.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodePairingCode, generateKeyPair, ManualClock } from '@datagraph/protocol';
import { reportBench } from '../../bench/results.ts';
import { buildDeviceArtifact, bundleAgent, DEVICE_ENV, DEVICE_NODE_FLAGS } from '../scripts/build.ts';
import { TestGateway, waitFor } from '../test/helpers/testGateway.ts';
import { BENCH_START, benchPolicy, runWorkload, type WorkloadResult } from './agentWorkload.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const round = (v: number) => Math.round(v * 10) / 10;

const gateway = await TestGateway.start(new ManualClock(BENCH_START));
const provider = generateKeyPair();
async function enrolledDevice() {
  const device = generateKeyPair();
  gateway.register(device);
  await gateway.publishPolicy(device.address, benchPolicy(provider));
  return device;
}

function bareNodeRss(): number {
  const r = spawnSync(process.execPath, [...DEVICE_NODE_FLAGS, '-e', 'console.log(process.resourceUsage().maxRSS)'], {
    encoding: 'utf8',
    env: { ...process.env, ...DEVICE_ENV },
  });
  return Number(r.stdout.trim()) / 1024;
}

async function bundled(): Promise<WorkloadResult> {
  // Under node_modules/.cache so the bundle's external native modules resolve from the workspace.
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'dg-agent-bench-'));
  try {
    const device = await enrolledDevice();
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { runWorkload } from ${JSON.stringify(join(here, 'agentWorkload.ts'))};
console.log(JSON.stringify(await runWorkload({ broker: process.env.DG_BENCH_BROKER, devicePrivateKey: process.env.DG_BENCH_DEVICE_KEY })));
`,
    );
    await bundleAgent({ entry, outdir: dir, name: 'agent-bench' });
    // Asynchronously: the broker in this process must keep serving the child.
    const r = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', ...DEVICE_NODE_FLAGS, join(dir, 'agent-bench.mjs')],
      {
        encoding: 'utf8',
        cwd: root,
        env: { ...process.env, ...DEVICE_ENV, DG_BENCH_BROKER: gateway.url, DG_BENCH_DEVICE_KEY: device.privateKey },
      },
    ).catch((err: Error & { stderr?: string }) => {
      throw new Error(`bundled agent bench failed: ${err.stderr ?? err.message}`);
    });
    return JSON.parse(r.stdout.trim().split('\n').pop() as string) as WorkloadResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The built artifact itself (agent/dist, through its launcher): `datagraph-agent run --simulate runner` into the
 * broker, at 3600x until two hourly updates are accepted (Linux: reads the agent process's /proc status).
 * `running` is the highest RSS sampled every 20 ms once the agent says it is running; `start` is the kernel's
 * high-water mark (VmHWM), which includes unlocking the device key: the dag4 V3 keystore's scrypt (N 2^18, r 8)
 * needs 256 MiB for the second it runs, 16 MiB for a keystore made by `init --scrypt-n 16384` (`initArgs`).
 */
async function builtCli(initArgs: string[] = []): Promise<{ running: number; start: number } | undefined> {
  if (process.platform !== 'linux') return undefined;
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dist = mkdtempSync(join(cache, 'dg-agent-dist-'));
  const dir = mkdtempSync(join(tmpdir(), 'dg-agent-cli-bench-'));
  try {
    await buildDeviceArtifact(dist);
    const launcher = join(dist, 'datagraph-agent');
    const env = { ...process.env, DG_PASSPHRASE: 'bench passphrase', DG_LOG_LEVEL: 'warn' };
    const init = await promisify(execFile)(launcher, ['init', '--dir', dir, ...initArgs], { env, encoding: 'utf8' });
    const device = decodePairingCode(/pairing code:\s+(\S+)/.exec(init.stdout)?.[1] ?? '');
    gateway.register(device);
    await gateway.publishPolicy(device.address, benchPolicy(provider));
    const accepted = () =>
      [...gateway.accepted.values()].filter((u) => u.body.device === device.address && u.body.cadence === 'hourly')
        .length;
    const args = ['run', '--dir', dir, '--broker', gateway.url, '--simulate', 'runner', '--speed', '3600'];
    const run = spawn(launcher, [...args, '--start', new Date(BENCH_START).toISOString()], {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const exited = new Promise<number | null>((r) => run.on('exit', (code) => r(code)));
    const kb = (field: string) =>
      Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${run.pid}/status`, 'utf8'))?.[1]) / 1024;
    let running = 0;
    let sampler: NodeJS.Timeout | undefined;
    run.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (sampler === undefined && d.includes('running')) {
        sampler = setInterval(() => {
          running = Math.max(running, kb('VmRSS'));
        }, 20);
      }
    });
    let start = 0;
    try {
      await waitFor(() => accepted() >= 2, 'two hourly updates from the built agent', 120_000);
      running = Math.max(running, kb('VmRSS'));
      start = kb('VmHWM');
    } finally {
      clearInterval(sampler);
      run.kill('SIGTERM');
    }
    if ((await exited) !== 0) throw new Error('the built agent did not stop cleanly');
    return { running, start };
  } finally {
    rmSync(dist, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

const device = await bundled();
const cli = await builtCli();
const cliLight = await builtCli(['--scrypt-n', '16384']);
const bare = bareNodeRss();
const underTsx = await runWorkload({ broker: gateway.url, devicePrivateKey: (await enrolledDevice()).privateKey });
await gateway.close();
const mem = device.memory;
reportBench('agent', [
  {
    name: 'peak RSS: agent + 5 sensors at 1 Hz for a simulated hour, MQTT connected',
    value: round(device.maxRssMb),
    unit: 'MB',
    target: '<= 60 MB',
    reference: { name: 'same run under tsx, in-process', value: round(underTsx.maxRssMb), unit: 'MB' },
  },
  ...(cli === undefined
    ? []
    : [
        {
          name: 'peak RSS: the built CLI (agent/dist) running --simulate runner into the broker, 2 simulated hours',
          value: round(cli.running),
          unit: 'MB',
          target: '<= 60 MB',
        },
        {
          name: 'peak RSS of the built CLI including the start (the keystore scrypt needs 256 MiB)',
          value: round(cli.start),
          unit: 'MB',
        },
        ...(cliLight === undefined
          ? []
          : [
              {
                name: 'peak RSS of the built CLI including the start, keystore made with init --scrypt-n 16384',
                value: round(cliLight.start),
                unit: 'MB',
                reference: { name: 'while running', value: round(cliLight.running), unit: 'MB' },
              },
            ]),
      ]),
  {
    name: 'bare node with the same flags (the floor)',
    value: round(bare),
    unit: 'MB',
  },
  {
    name: 'RSS before the agent started (node + bundled modules)',
    value: round(device.baselineRss),
    unit: 'MB',
    reference: { name: 'under tsx', value: round(underTsx.baselineRss), unit: 'MB' },
  },
  {
    name: 'RSS the hour adds (peak - before)',
    value: round(device.maxRssMb - device.baselineRss),
    unit: 'MB',
  },
  {
    name: 'at the end: V8 heap committed / used',
    value: round(mem.heapTotal),
    unit: 'MB',
    reference: { name: 'used', value: round(mem.heapUsed), unit: 'MB' },
  },
  ...(mem.nodeBinary === undefined
    ? []
    : [
        {
          name: 'at the end: resident pages of the node executable',
          value: round(mem.nodeBinary),
          unit: 'MB',
          reference: {
            name: 'other mapped files (libc, native modules)',
            value: round(mem.otherFiles ?? 0),
            unit: 'MB',
          },
        },
        {
          name: 'at the end: anonymous memory (V8 heap, malloc, stacks)',
          value: round(mem.anonymous ?? 0),
          unit: 'MB',
        },
      ]),
  {
    name: 'CPU time for the simulated hour (user + system)',
    value: Math.round(device.cpuMs),
    unit: 'ms',
    reference: { name: 'wall time', value: Math.round(device.wallMs), unit: 'ms' },
  },
  { name: 'samples through noble into the agent', value: device.samples, unit: 'samples' },
  { name: 'updates published and acked', value: device.acked, unit: 'updates' },
]);
