// Acceptance 5: one agent with five simulated BLE sensors notifying at 1 Hz for a simulated hour (real noble over
// the simulated radio -> aggregation -> consent -> signing -> LevelDB outbox). Peak RSS (target <= 60 MB) and CPU.
//
// Measured twice: (1) as a device runs it, the agent bundled by esbuild and run by plain node in a child process
// with a 1 MB V8 semi-space (`--max-semi-space-size=1`, the usual flag for small devices); (2) in this process
// under tsx, as a reference (tsx's TypeScript compiler alone adds about 40 MB of RSS).
// The simulated hour runs in well under a second, so garbage is made thousands of times faster than on a device.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { reportBench } from '../../bench/results.ts';
import { runWorkload, type WorkloadResult } from './agentWorkload.ts';

const here = dirname(fileURLToPath(import.meta.url));
const round = (v: number) => Math.round(v * 10) / 10;

async function bundled(): Promise<WorkloadResult> {
  // Under node_modules/.cache so the bundle's external native modules resolve from the workspace.
  const cache = join(here, '..', '..', 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'dg-agent-bench-'));
  try {
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { runWorkload } from ${JSON.stringify(join(here, 'agentWorkload.ts'))};\nconsole.log(JSON.stringify(await runWorkload()));\n`,
    );
    const outfile = join(dir, 'agent-bench.mjs');
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      // native modules stay outside the bundle, as on a device
      external: ['classic-level', 'secp256k1', '@stoprocent/*', 'usb', '@serialport/*', 'brotli-wasm'],
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);",
      },
      logLevel: 'error',
    });
    const r = spawnSync(process.execPath, ['--expose-gc', '--max-semi-space-size=1', outfile], {
      encoding: 'utf8',
      cwd: join(here, '..', '..'),
      env: { ...process.env, NODE_PATH: join(here, '..', '..', 'node_modules') },
    });
    if (r.status !== 0) throw new Error(`bundled agent bench failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop() as string) as WorkloadResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const device = await bundled();
const underTsx = await runWorkload();
reportBench('agent', [
  {
    name: 'peak RSS: agent + 5 sensors at 1 Hz for a simulated hour',
    value: round(device.peakRss),
    unit: 'MB',
    target: '<= 60 MB',
    reference: { name: 'same run under tsx, in-process', value: round(underTsx.peakRss), unit: 'MB' },
  },
  {
    name: 'RSS the agent adds over its loaded modules (peak - before)',
    value: round(device.peakRss - device.baselineRss),
    unit: 'MB',
  },
  {
    name: 'RSS before the agent started (node + modules)',
    value: round(device.baselineRss),
    unit: 'MB',
    reference: { name: 'under tsx', value: round(underTsx.baselineRss), unit: 'MB' },
  },
  {
    name: 'CPU time for the simulated hour (user + system)',
    value: Math.round(device.cpuMs),
    unit: 'ms',
    reference: { name: 'wall time', value: Math.round(device.wallMs), unit: 'ms' },
  },
  { name: 'samples through noble into the agent', value: device.samples, unit: 'samples' },
  { name: 'updates written to the outbox', value: device.updates, unit: 'updates' },
]);
