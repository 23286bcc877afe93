// A device agent as its own process, for kill -9 tests: runs an agent on DIR with a ManualClock from FROM to TO
// (Unix ms), feeding the deterministic synthetic samples of that span, and prints `progress <ms>` after each
// simulated hour once every window due by then is on disk (fsynced). Usage:
//   node --import=tsx crashableAgent.ts DIR BROKER_URL DEVICE_PRIVATE_KEY PROVIDER T0 FROM TO
import { createAgent } from '@datagraph/agent';
import { keyPairFromPrivateKey, ManualClock } from '@datagraph/protocol';
import pino from 'pino';
import { syntheticSamples } from './syntheticDay.ts';

const [dir, url, privateKey, provider, t0s, froms, tos] = process.argv.slice(2) as string[];
const [t0, from, to] = [Number(t0s), Number(froms), Number(tos)];
const H = 3_600_000;
const clock = new ManualClock(from);
const agent = await createAgent({
  device: keyPairFromPrivateKey(privateKey as string),
  dataDir: dir as string,
  clock,
  logger: pino({ level: 'silent' }),
  provider,
  broker: { url: url as string, reconnectPeriodMs: 50 },
});
// A device only shares under a policy: wait for the retained one (immediate after a restart: it is persisted).
while (agent.policy === undefined) await new Promise((r) => setTimeout(r, 10));
const samples = syntheticSamples(t0, Math.ceil((to - t0) / H), 9, 120_000).filter((s) => s.at >= from && s.at < to);
let nextMark = from + H;
for (const s of samples) {
  while (s.at >= nextMark) {
    await clock.advanceAsync(nextMark - clock.now(), 30_000);
    await agent.closeDueWindows();
    console.log(`progress ${clock.now()}`);
    nextMark += H;
  }
  if (s.at > clock.now()) await clock.advanceAsync(s.at - clock.now(), 30_000);
  agent.record(s);
}
await clock.advanceAsync(to + 5 * 60_000 - clock.now(), 30_000);
await agent.closeDueWindows();
console.log(`progress ${clock.now()}`);
console.log('done');
await agent.close();
