// Issue 7 acceptance 3, end to end with real components: the local metagraph node, the real gateway (MQTT broker,
// ingest, batcher, researcher REST API, rewards engine), 12 providers whose devices send signed updates over MQTT,
// a researcher who quotes over REST, pays the quote's payTo (the treasury) with a dag4 transfer from a
// genesis-funded wallet and buys the query over REST; then `datagraph rewards run` pays a cycle, and each
// provider's earnings in the statement API equal its balance change on the ledger.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encryptKeystore, formatTokens, type KeyPair, systemClock } from '@datagraph/protocol';
import { dag4 } from '@stardust-collective/dag4';
import t from 'tap';
import { runRewardsCommand } from '../../src/cli/rewards/runRewardsCommand.ts';
import { earningsAuthorization } from '../../src/http/rewards/providerAuth.ts';
import { TreasuryClient } from '../../src/rewards/TreasuryClient.ts';
import {
  cleanup,
  generateKeyPair,
  HOUR,
  makeUpdate,
  registerProvider,
  restClient,
  startLedgerAndGateway,
  TestDevice,
  tempDir,
  waitFor,
} from '../helpers.ts';

const PROVIDERS = 12;
const FEE_BPS = 500;

async function cli(argv: string[], env: Record<string, string | undefined> = {}) {
  const lines: string[] = [];
  const errors: string[] = [];
  const code = await runRewardsCommand(argv, env, { log: (s) => lines.push(s), error: (s) => errors.push(s) });
  return { code, out: lines.join('\n'), err: errors.join('\n') };
}

