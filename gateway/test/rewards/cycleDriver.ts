// A small driver for the crash tests (acceptance 2 of issue 7): runs one rewards run in its own process and,
// when CRASH_AT names a step, kills itself with SIGKILL right there, as a power cut or kill -9 would.
//   CRASH_AT=planned        after the journal write, before anything is sent
//   CRASH_AT=posted:<i>     right after transfer <i> was sent, before the journal records it
//   CRASH_AT=paid           every transfer confirmed, before the RewardCycle receipt is sent
// Usage: tsx cycleDriver.ts <config.json>; prints the outcomes as JSON on success.
import { readFileSync } from 'node:fs';
import { keyPairFromPrivateKey, systemClock } from '@datagraph/protocol';
import { pino } from 'pino';
import { LedgerClient } from '../../src/ledger/LedgerClient.ts';
import { RewardCycleJournal } from '../../src/rewards/RewardCycleJournal.ts';
import { RewardEngine } from '../../src/rewards/RewardEngine.ts';
import { TreasuryClient } from '../../src/rewards/TreasuryClient.ts';
import { ArrayQuerySource } from './helpers.ts';

export interface DriverConfig {
  urls: { l0: string; l1: string; dataL1: string; be: string };
  treasuryKey: string;
  gatewayKey: string;
  journalDir: string;
  queries: { queryId: string; amount: string; rows: { commitment: string; provider: string }[] }[];
  feeBps: number;
  minPayout: string;
}

const config = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as DriverConfig;
const crashAt = process.env.CRASH_AT ?? '';
const journal = await RewardCycleJournal.open(config.journalDir);
const source = new ArrayQuerySource();
source.add(...config.queries.map((q) => ({ ...q, amount: BigInt(q.amount) })));
const { urls } = config;
const engine = new RewardEngine({
  journal,
  treasury: new TreasuryClient({ l0Url: urls.l0, l1Url: urls.l1, beUrl: urls.be }, config.treasuryKey),
  queries: source,
  receipts: new LedgerClient({ l0Url: urls.l0, l1Url: urls.l1, dataL1Url: urls.dataL1 }, config.gatewayKey),
  gatewayKey: keyPairFromPrivateKey(config.gatewayKey),
  feeBps: config.feeBps,
  minPayout: BigInt(config.minPayout),
  clock: systemClock,
  logger: pino({ level: 'silent' }),
  confirmTimeoutMs: 90_000,
  pollMs: 100,
  onStep: (step, { index }) => {
    if (crashAt === step || crashAt === `${step}:${index}`) process.kill(process.pid, 'SIGKILL');
  },
});
// As the gateway starts: reconcile what a crash left, then run a cycle.
const out = [...(await engine.recover()), ...(await engine.runCycle())];
await journal.close();
process.stdout.write(`${JSON.stringify(out.map((o) => ({ cycle: o.cycle, state: o.state })))}\n`);
