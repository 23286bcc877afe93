// The rewards REST routes over the real engine and the local node (fastify inject, no socket): a deferral is
// refused with GW_TREASURY_SHORT and shown in the status; a second run while one is going gets
// GW_REWARD_CYCLE_BUSY; operator routes need the operator token; statements need the provider's own signed
// request; each provider's statement (JSON and CSV) equals its balance on the ledger; a payout proof checks
// against the RewardCycle receipt's root on the ledger.
import { generateKeyPair, type SignedDataUpdate, systemClock, verifyMerkleProof } from '@datagraph/protocol';
import { dag4 } from '@stardust-collective/dag4';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { pino } from 'pino';
import t from 'tap';
import { loadGatewayConfig } from '../../src/config/GatewayConfig.ts';
import { installErrorHandling } from '../../src/http/apiErrors.ts';
import { earningsAuthorization, providerAuthorizer } from '../../src/http/rewards/providerAuth.ts';
import { rewardsRoutes } from '../../src/http/rewards/rewardsRoutes.ts';
import { LedgerClient } from '../../src/ledger/LedgerClient.ts';
import { payoutLineCommitment } from '../../src/rewards/payoutRoot.ts';
import { RewardsService } from '../../src/rewards/RewardsService.ts';
import { TreasuryClient } from '../../src/rewards/TreasuryClient.ts';
import { ArrayQuerySource, getJson, makeQueries, startRewardsNode, tempDir, waitFor } from './helpers.ts';

const TOKEN = 'operator-token-for-tests-0123456789';

