// What the agent's and the gateway's production builds share (agent/scripts/build.ts, gateway/scripts/build.ts):
// esbuild's options for a Node bundle, the CommonJS shim for ESM bundles, and the artifact's package.json and launcher,
// so that `npm install --omit=dev` in the artifact's directory installs exactly the modules left outside the bundle.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BuildOptions } from 'esbuild';

// CommonJS dependencies call require(), and some read __dirname: ESM output has neither.
export const CJS_SHIM =
  "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);";

/**
 * The esbuild options both builds share: minified ESM for Node 20, split into chunks loaded when first imported,
 * production mode, the CommonJS shim, a metafile for the size report.
 */
export const NODE_BUNDLE = {
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  define: { 'process.env.NODE_ENV': '"production"' },
  banner: { js: CJS_SHIM },
  metafile: true,
  legalComments: 'none',
  logLevel: 'error',
} as const satisfies BuildOptions;

/** The version of `name` as installed for the workspace at `workspaceDir` (some packages export no package.json). */
async function installedVersion(workspaceDir: string, name: string): Promise<string> {
  const file = createRequire(join(workspaceDir, 'package.json')).resolve(name);
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8').catch(() => '{}')) as {
      name?: string;
      version?: string;
    };
    if (pkg.name === name && pkg.version) return pkg.version;
  }
  throw new Error(`no package.json for ${name} above ${file}`);
}

/**
 * Write `outdir/package.json` (the unbundled dependencies at the versions built against, the launcher as its bin)
 * and the launcher itself, `outdir/<name>`, executable.
 */
export async function writeArtifact(o: {
  outdir: string;
  workspaceDir: string;
  name: string;
  description: string;
  external: readonly string[];
  launcher: string;
}): Promise<void> {
  const dependencies: Record<string, string> = {};
  for (const dep of o.external) dependencies[dep] = await installedVersion(o.workspaceDir, dep);
  const { version } = JSON.parse(await readFile(join(o.workspaceDir, 'package.json'), 'utf8')) as { version: string };
  const pkg = {
    name: o.name,
    version,
    private: true,
    type: 'module',
    description: o.description,
    bin: { [o.name]: o.name },
    engines: { node: '>=20' },
    dependencies,
  };
  await writeFile(join(o.outdir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  await writeFile(join(o.outdir, o.name), o.launcher);
  await chmod(join(o.outdir, o.name), 0o755);
}
