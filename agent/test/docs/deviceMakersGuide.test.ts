// docs/device-makers.md shows agent/examples/mealLoggerAgent.ts verbatim, and that file runs as written.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const examplePath = `${root}agent/examples/mealLoggerAgent.ts`;

t.test('the guide embeds the example file exactly', async (t) => {
  const doc = readFileSync(`${root}docs/device-makers.md`, 'utf8');
  const block = /<!-- example: agent\/examples\/mealLoggerAgent.ts -->\s*```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  t.ok(block, 'example block found');
  t.equal(block, readFileSync(examplePath, 'utf8'), 'doc and file are the same code');
});

t.test('the example runs and its assertions hold', async (t) => {
  const r = spawnSync(process.execPath, ['--import=tsx', examplePath], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /meal logger example: ok/);
});