t.test('rewards routes: deferral, busy, operator auth, statements equal ledger balances, proofs', async (t) => {
  const rn = await startRewardsNode({ treasuryFunds: 1_000n });
  const tmp = await tempDir();
  const { urls } = rn.node;
  const config = loadGatewayConfig({
    flags: { '--data-dir': tmp.dir, '--l0-url': urls.l0, '--l1-url': urls.l1, '--data-l1-url': urls.dataL1 },
  });
  Object.assign(config.rewards, {
    intervalMs: 0,
    feeBps: 300,
    minPayoutBaseUnits: '1',
    confirmTimeoutMs: 60_000,
    pollMs: 100,
  });
  const source = new ArrayQuerySource();
  const ledger = new LedgerClient({ l0Url: urls.l0, l1Url: urls.l1, dataL1Url: urls.dataL1 }, rn.gateway.privateKey);
  // The receipt submitter can be held, so a run is provably still going while a second one is asked for.
  let hold: Promise<void> | undefined;
  let reached: () => void = () => {};
  const receipts = {
    async submit(u: SignedDataUpdate) {
      reached();
      await hold;
      return ledger.submit(u);
    },
  };
  const rewards = await RewardsService.open({
    config,
    queries: source,
    receipts,
    gatewayKey: rn.gateway,
    treasuryKey: rn.treasury,
    clock: systemClock,
    log: pino({ level: 'silent' }),
  });
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app, pino({ level: 'silent' }));
  await app.register(rewardsRoutes, {
    rewards,
    operatorToken: TOKEN,
    authorizeProvider: providerAuthorizer({ clock: systemClock }),
  });
  t.teardown(async () => {
    await app.close();
    await rewards.close();
    await rn.close();
    await tmp.remove();
  });
  const auth = { authorization: `Bearer ${TOKEN}` };

  const keys = Array.from({ length: 10 }, () => generateKeyPair());
  const providers = keys.map((k) => k.address);
  source.add(...makeQueries(providers, 12));
  const signed = (i: number) => ({
    authorization: earningsAuthorization(keys[i] as (typeof keys)[number], systemClock),
  });

  t.test('operator routes refuse a missing or wrong token', async (t) => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: TOKEN }]) {
      const r = await app.inject({ method: 'POST', url: '/v1/rewards/cycles', headers });
      t.equal(r.statusCode, 401);
      t.equal(r.json().code, 'GW_OPERATOR_UNAUTHORIZED');
    }
    const s = await app.inject({ url: '/v1/rewards/status' });
    t.equal(s.statusCode, 401);
    t.equal((await app.inject({ url: '/v1/rewards/cycles/1' })).statusCode, 401);
  });

  t.test('treasury short: 503 GW_TREASURY_SHORT, no cycle, the status shows the error', async (t) => {
    const r = await app.inject({ method: 'POST', url: '/v1/rewards/cycles', headers: auth });
    t.equal(r.statusCode, 503);
    t.match(r.json(), { statusCode: 503, code: 'GW_TREASURY_SHORT', error: 'Service Unavailable' });
    const s = (await app.inject({ url: '/v1/rewards/status', headers: auth })).json();
    t.equal(s.lastRun.error.code, 'GW_TREASURY_SHORT');
    t.same(s.cycles, [], 'nothing journaled');
    t.equal(s.treasury, rn.treasury.address);
    t.equal(s.treasuryBalance, '1000');
    t.equal(source.marked.size, 0);
  });

  t.test('funded: a second run while one is going is refused busy; the first pays every provider', async (t) => {
    const client = dag4.createAccount(rn.other.privateKey).createMetagraphTokenClient({
      id: 'dg',
      metagraphId: 'dg',
      l0Url: urls.l0,
      l1Url: urls.l1,
      beUrl: urls.be,
    } as never);
    await client.transfer(rn.treasury.address, 1_000_000, 0);
    const treasury = new TreasuryClient({ l0Url: urls.l0, l1Url: urls.l1, beUrl: urls.be }, rn.treasury.privateKey);
    await waitFor(async () => (await treasury.balance()) > 1_000n, 'treasury funded');

    let release: () => void = () => {};
    hold = new Promise<void>((r) => {
      release = r;
    });
    const atReceipt = new Promise<void>((r) => {
      reached = r;
    });
    const first = app.inject({ method: 'POST', url: '/v1/rewards/cycles', headers: auth });
    await atReceipt; // every transfer confirmed, the receipt held: the run is still going
    const busy = await app.inject({ method: 'POST', url: '/v1/rewards/cycles', headers: auth });
    t.equal(busy.statusCode, 409);
    t.equal(busy.json().code, 'GW_REWARD_CYCLE_BUSY');
    t.equal((await app.inject({ url: '/v1/rewards/status', headers: auth })).json().running, true);
    release();
    const r = await first;
    t.equal(r.statusCode, 200);
    const cycles = r.json().cycles;
    t.equal(cycles.length, 1);
    t.match(cycles[0], { cycle: 1, state: 'receipted', queries: 12 });

    const s = (await app.inject({ url: '/v1/rewards/status', headers: auth })).json();
    t.equal(s.running, false);
    t.notOk(s.lastRun.error, 'the last run succeeded');
    t.match(s.cycles[0], { cycle: 1, state: 'receipted', queries: 12 });

    let paidTotal = 0n;
    for (const [i, p] of providers.entries()) {
      const e = await app.inject({ url: `/v1/providers/${p}/earnings`, headers: signed(i) });
      t.equal(e.statusCode, 200);
      const body = e.json();
      const balance = await treasury.balanceOf(p);
      t.equal(body.totals.paidConfirmed, String(balance), `statement of ${p.slice(0, 10)} equals its ledger balance`);
      paidTotal += balance;
      const lines = body.cycles[0].lines as { reason: string; amount: string; queryId?: string }[];
      const shares = lines.filter((l) => l.reason === 'query-share').reduce((a, l) => a + BigInt(l.amount), 0n);
      t.equal(
        String(shares),
        body.totals.paidConfirmed,
        'query shares add up to the payout (minimum 1, nothing carried)',
      );
      const csv = await app.inject({ url: `/v1/providers/${p}/earnings.csv`, headers: signed(i) });
      t.equal(csv.statusCode, 200);
      t.match(csv.headers['content-type'], /^text\/csv/);
      const rows = csv.body
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','));
      t.equal(rows.length, lines.length, 'one CSV line per statement line');
      const paidCsv = rows.filter((c) => c[3] === 'paid').reduce((a, c) => a + BigInt(c[6] as string), 0n);
      t.equal(paidCsv, balance, 'the CSV paid line equals the ledger balance');

      const proof = await app.inject({ url: `/v1/providers/${p}/earnings/1/proof`, headers: signed(i) });
      t.equal(proof.statusCode, 200);
      const pr = proof.json();
      const onLedger = await waitFor(async () => {
        const x = await getJson(`${urls.dataL1}/data-application/reward-cycles/${rn.gateway.address}/1`);
        return x.status === 200 ? x.body : undefined;
      }, 'RewardCycle receipt on the ledger');
      const root = JSON.stringify(onLedger).match(/"payoutRoot":"([0-9a-f]{64})"/)?.[1];
      t.equal(root, pr.payoutRoot, 'the proof is against the root on the ledger');
      t.ok(verifyMerkleProof(payoutLineCommitment(pr.line), pr.proof, pr.payoutRoot), 'the payout proof verifies');
    }
    const summary = (await app.inject({ url: '/v1/rewards/cycles/1', headers: auth })).json();
    t.equal(BigInt(summary.totals.payouts), paidTotal, 'the cycle pays what the ledger shows');
    t.equal(
      BigInt(summary.totals.payments),
      BigInt(summary.totals.payouts) + BigInt(summary.totals.fees) + BigInt(summary.totals.carriedOut),
      'payments = payouts + fees + carried',
    );
    t.equal(summary.fees.length, 12, 'one fee line per query');
  });

  t.test('statements are private: only a fresh request signed by the provider key reads them', async (t) => {
    const p = providers[0] as string;
    const tenMinutesAgo = { now: () => Date.now() - 600_000 };
    const other = generateKeyPair();
    const forged = earningsAuthorization(keys[0] as (typeof keys)[number], systemClock).replace(
      /:[0-9a-f]+$/,
      ':3045022100',
    );
    const cases: [string, Record<string, string>, number, string][] = [
      ['no header', {}, 401, 'GW_PROVIDER_AUTH_REQUIRED'],
      [
        'a bearer token without sessions',
        { authorization: `Bearer ${'a'.repeat(64)}` },
        401,
        'GW_PROVIDER_AUTH_REQUIRED',
      ],
      [
        'a stale signature',
        { authorization: earningsAuthorization(keys[0] as (typeof keys)[number], tenMinutesAgo) },
        401,
        'GW_PROVIDER_AUTH_REQUIRED',
      ],
      ['a forged signature', { authorization: forged }, 401, 'GW_PROVIDER_AUTH_REQUIRED'],
      ['another provider', { authorization: earningsAuthorization(other, systemClock) }, 403, 'GW_PROVIDER_FORBIDDEN'],
      ['the operator token', auth, 401, 'GW_PROVIDER_AUTH_REQUIRED'],
    ];
    for (const [what, headers, status, code] of cases) {
      for (const url of [
        `/v1/providers/${p}/earnings`,
        `/v1/providers/${p}/earnings.csv`,
        `/v1/providers/${p}/earnings/1/proof`,
      ]) {
        const r = await app.inject({ url, headers });
        t.equal(r.statusCode, status, `${what}: ${url.slice(-20)}`);
        t.equal(r.json().code, code);
        t.notMatch(r.body, /query-share|paidConfirmed/, 'nothing of the statement leaks');
      }
    }
    t.equal((await app.inject({ url: `/v1/providers/${p}/earnings`, headers: signed(0) })).statusCode, 200);
  });

  t.test('unknown cycles and addresses', async (t) => {
    const missing = await app.inject({ url: '/v1/rewards/cycles/99', headers: auth });
    t.equal(missing.statusCode, 404);
    t.equal(missing.json().code, 'GW_REWARD_CYCLE_NOT_FOUND');
    const strangerKey = generateKeyPair();
    const stranger = strangerKey.address;
    const own = { authorization: earningsAuthorization(strangerKey, systemClock) };
    const e = (await app.inject({ url: `/v1/providers/${stranger}/earnings`, headers: own })).json();
    t.same(e.totals, { earned: '0', paid: '0', paidConfirmed: '0', carried: '0' }, 'no earnings, all zero');
    const proof = await app.inject({ url: `/v1/providers/${stranger}/earnings/1/proof`, headers: own });
    t.equal(proof.statusCode, 404);
    const bad = await app.inject({ url: `/v1/providers/${stranger}/earnings?fromCycle=zero`, headers: own });
    t.equal(bad.statusCode, 400);
    const again = await app.inject({ method: 'POST', url: '/v1/rewards/cycles', headers: auth });
    t.same(again.json(), { cycles: [] }, 'a run with nothing to do touches no cycle');
  });
});
