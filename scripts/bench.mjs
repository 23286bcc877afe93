#!/usr/bin/env node
// `make bench`: runs every <package>/bench/*.bench.ts in turn; each prints its figures beside a
// reference measured in the same run and writes bench/results/<name>.json.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv[2];
const files = [];
for (const pkg of ['protocol', 'metagraph', 'agent', 'simulators', 'gateway']) {
  const dir = join(pkg, 'bench');
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort())
    if (f.endsWith('.bench.ts') && (!only || f.includes(only))) files.push(join(dir, f));
}
let failed = 0;
for (const f of files) {
  console.log(`\n== ${f}`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import=tsx', f], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
console.log(`\nbench: ${files.length - failed} of ${files.length} ran; results in bench/results/`);
process.exit(failed ? 1 : 0);
