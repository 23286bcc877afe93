// A device maker's agent for a phone app that logs meals and reads a chest strap: the example of
// docs/device-makers.md, run as written by agent/test/docs/deviceMakersGuide.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent } from '@datagraph/agent';
import { ConsentPolicy, generateKeyPair, ManualClock, signValue } from '@datagraph/protocol';
import pino from 'pino';

// 1. The device key. A real device creates it once (`datagraph agent init`) and loads it with `loadDeviceKey`.
const device = generateKeyPair();
const dataDir = mkdtempSync(join(tmpdir(), 'meal-logger-'));

// 2. The agent. Time comes from a clock: the system clock on a device, a ManualClock here so the example
//    runs an hour of the day in a moment. Without `broker` it runs offline: updates wait in the outbox.
const clock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0));
const agent = await createAgent({
  device,
  dataDir,
  clock,
  logger: pino({ level: 'silent' }),
  // broker: { url: 'mqtts://gateway.example:8883' },
});

// 3. Samples from sources that are not BLE go through record(), as they happen. They never leave the device as
//    they are: only the window aggregates the provider consented to do.
for (let m = 0; m < 60; m += 5) {
  agent.record({ hasValue: true, kind: 'heart_rate', value: 70 + (m % 3), unit: 'bpm', at: clock.now() });
  if (m === 5) agent.record({ hasValue: true, kind: 'calories_consumed', value: 640, unit: 'kcal', at: clock.now() });
  if (m === 20) agent.record({ hasValue: true, kind: 'calories_consumed', value: 180, unit: 'kcal', at: clock.now() });
  await clock.advanceAsync(5 * 60_000, 30_000);
}

// 4. Consent. The provider's wallet signs a policy; the gateway delivers it as a retained MQTT message, which the
//    agent verifies. Here we sign one ourselves and hand it over the way the MQTT link would.
const provider = generateKeyPair();
const policy = ConsentPolicy.parse({
  v: 1,
  provider: provider.address,
  version: 1,
  fields: { calories_consumed: ['hourly'], heart_rate_avg: ['hourly'] }, // nothing else leaves the device
  generalisation: { calories_consumed: 'coarse' }, // rounded to 50 kcal
  issuedAt: Math.floor(clock.now() / 1000),
  expiresAt: null,
});
await agent.receivePolicy(
  Buffer.from(JSON.stringify({ policy, proof: signValue(provider.privateKey, provider.publicKey, policy) })),
);

// 5. The hour closes a grace period (2 minutes) after it ends; its update is signed and put in the outbox.
await clock.advanceAsync(2 * 60_000, 30_000);
await agent.closeDueWindows();
const [update] = await agent.pending();
assert.ok(update, 'one hourly update');
assert.deepEqual(update.body.fields, { calories_consumed: 800, heart_rate_avg: 71 });
assert.equal(update.body.cadence, 'hourly');
assert.equal(update.body.window.end - update.body.window.start, 3600);
assert.equal(agent.status().outbox.depth, 1); // published, and deleted only when the gateway acks it

await agent.close();
rmSync(dataDir, { recursive: true, force: true });
console.log('meal logger example: ok');
