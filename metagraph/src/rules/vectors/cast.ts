// The cast of the conformance vectors: one authorised gateway, a rogue one, two providers and their devices.
import type { IngestEntry, SignedDataUpdate } from '@datagraph/protocol';
import type { RulesConfig } from '../RulesConfig.ts';
import { dayWindow, EPOCH, entry, hourWindow, keyFromSeed, policy, registerProvider } from './VectorWorld.ts';

export const gateway = keyFromSeed('gateway');
export const rogueGateway = keyFromSeed('rogue-gateway');
export const alice = keyFromSeed('alice');
export const bob = keyFromSeed('bob');
export const carol = keyFromSeed('carol');
export const watch = keyFromSeed('alice-watch');
export const hub = keyFromSeed('alice-hub');
export const bobWatch = keyFromSeed('bob-watch');
export const strayDevice = keyFromSeed('stray-device');

export const config: RulesConfig = { authorisedGateways: [gateway.address] };

export const aliceConsent = policy(alice.address, 1, {
  age_band: ['profile'],
  heart_rate_avg: ['hourly'],
  sleep_hours: ['daily'],
  steps: ['hourly'],
});

export function aliceRegistration(version = 1, devices = [watch, hub]): SignedDataUpdate {
  return registerProvider(alice, devices, { ...aliceConsent, version });
}

export function bobRegistration(): SignedDataUpdate {
  return registerProvider(bob, [bobWatch], policy(bob.address, 1, { steps: ['hourly'] }, EPOCH + 10 * 86400));
}

/** An hourly steps entry of Alice's (watch by default) for hour `hour` (default: seq). */
export function steps(
  seq: number,
  opts: { hour?: number; device?: typeof watch; version?: number; value?: number } = {},
): IngestEntry {
  const device = opts.device ?? watch;
  const hour = opts.hour ?? seq;
  return entry({
    device,
    provider: alice.address,
    seq,
    cadence: 'hourly',
    window: hourWindow(hour),
    policyVersion: opts.version ?? 1,
    values: { steps: opts.value ?? 1000 + seq },
    seed: `${device.address}/${seq}/${hour}/${opts.value ?? ''}`,
  });
}

export function sleep(seq: number, day: number, device = watch): IngestEntry {
  return entry({
    device,
    provider: alice.address,
    seq,
    cadence: 'daily',
    window: dayWindow(day),
    policyVersion: 1,
    values: { sleep_hours: 7.5 },
    seed: `sleep/${device.address}/${seq}`,
  });
}

export function profile(seq: number, device = hub): IngestEntry {
  return entry({
    device,
    provider: alice.address,
    seq,
    cadence: 'profile',
    window: { start: EPOCH, end: EPOCH + 365 * 86400 },
    policyVersion: 1,
    values: { age_band: '35-44' },
    seed: `profile/${device.address}/${seq}`,
  });
}
