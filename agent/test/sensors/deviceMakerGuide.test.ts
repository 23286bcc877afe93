// The device-maker guide's example (docs/sensors.md) runs as written, and behaves like the shipped driver.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t from 'tap';
import { acmeBandSensor } from '../../src/sensors/index.ts';

const doc = readFileSync(fileURLToPath(new URL('../../../docs/sensors.md', import.meta.url)), 'utf8');
const match = /<!-- example: device-maker -->\s*```ts\n([\s\S]*?)```/.exec(doc);
const sensorsEntry = pathToFileURL(fileURLToPath(new URL('../../src/sensors/index.ts', import.meta.url))).href;

t.test('the guide example runs and matches the shipped Acme Band driver', async (t) => {
  t.ok(match, 'example block found');
  const code = (match?.[1] ?? '').replaceAll("'@datagraph/agent/sensors'", `'${sensorsEntry}'`);
  const dir = mkdtempSync(join(tmpdir(), 'dg-guide-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'example.mts'); // .mts: ESM outside any package.json
  writeFileSync(file, code);
  const mod = (await import(pathToFileURL(file).href)) as { acmeBand: typeof acmeBandSensor };
  t.equal(mod.acmeBand.id, acmeBandSensor.id);
  t.same(mod.acmeBand.match.services, acmeBandSensor.match.services);
  t.same([...mod.acmeBand.characteristics.keys()], [...acmeBandSensor.characteristics.keys()]);
  const outcome = (f: ((b: Buffer, c: { at: number }) => unknown) | undefined, bytes: number[]) => {
    try {
      return f?.(Buffer.from(bytes), { at: 7 });
    } catch (e) {
      return (e as { code?: string }).code;
    }
  };
  const fixtures = [[0x10, 0x27, 0, 0], [1, 0x50, 0x45, 0x5b, 0x69], [9, 0, 0, 0, 0], [1, 2], []];
  for (const [uuid, decode] of mod.acmeBand.characteristics) {
    for (const bytes of fixtures) {
      t.same(
        outcome(decode, bytes),
        outcome(acmeBandSensor.characteristics.get(uuid), bytes),
        `${uuid.slice(0, 8)} ${bytes}`,
      );
    }
  }
});
