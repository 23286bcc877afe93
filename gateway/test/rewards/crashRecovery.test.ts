// Acceptance 2 of issue 7: kill -9 a rewards run before sending, in the middle of a batch, after sending but
// before the journal is updated, and before the receipt; restart: every provider's ledger balance equals its
// statement, each paid exactly once (one confirmed transfer from the treasury), and the cycle is receipted.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair } from '@datagraph/protocol';
import t from 'tap';
import { providerEarnings } from '../../src/rewards/providerEarnings.ts';
import { RewardCycleJournal } from '../../src/rewards/RewardCycleJournal.ts';
import { TreasuryClient } from '../../src/rewards/TreasuryClient.ts';
import type { DriverConfig } from './cycleDriver.ts';
import { getJson, makeQueries, startRewardsNode, tempDir, waitFor } from './helpers.ts';

const driver = join(import.meta.dirname, 'cycleDriver.ts');

function runDriver(
  configPath: string,
  crashAt?: string,
): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import=tsx', driver, configPath], {
      env: { ...process.env, CRASH_AT: crashAt ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, out, err }));
  });
}

const PROVIDERS = 6;

for (const crashAt of ['planned', 'posted:0', 'posted:2', `posted:${PROVIDERS - 1}`, 'paid']) {
  t.test(`kill -9 at ${crashAt}, then restart: ledger equals statements, each paid once`, async (t) => {
    const rn = await startRewardsNode({ snapshotIntervalMs: 150 });
    const tmp = await tempDir();
    t.teardown(async () => {
      await rn.close();
      await tmp.remove();
    });
    const providers = Array.from({ length: PROVIDERS }, () => generateKeyPair().address);
    // every provider has rows in several queries, so every provider is paid
    const queries = makeQueries(providers, 30).map((q, i) => ({
      ...q,
      rows: [
        ...q.rows,
        { commitment: `f${String(i).padStart(63, '0')}`, provider: providers[i % PROVIDERS] as string },
      ],
    }));
    const config: DriverConfig = {
      urls: rn.node.urls,
      treasuryKey: rn.treasury.privateKey,
      gatewayKey: rn.gateway.privateKey,
      journalDir: join(tmp.dir, 'journal'),
      queries: queries.map((q) => ({ ...q, amount: String(q.amount) })),
      feeBps: 300,
      minPayout: '1',
    };
    const configPath = join(tmp.dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(config));

    const crashed = await runDriver(configPath, crashAt);
    t.equal(
      crashed.signal,
      'SIGKILL',
      `the run was killed at ${crashAt}${crashed.err ? `: ${crashed.err.slice(0, 500)}` : ''}`,
    );
    // What the crash left: the journal is behind the ledger exactly where the kill hit.
    const treasury = new TreasuryClient(
      { l0Url: rn.node.urls.l0, l1Url: rn.node.urls.l1, beUrl: rn.node.urls.be },
      rn.treasury.privateKey,
    );
    {
      const journal = await RewardCycleJournal.open(config.journalDir);
      const entries = await journal.transfers(1);
      t.equal(entries.length, PROVIDERS, 'the plan was journaled before the kill');
      const m = /^posted:(\d+)$/.exec(crashAt);
      if (crashAt === 'planned') {
        for (const e of entries) t.equal(await treasury.status(e.hash), 'unknown', 'nothing was sent');
      } else if (m) {
        const k = Number(m[1]);
        const sent = entries[k];
        t.equal(sent?.state, 'planned', `transfer ${k} not yet journaled as sent`);
        t.not(await treasury.status(sent?.hash as string), 'unknown', `but transfer ${k} is on the ledger`);
        for (const e of entries.slice(k + 1)) t.equal(await treasury.status(e.hash), 'unknown', 'later ones not sent');
      } else {
        t.equal((await journal.cycle(1))?.state, 'paid', 'paid, receipt not yet sent');
      }
      await journal.close();
    }
    const restarted = await runDriver(configPath);
    t.equal(restarted.code, 0, `the restarted run completes${restarted.err ? `: ${restarted.err.slice(0, 800)}` : ''}`);
    t.match(restarted.out, /"state":"receipted"/, 'the open cycle was settled and receipted');
    const again = await runDriver(configPath);
    t.equal(again.out.trim(), '[]', 'a third run finds nothing to do: no query distributed twice');

    const journal = await RewardCycleJournal.open(config.journalDir);
    t.teardown(() => journal.close());
    t.equal(await journal.nextCycle(), 2, 'exactly one cycle');
    let paidTotal = 0n;
    for (const p of providers) {
      const e = await providerEarnings(journal, p);
      const balance = await treasury.balanceOf(p);
      t.equal(String(balance), e.totals.paidConfirmed, 'ledger balance equals the statement');
      t.ok(balance > 0n, 'the provider was paid');
      const received = await getJson(`${rn.node.urls.be}/currency/dg/addresses/${p}/transactions/received`);
      t.equal(received.body.data.length, 1, 'paid exactly once');
      t.equal(String(received.body.data[0].amount), e.totals.paid);
      paidTotal += balance;
    }
    const record = await journal.cycle(1);
    t.equal(String(paidTotal), record?.totals.payouts, 'the ledger holds exactly the cycle payouts');
    const receipt = await waitFor(async () => {
      const r = await getJson(`${rn.node.urls.l0}/data-application/reward-cycles/${rn.gateway.address}/1`);
      return r.status === 200 ? r.body : undefined;
    }, 'RewardCycle receipt on the ledger');
    t.equal(receipt.payoutRoot, record?.payoutRoot);
  });
}
