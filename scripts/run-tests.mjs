#!/usr/bin/env node
// Runs the tap suite and ends with the one line CI reads: "N passed, N failed, N skipped".
// A test case is a first-level subtest of a test file (4-space indent in TAP output); a file that
// fails outside any subtest (a crash at import, say) counts as one failure.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const args = ['tap', '--reporter=tap', ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'inherit'] });
let passed = 0;
let failed = 0;
let skipped = 0;
let caseFailuresInFile = 0;
const lines = createInterface({ input: child.stdout });
lines.on('line', (line) => {
  process.stdout.write(`${line}\n`);
  const inner = /^ {4}(not )?ok \d+ - /.exec(line);
  if (inner) {
    if (/# (SKIP|TODO)\b/i.test(line)) skipped++;
    else if (inner[1]) {
      failed++;
      caseFailuresInFile++;
    } else passed++;
    return;
  }
  const top = /^(not )?ok \d+ - /.exec(line);
  if (top) {
    if (top[1] && caseFailuresInFile === 0) failed++;
    caseFailuresInFile = 0;
  }
});
child.on('close', (code) => {
  if (code !== 0 && failed === 0) failed = 1;
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code ?? 1);
});
