// The rewards engine as the gateway runs it: on start it settles a cycle a crash left journaled but unsent, then
// the interval timer pays new queries without anyone asking; close() stops the timer and closes the journal.
import { join } from 'node:path';
import { generateKeyPair, systemClock } from '@datagraph/protocol';
import { pino } from 'pino';
import t from 'tap';
import { loadGatewayConfig } from '../../src/config/GatewayConfig.ts';
import { LedgerClient } from '../../src/ledger/LedgerClient.ts';
import { providerEarnings } from '../../src/rewards/providerEarnings.ts';
import { RewardCycleJournal } from '../../src/rewards/RewardCycleJournal.ts';
import { RewardEngine } from '../../src/rewards/RewardEngine.ts';
import { RewardsService } from '../../src/rewards/RewardsService.ts';
import { TreasuryClient } from '../../src/rewards/TreasuryClient.ts';
import { ArrayQuerySource, makeQueries, startRewardsNode, tempDir, waitFor } from './helpers.ts';

t.test('start() recovers a journaled, unsent cycle, then the timer pays new queries; close() stops', async (t) => {
  const rn = await startRewardsNode();
  const tmp = await tempDir();
  t.teardown(async () => {
    await rn.close();
    await tmp.remove();
  });
  const { urls } = rn.node;
  const config = loadGatewayConfig({
    flags: { '--data-dir': tmp.dir, '--l0-url': urls.l0, '--l1-url': urls.l1, '--data-l1-url': urls.dataL1 },
  });
  Object.assign(config.rewards, {
    intervalMs: 0,
    feeBps: 100,
    minPayoutBaseUnits: '1',
    confirmTimeoutMs: 60_000,
    pollMs: 100,
  });
  const treasury = new TreasuryClient({ l0Url: urls.l0, l1Url: urls.l1, beUrl: urls.be }, rn.treasury.privateKey);
  const receipts = new LedgerClient({ l0Url: urls.l0, l1Url: urls.l1, dataL1Url: urls.dataL1 }, rn.gateway.privateKey);
  const source = new ArrayQuerySource();
  const providers = Array.from({ length: 5 }, () => generateKeyPair().address);
  source.add(...makeQueries(providers, 6, 1));

  // A "crash" right after the journal write: the plan is journaled, nothing was sent.
  const journal = await RewardCycleJournal.open(join(tmp.dir, 'rewards'));
  const crashing = new RewardEngine({
    journal,
    treasury,
    queries: source,
    receipts,
    gatewayKey: rn.gateway,
    feeBps: 100,
    minPayout: 1n,
    clock: systemClock,
    onStep: (step) => {
      if (step === 'planned') throw new Error('crash after journaling');
    },
  });
  await t.rejects(crashing.runCycle(), /crash after journaling/);
  t.equal((await journal.cycle(1))?.state, 'planned');
  await journal.close();
  for (const p of providers) t.equal(await treasury.balanceOf(p), 0n, 'nothing paid before the restart');

  const service = await RewardsService.open({
    config: { ...config, rewards: { ...config.rewards, intervalMs: 200 } },
    queries: source,
    receipts,
    gatewayKey: rn.gateway,
    treasuryKey: rn.treasury,
    clock: systemClock,
    log: pino({ level: 'silent' }),
  });
  service.start();
  await waitFor(async () => (await service.journal.cycle(1))?.state === 'receipted', 'cycle 1 settled on start');
  for (const p of providers)
    t.equal(
      String(await treasury.balanceOf(p)),
      (await providerEarnings(service.journal, p)).totals.paidConfirmed,
      'recovered: ledger = statement',
    );

  // New paid queries: the timer pays them without a manual run.
  source.add(...makeQueries(providers, 4, 2));
  await waitFor(async () => (await service.journal.cycle(2))?.state === 'receipted', 'cycle 2 by the timer');
  const status = await service.status();
  t.equal(status.cycles[0]?.cycle, 2);
  t.ok(status.lastRun, 'the timer run is the last run');
  for (const p of providers)
    t.equal(
      String(await treasury.balanceOf(p)),
      (await providerEarnings(service.journal, p)).totals.paidConfirmed,
      'after two cycles: ledger = statement',
    );

  await service.close();
  source.add(...makeQueries(providers, 2, 3));
  await t.rejects(service.journal.cycle(1), 'the journal is closed');
  t.equal(service.engine?.busy, false, 'no run going after close');
});
