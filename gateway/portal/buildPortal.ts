// Builds the provider portal: one ES module bundle (esbuild) plus the static page and stylesheet, written to
// gateway/portal/dist (not committed). Run `npx tsx gateway/portal/buildPortal.ts`; the portal plugin also
// builds on gateway start when dist is missing and esbuild is installed (a development checkout).
// protocol's Node-only imports are aliased to small browser adapters (src/browser/*), so the browser runs
// protocol's own canonical JSON, pairing codes, schemas and signing code.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
export const PORTAL_DIST = join(here, 'dist');

const ALIASES: Record<string, string> = {
  'node:crypto': join(here, 'src/browser/nodeCrypto.ts'),
  secp256k1: join(here, 'src/browser/secp256k1.ts'),
  '@stardust-collective/dag4-keystore': join(here, 'src/browser/dag4Keystore.ts'),
};

/** esbuild plugin: protocol's Node-only modules -> browser adapters. */
export const browserAdapters: Plugin = {
  name: 'datagraph-browser-adapters',
  setup(b) {
    b.onResolve({ filter: /^(node:crypto|secp256k1|@stardust-collective\/dag4-keystore)$/ }, (args) => ({
      path: ALIASES[args.path] as string,
    }));
    // protocol reads and writes keystores with node's native scrypt and AES; the browser uses WebCrypto + @noble.
    b.onResolve({ filter: /^\.\/keystoreV3\.ts$/ }, (args) =>
      /[\\/]protocol[\\/]src$/.test(args.resolveDir) ? { path: join(here, 'src/browser/keystoreV3.ts') } : undefined,
    );
    // zod's `z` namespace re-exports every locale (about 400 kB minified); the portal uses English only.
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '../locales/en.js') } : undefined,
    );
  },
};

export async function bundle(entry: string, outfile: string, opts: { minify?: boolean } = {}): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: opts.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [browserAdapters],
    // protocol uses Buffer as a global; the `buffer` package supplies it.
    inject: [join(here, 'src/browser/bufferGlobal.ts')],
  });
}

/** Build into a private directory, then move each file into place (a rename is atomic: a gateway starting
 * meanwhile reads the old or the new file, never half of one). */
export async function buildPortal(outdir = PORTAL_DIST): Promise<string> {
  mkdirSync(outdir, { recursive: true });
  const tmp = `${outdir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  try {
    await bundle(join(here, 'src/main.ts'), join(tmp, 'app.js'));
    copyFileSync(join(here, 'static/index.html'), join(tmp, 'index.html'));
    copyFileSync(join(here, 'static/app.css'), join(tmp, 'app.css'));
    for (const f of ['app.css', 'index.html', 'app.js']) renameSync(join(tmp, f), join(outdir, f));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return outdir;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Rebuild when the bundle is missing or older than its sources (the portal's and protocol's). */
export async function buildPortalIfStale(outdir = PORTAL_DIST): Promise<boolean> {
  const app = join(outdir, 'app.js');
  const sources = [
    join(here, 'src'),
    join(here, 'static'),
    join(here, '../../protocol/src'),
    join(here, '../src/registry'),
  ];
  const newest = Math.max(...sources.filter((d) => existsSync(d)).map(newestMtime));
  if (existsSync(app) && statSync(app).mtimeMs >= newest) return false;
  await buildPortal(outdir);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildPortal(process.argv[2] ?? PORTAL_DIST);
  console.log(`portal built in ${out}`);
}
