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
// each failed assertion (a failing line without a subtest's "# time="), named by the subtests above it, with its
// place and diff: repeated at the end so that a log cut to its tail still says what failed
const failures = [];
const path = [];
let detail = 0;
let inDiff = false;
const lines = createInterface({ input: child.stdout });
lines.on('line', (line) => {
  process.stdout.write(`${line}\n`);
  const subtest = /^( *)# Subtest: (.*)$/.exec(line);
  if (subtest) path.splice(subtest[1].length / 4, Infinity, subtest[2]);
  const assertion = /^( *)not ok \d+ - (.*)$/.exec(line);
  if (assertion && !/ # time=/.test(line)) {
    failures.push(`not ok: ${[...path.slice(0, assertion[1].length / 4), assertion[2]].join(' > ')}`);
    detail = 8;
    inDiff = false;
  } else if (detail > 0 && /^\s+\.\.\.$/.test(line)) detail = 0;
  else if (detail > 0 && /^\s+diff: \|/.test(line)) inDiff = true;
  else if (
    detail > 0 &&
    (/^\s+(fileName|lineNumber|found|wanted|message|code):/.test(line) || (inDiff && /^\s+[-+](?![-+]{2} )/.test(line)))
  ) {
    failures.push(`    ${line.trim()}`);
    detail--;
  }
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
  if (failures.length > 0) console.log(`\nFailed assertions:\n${failures.slice(0, 80).join('\n')}\n`);
  if (code !== 0 && failed === 0) failed = 1;
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code ?? 1);
});
