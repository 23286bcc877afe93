// agent.record(): the SDK's door for samples from non-BLE sources.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent, type Sample } from '@datagraph/agent';
import { generateKeyPair, ManualClock } from '@datagraph/protocol';
import pino from 'pino';
import t from 'tap';

t.test('invalid samples are refused with AG_SAMPLE_INVALID; far-future ones are ignored and counted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-record-'));
  const clock = new ManualClock();
  const agent = await createAgent({
    device: generateKeyPair(),
    dataDir: dir,
    clock,
    logger: pino({ level: 'silent' }),
  });
  t.teardown(async () => {
    await agent.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const bad = [
    { hasValue: true, kind: 'heart_rate', value: Number.NaN, unit: 'bpm', at: clock.now() },
    { hasValue: true, kind: 'blood_alcohol', value: 0.1, unit: '%', at: clock.now() },
    { hasValue: true, kind: 'heart_rate', value: 60, unit: 'bpm', at: 1.5 },
    { kind: 'heart_rate', value: 60 },
  ];
  for (const s of bad)
    t.throws(() => agent.record(s as unknown as Sample), { code: 'AG_SAMPLE_INVALID' }, JSON.stringify(s));
  agent.record({ hasValue: true, kind: 'heart_rate', value: 60, unit: 'bpm', at: clock.now() + 9 * 60_000 });
  agent.record({ hasValue: true, kind: 'heart_rate', value: 60, unit: 'bpm', at: clock.now() + 24 * 3_600_000 });
  t.equal(agent.status().samples.samples, 1, 'a few minutes ahead is fine (device clocks drift)');
  t.equal(agent.status().samples.future, 1, 'a day ahead is a clock fault: ignored, counted');
  agent.record({ hasValue: false, kind: 'heart_rate', reason: 'not-a-number', unit: 'bpm', at: clock.now() });
  t.equal(agent.status().samples.noValue, 1, 'a no-value reading is counted, never used');
});
