// The gateway as it is deployed: `npm run build -w @datagraph/gateway` writes gateway/dist/ (docs/gateway.md
// "Production build"). Development runs the TypeScript sources through tsx, whose loader (esbuild's transform, the
// module hooks thread) is loaded again in every worker thread: tens of MB of RSS per isolate, which the download
// benchmark counts. The build bundles the gateway commands with esbuild and each worker thread as its own entry:
//   datagraph-gateway.mjs       the `gateway`, `researcher`, `rewards` and `provider` commands (each a chunk)
//   lineWorkerThread.mjs        the download's worker, verifyWorkerThread.mjs the ingest's: bundled JS, no tsx
//   portal/                     the provider portal's front end, built ahead (a deployment has no esbuild)
// Chunks stay next to the entries: the code starting a worker (`new URL('./lineWorkerThread.mjs', import.meta.url)`)
// then finds the bundled worker in the built form wherever esbuild puts it, and the tsx entry of the same name in
// the sources. Native modules, brotli-wasm (dag4's; it reads its .wasm beside it) and @fastify/swagger-ui (it serves
// its static files from its own directory) are not bundled: dist/package.json installs them.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { NODE_BUNDLE, writeArtifact } from '../../scripts/lib/artifact.ts';
import { buildPortal } from '../portal/buildPortal.ts';

const here = dirname(fileURLToPath(import.meta.url));
const gatewayDir = join(here, '..');

/** Installed next to the bundle (dist/package.json), never bundled. */
export const EXTERNAL_DEPENDENCIES = ['classic-level', 'secp256k1', 'brotli-wasm', '@fastify/swagger-ui'] as const;

/**
 * The portal plugin builds the front end on start in a development checkout (esbuild, a dev dependency) and finds
 * it relative to its source file. Built, the front end is built ahead into dist/portal: the plugin's builder is
 * replaced by one that builds nothing, and its directory points next to the bundle. The build fails if the
 * plugin's source no longer reads as expected.
 */
const portalBuiltAhead: Plugin = {
  name: 'portal-built-ahead',
  setup(b) {
    b.onResolve({ filter: /[\\/]portal[\\/]buildPortal\.ts$/ }, () => ({
      path: 'portal-built-ahead',
      namespace: 'dg',
    }));
    b.onLoad({ filter: /^portal-built-ahead$/, namespace: 'dg' }, () => ({
      contents: 'export async function buildPortalIfStale() { return false; }',
    }));
    b.onLoad({ filter: /[\\/]http[\\/]portal[\\/]portalPlugin\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const from = "join(import.meta.dirname, '../../../portal/dist')";
      if (!source.includes(from))
        throw new Error(`portalPlugin.ts no longer has ${from}: update gateway/scripts/build.ts`);
      return { contents: source.replace(from, "join(import.meta.dirname, 'portal')"), loader: 'ts' };
    });
  },
};

/** Build gateway/dist (or `outdir`): the bundles, the portal, the launcher and the package.json. */
export async function buildGateway(outdir = join(gatewayDir, 'dist')): Promise<Metafile> {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const r = await build({
    entryPoints: {
      'datagraph-gateway': join(here, 'distEntry.ts'),
      lineWorkerThread: join(gatewayDir, 'src', 'research', 'lineWorkerThread.ts'),
      verifyWorkerThread: join(gatewayDir, 'src', 'ingest', 'verifyWorkerThread.ts'),
    },
    ...NODE_BUNDLE,
    outdir,
    chunkNames: 'chunk-[hash]',
    external: [...EXTERNAL_DEPENDENCIES],
    plugins: [portalBuiltAhead],
  });
  await buildPortal(join(outdir, 'portal'));
  await writeArtifact({
    outdir,
    workspaceDir: gatewayDir,
    name: 'datagraph-gateway',
    description: 'The DataGraph gateway, bundled: `npm install --omit=dev` here installs what is not bundled.',
    external: EXTERNAL_DEPENDENCIES,
    launcher: LAUNCHER,
  });
  return r.metafile;
}

/**
 * The node flags the launcher runs the gateway with. A bundled dependency calls Buffer(): node warns about it
 * (DEP0005) only when the caller is outside node_modules, as bundled code is.
 */
export const GATEWAY_NODE_FLAGS = ['--disable-warning=DEP0005'];

/**
 * The environment the launcher runs the gateway with. glibc's malloc serves blocks of 128 KB and more from their own
 * mappings, returned to the system when freed; by default that threshold rises with the first large block freed
 * (up to 32 MB), after which such blocks come from its heap and freed ones stay resident. Fixed at its default, a
 * download's anonymous memory stayed at 126 to 128 MB in three runs of four (142 MB without) and its worst run at
 * 181 MB (206 to 212 MB without): docs/gateway.md "Download benchmark". Other C libraries ignore it.
 */
export const GATEWAY_ENV: Record<string, string> = { MALLOC_MMAP_THRESHOLD_: '131072' };

const LAUNCHER = `#!/bin/sh
# Runs the built DataGraph gateway: datagraph-gateway gateway|researcher|rewards|provider [options]
here=$(dirname "$(readlink -f "$0")")
${Object.entries(GATEWAY_ENV)
  .map(([k, v]) => `export ${k}=\${${k}:-${v}}`)
  .join('\n')}
exec node ${GATEWAY_NODE_FLAGS.join(' ')} "$here/datagraph-gateway.mjs" "$@"
`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const metafile = await buildGateway();
  for (const [file, out] of Object.entries(metafile.outputs)) {
    if (file.endsWith('.mjs')) console.log(`${file}  ${(out.bytes / 1024).toFixed(0)} KB`);
  }
}
