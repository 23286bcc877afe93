// scripts/run-tests.mjs, the command CI reads: its last line counts cases, and the failed assertions are repeated
// above it with their place and diff, so a log cut to its tail still names what failed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';

const root = join(import.meta.dirname, '..');
const run = (...files: string[]) => {
  const r = spawnSync('node', ['scripts/run-tests.mjs', ...files.map((f) => `test/fixtures/runner/${f}`)], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: r.status, lines: r.stdout.trimEnd().split('\n') };
};

t.test('counts passed, failed and skipped cases, and names each failed assertion with its diff', async (t) => {
  const { code, lines } = run('mixed.ts');
  t.not(code, 0, 'exits non-zero');
  t.equal(lines.at(-1), '2 passed, 1 failed, 1 skipped');
  const summary = lines.slice(lines.indexOf('Failed assertions:') + 1, -1).filter(Boolean);
  t.same(summary, [
    'not ok: test/fixtures/runner/mixed.ts > outer > inner > the gateway holds what was acked',
    '    fileName: test/fixtures/runner/mixed.ts',
    '    lineNumber: 10',
    '    -300',
    '    +297',
  ]);
});

t.test('a file that fails outside any subtest counts as one failure', async (t) => {
  const { code, lines } = run('crash.ts');
  t.not(code, 0);
  t.equal(lines.at(-1), '0 passed, 1 failed, 0 skipped');
});

t.test('counts add up over files', async (t) => {
  const { code, lines } = run('mixed.ts', 'crash.ts', 'pass.ts');
  t.not(code, 0);
  t.equal(lines.at(-1), '4 passed, 2 failed, 1 skipped');
});

t.test('all passing: exit 0 and no failure list', async (t) => {
  const { code, lines } = run('pass.ts');
  t.equal(code, 0);
  t.equal(lines.at(-1), '2 passed, 0 failed, 0 skipped');
  t.notOk(lines.includes('Failed assertions:'));
});
