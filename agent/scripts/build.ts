// The artifact a device runs: `npm run build -w @datagraph/agent` writes agent/dist/ (docs/agent.md "Deploying on a
// device"). The agent CLI is bundled by esbuild, minified (less source held in memory, fewer and smaller functions
// to compile lazily) and split so that code only one command needs (init's key creation, status, the simulators
// behind --simulate) is a separate chunk, loaded only by that command. Native modules stay outside the bundle: they
// are installed next to it by npm (dist/package.json) and load their prebuilt binaries from there.
// agent/bench/agent.bench.ts measures its workload bundled by this same function and run with DEVICE_NODE_FLAGS.
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { NODE_BUNDLE, writeArtifact } from '../../scripts/lib/artifact.ts';

const here = dirname(fileURLToPath(import.meta.url));
const agentDir = join(here, '..');

/** Native modules (and their loaders), never bundled; the artifact's package.json installs them. */
export const NATIVE_DEPENDENCIES = ['classic-level', 'secp256k1', '@stoprocent/noble'] as const;
const EXTERNAL = [...NATIVE_DEPENDENCIES, '@stoprocent/*', 'usb', '@serialport/*', 'brotli-wasm'];

/**
 * The node flags a device runs the agent with (measured by the bench, reasons in docs/agent.md):
 * a 1 MB young generation; no V8 background threads; no JIT (the compiler's code and the optimised code it would
 * make never become resident; the agent's few samples a second run interpreted); no WebAssembly (the agent has
 * none, and node warns when --jitless leaves it on).
 */
export const DEVICE_NODE_FLAGS = ['--max-semi-space-size=1', '--single-threaded', '--jitless', '--no-expose-wasm'];

/**
 * The environment a device runs the agent with. glibc's malloc serves blocks under 32 KB from its heap and larger
 * ones from their own mappings, returned to the system when freed. By default the threshold rises with the first
 * large block freed, and V8's parser and compiler zones (9.5 MB at their peak while the bundle loads) then sometimes
 * stay resident after being freed: about 7 MB in a third of the starts measured. Other C libraries ignore it.
 */
export const DEVICE_ENV: Record<string, string> = { MALLOC_MMAP_THRESHOLD_: '32768' };

// zod's error messages in every language it has (40 locales, a third of zod's code) would be parsed and kept in
// memory: the agent's messages are English (zod's default, `en`), and `z.locales` holds only that one here.
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: dirname(args.path),
    }));
  },
};

/** Bundle `entry` into `outdir/<name>.mjs` (plus lazily loaded chunks) with the device build's options. */
export async function bundleAgent(o: { entry: string; outdir: string; name: string }): Promise<Metafile> {
  const r = await build({
    entryPoints: { [o.name]: o.entry },
    ...NODE_BUNDLE,
    outdir: o.outdir,
    chunkNames: 'chunks/[name]-[hash]',
    external: EXTERNAL,
    plugins: [zodEnglishOnly],
  });
  return r.metafile;
}

const LAUNCHER = `#!/bin/sh
# Runs the DataGraph device agent with the memory-lean node flags (docs/agent.md "Deploying on a device").
here=$(dirname "$(readlink -f "$0")")
${Object.entries(DEVICE_ENV)
  .map(([k, v]) => `export ${k}=${v}`)
  .join('\n')}
exec node ${DEVICE_NODE_FLAGS.join(' ')} "$here/datagraph-agent.mjs" "$@"
`;

/** Build agent/dist (or `outdir`): the bundle, its launcher, and the package.json that installs the native modules. */
export async function buildDeviceArtifact(outdir = join(agentDir, 'dist')): Promise<Metafile> {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const metafile = await bundleAgent({
    entry: join(agentDir, 'src', 'cli', 'main.ts'),
    outdir,
    name: 'datagraph-agent',
  });
  await writeArtifact({
    outdir,
    workspaceDir: agentDir,
    name: 'datagraph-agent',
    description: 'The DataGraph device agent, bundled: `npm install --omit=dev` here installs its native modules.',
    external: NATIVE_DEPENDENCIES,
    launcher: LAUNCHER,
  });
  return metafile;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const metafile = await buildDeviceArtifact();
  for (const [file, out] of Object.entries(metafile.outputs)) {
    if (file.endsWith('.mjs')) console.log(`${file}  ${(out.bytes / 1024).toFixed(0)} KB`);
  }
}