t.test('a paid query, a rewards cycle: statements equal ledger balance changes', async (t) => {
  const dir = tempDir('rewards-e2e');
  const researcher = generateKeyPair();
  const treasury = generateKeyPair();
  const gatewayKey = generateKeyPair();
  const gwDir = join(dir, 'gw');
  const { node, gw } = await startLedgerAndGateway(dir, {
    researcher,
    gatewayKey,
    treasuryKey: treasury,
    masterKeyHex: '33'.repeat(32),
    configure: (config) => {
      Object.assign(config.research, { minProviders: 10, paymentWaitMs: 1500, paymentPollMs: 150 });
      // No timer: the cycle runs when the test asks (`datagraph rewards run`), so the balances before are known.
      Object.assign(config.rewards, { intervalMs: 0, feeBps: FEE_BPS, minPayoutBaseUnits: '1', pollMs: 100 });
    },
  });
  t.teardown(async () => {
    await gw.close();
    await node.close();
    cleanup(dir);
  });
  const api = restClient(gw.urls.http);

  // Providers: provider i's device sends 1 + (i mod 3) signed hourly updates over MQTT, each committed on the ledger.
  const providers: { key: KeyPair; rows: number }[] = [];
  const base = (Math.floor(Date.now() / 1000 / HOUR) - 24) * HOUR;
  for (let i = 0; i < PROVIDERS; i++) {
    const key = generateKeyPair();
    const device = generateKeyPair();
    t.equal((await registerProvider(gw, key, [device])).status, 201);
    const d = await TestDevice.connect(gw.urls.mqtt, device);
    const rows = 1 + (i % 3);
    const ids: string[] = [];
    for (let h = 0; h < rows; h++) {
      const start = base + h * HOUR;
      const u = makeUpdate(device, key, h + 1, {
        window: { start, end: start + HOUR },
        fields: { steps: 500 + i, heart_rate_avg: 64 },
      });
      await d.publish(u);
      ids.push(u.body.id);
    }
    for (const id of ids) await d.ackFor(id, 'committed');
    await d.close();
    providers.push({ key, rows });
  }
  const totalRows = providers.reduce((a, p) => a + p.rows, 0);

  // The researcher: quote, pay payTo with dag4, buy.
  const quote = await api('/v1/quotes', { fields: ['steps'], cadence: 'hourly' });
  t.equal(quote.status, 201, quote.text);
  t.equal(quote.json.payTo, treasury.address, "the quote's payTo is the rewards treasury");
  t.equal(quote.json.rows, totalRows);
  t.equal(quote.json.providers, PROVIDERS);
  const price = BigInt(quote.json.price);
  const ledger = new TreasuryClient(
    { l0Url: node.urls.l0, l1Url: node.urls.l1, beUrl: node.urls.be },
    treasury.privateKey,
  );
  const before = new Map<string, bigint>();
  for (const p of providers) before.set(p.key.address, await ledger.balanceOf(p.key.address));
  const client = dag4.createAccount(researcher.privateKey).createMetagraphTokenClient({
    id: 'datagraph',
    metagraphId: 'datagraph',
    l0Url: node.urls.l0,
    l1Url: node.urls.l1,
    beUrl: node.urls.be,
  } as never);
  const sent = (await client.transfer(quote.json.payTo, Number(formatTokens(price)), 0)) as { hash: string };
  const created = await api('/v1/queries', { quoteId: quote.json.quoteId, txHash: sent.hash });
  t.ok(created.status === 201 || created.status === 202, created.text);
  const queryId = created.json.queryId as string;
  const status = await waitFor(async () => {
    const r = await api(`/v1/queries/${queryId}`, undefined, created.json.token);
    return r.json?.status !== 'pending' ? r.json : undefined;
  }, 'the query to settle');
  t.equal(status.status, 'complete');
  t.equal(status.rows, totalRows);
  await waitFor(async () => (await ledger.balance()) >= price, 'the payment in the treasury');

  // Not running without the operator token.
  const noToken = await cli(['run', '--gateway', gw.urls.http, '--data-dir', join(dir, 'elsewhere')]);
  t.equal(noToken.code, 1);
  t.match(noToken.err, /GW_OPERATOR_UNAUTHORIZED/);

  // datagraph rewards run: one cycle, paid and receipted.
  const run = await cli(['run', '--gateway', gw.urls.http, '--data-dir', gwDir]);
  t.equal(run.code, 0, run.err);
  const ran = JSON.parse(run.out);
  t.equal(ran.cycles.length, 1);
  t.match(ran.cycles[0], { cycle: 1, state: 'receipted', queries: 1 });
  const fee = (price * BigInt(FEE_BPS)) / 10_000n;
  t.equal(ran.cycles[0].fees, String(fee), 'fee = floor(amount * feeBps / 10000)');

  // Each provider: statement = balance change on the ledger; the share is for this query and its rows.
  let paid = 0n;
  for (const p of providers) {
    const e = await api(
      `/v1/providers/${p.key.address}/earnings`,
      undefined,
      undefined,
      earningsAuthorization(p.key, systemClock),
    );
    t.equal(e.status, 200);
    const change = (await ledger.balanceOf(p.key.address)) - (before.get(p.key.address) ?? 0n);
    t.equal(e.json.totals.paidConfirmed, String(change), `provider ${p.key.address.slice(0, 10)}: statement = ledger`);
    t.equal(e.json.totals.earned, String(change));
    const lines = e.json.cycles[0].lines;
    t.match(
      lines.find((l: { reason: string }) => l.reason === 'query-share'),
      { queryId, rows: p.rows, amount: String(change) },
    );
    t.match(
      lines.find((l: { reason: string }) => l.reason === 'paid'),
      { amount: String(change), txHashes: [/^[0-9a-f]{64}$/] },
    );
    paid += change;
  }
  t.equal(paid + fee, price, 'payments = payouts + fees to the base unit (nothing carried at minimum 1)');
  // An equal split over rows: a provider with 3 rows earns about 3 times one with 1 row.
  const statement = (p: KeyPair) =>
    api(`/v1/providers/${p.address}/earnings`, undefined, undefined, earningsAuthorization(p, systemClock));
  const one = await statement(providers[0]?.key as KeyPair);
  const three = await statement(providers[2]?.key as KeyPair);
  const perRow = (price - fee) / BigInt(totalRows);
  t.ok(BigInt(one.json.totals.paid) - perRow <= 1n, 'one row earns an equal share');
  t.ok(BigInt(three.json.totals.paid) - 3n * perRow <= 3n, 'three rows earn three shares');

  // Private: unsigned, refused. The CSV export, through the CLI (signed with the provider's keystore) and the route.
  const firstKey = providers[0]?.key as KeyPair;
  const first = firstKey.address;
  const unsigned = await api(`/v1/providers/${first}/earnings`);
  t.equal(unsigned.status, 401);
  t.equal(unsigned.json.code, 'GW_PROVIDER_AUTH_REQUIRED');
  const keystore = join(dir, 'provider-keystore.json');
  writeFileSync(keystore, JSON.stringify(await encryptKeystore(firstKey.privateKey, 'provider-pass')));
  const csv = await cli(['statement', '--csv', '--keystore', keystore, '--gateway', gw.urls.http], {
    DG_PASSPHRASE: 'provider-pass',
  });
  t.equal(csv.code, 0, csv.err);
  const route = await api(
    `/v1/providers/${first}/earnings.csv`,
    undefined,
    undefined,
    earningsAuthorization(firstKey, systemClock),
  );
  t.equal(`${csv.out}\n`, route.text, 'CLI CSV = route CSV');
  t.match(csv.out, /^provider,cycle,cycle_state,reason,query_id/);
  t.match(csv.out, new RegExp(`${first},1,receipted,query-share,${queryId},1,`));

  // The query store was told; the receipt is on the ledger; the status shows the cycle; nothing left to do.
  t.equal((await gw.research.query(queryId))?.distributedIn, 1, 'the query is marked distributed in cycle 1');
  const receipt = await waitFor(async () => {
    const r = await fetch(`${node.urls.dataL1}/data-application/reward-cycles/${gatewayKey.address}/1`);
    return r.ok ? await r.text() : undefined;
  }, 'the RewardCycle receipt on the ledger');
  t.match(receipt, new RegExp(`"payouts":"${price - fee}"|"payouts":${price - fee}`), 'receipt totals on the ledger');
  const st = await cli(['status', '--gateway', gw.urls.http, '--data-dir', gwDir]);
  t.equal(st.code, 0, st.err);
  t.match(st.out, `treasury ${treasury.address}`);
  t.match(st.out, /\n1 {2}receipted {2}1 {2}/);
  // The routes are in the OpenAPI document, the statement and operator routes marked as needing credentials.
  const openapi = await api('/openapi.json');
  t.equal(openapi.status, 200);
  for (const path of ['/v1/providers/{address}/earnings', '/v1/providers/{address}/earnings.csv', '/v1/rewards/status'])
    t.ok(openapi.json.paths[path]?.get?.security, `${path} in /openapi.json with security`);
  t.ok(openapi.json.paths['/v1/rewards/cycles']?.post, 'POST /v1/rewards/cycles in /openapi.json');
  const again = await cli(['run', '--gateway', gw.urls.http, '--data-dir', gwDir]);
  t.equal(again.code, 0);
  t.same(JSON.parse(again.out), { cycles: [] }, 'a second run pays nobody twice');
});
