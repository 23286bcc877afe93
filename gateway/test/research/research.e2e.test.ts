// Issue 6 acceptance 1 to 4 with the real local node and the real gateway: quote, pay with dag4 from a
// genesis-funded wallet, download and verify every row against the ledger; refused and pending payments;
// k providers; revocation and erasure; usage and the QueryReceipt on the ledger.
import { randomBytes } from 'node:crypto';
import {
  DatasetReader,
  type DatasetRow,
  merkleRoot,
  type Quote,
  verifyDatasetRow,
  verifyMerkleProof,
} from '@datagraph/protocol';
import t from 'tap';
import { payerAuthorization } from '../../src/research/payerAuthorization.ts';
import { TreasuryClient } from '../../src/rewards/TreasuryClient.ts';
import { policyFor, registerProvider, waitFor } from '../helpers.ts';
import { type Fixture, HOURLY_PER_PROVIDER, PER_ROW, PROVIDERS, startFixture } from './researchFixture.ts';

let f: Fixture;

async function entriesRoot(ordinal: number): Promise<string | undefined> {
  const r = await fetch(`${f.node.urls.l0}/snapshots/${ordinal}`);
  if (!r.ok) return undefined;
  const s = (await r.json()) as { value: { dataApplication?: { onChainState?: { entriesRoot?: string } } } };
  return s.value.dataApplication?.onChainState?.entriesRoot;
}

function readRows(text: string, format: 'ndjson' | 'csv'): { rows: DatasetRow[]; problems: unknown[] } {
  const reader = new DatasetReader(format);
  const records = [...reader.push(text), ...reader.end()];
  return { rows: records.flatMap((r) => (r.row ? [r.row] : [])), problems: records.flatMap((r) => r.problems) };
}

async function verifyAll(rows: DatasetRow[]): Promise<string[]> {
  const roots = new Map<number, string | undefined>();
  for (const r of rows) if (!roots.has(r.ordinal)) roots.set(r.ordinal, await entriesRoot(r.ordinal));
  return rows.flatMap((r) => verifyDatasetRow(r, (o) => roots.get(o)).map((p) => `${r.row}: ${p.code}`));
}

async function quote(body: Record<string, unknown>): Promise<Quote> {
  const r = await f.api('/v1/quotes', { body });
  if (r.status !== 201) throw new Error(`quote: ${r.status} ${r.text}`);
  return r.body as Quote;
}

t.before(async () => {
  f = await startFixture();
});
t.teardown(() => f?.close());

t.test('catalogue: counts of committed rows and providers per field and cadence, no values', async (t) => {
  const r = await f.api('/v1/catalog');
  t.equal(r.status, 200);
  const steps = r.body.fields.find((x: { name: string }) => x.name === 'steps');
  t.match(steps, {
    unit: 'steps',
    cadence: 'hourly',
    loinc: '55423-8',
    rows: PROVIDERS * HOURLY_PER_PROVIDER,
    providers: PROVIDERS,
  });
  t.match(
    r.body.fields.find((x: { name: string }) => x.name === 'gender'),
    { rows: PROVIDERS, providers: PROVIDERS },
  );
  t.match(
    r.body.cadences.find((c: { cadence: string }) => c.cadence === 'hourly'),
    { rows: PROVIDERS * HOURLY_PER_PROVIDER },
  );
  t.equal(r.body.minProviders, 10);
  t.notOk(/"(salt|heart_rate_avg)":\s*\d/.test(r.text), 'no value appears');
});

t.test('REST plumbing: error shape, request ids, OpenAPI and docs served offline', async (t) => {
  const bad = await f.api('/v1/quotes', { body: { fields: ['no_such_field'] } });
  t.equal(bad.status, 400);
  t.match(bad.body, { statusCode: 400, code: 'PR_SCHEMA', error: 'Bad Request', message: /fields/ });
  const missing = await f.api('/v1/nothing');
  t.match(missing.body, { statusCode: 404, code: 'GW_NOT_FOUND', error: 'Not Found' });
  const echoed = await fetch(`${f.gw.urls.http}/healthz`, { headers: { 'x-request-id': 'req-123' } });
  t.equal(echoed.headers.get('x-request-id'), 'req-123', 'a given request id is echoed');
  const made = await fetch(`${f.gw.urls.http}/healthz`);
  t.match(made.headers.get('x-request-id'), /^[0-9a-f-]{36}$/, 'one is made when none is given');
  const spec = await f.api('/openapi.json');
  t.equal(spec.status, 200);
  t.ok(spec.body.paths['/v1/quotes'].post.requestBody, 'quotes body documented from the zod schema');
  t.ok(spec.body.paths['/v1/queries/{id}/data'], 'data route documented');
  const docs = await fetch(`${f.gw.urls.http}/docs/static/swagger-ui-bundle.js`);
  t.equal(docs.status, 200, 'swagger-ui assets come from node_modules');
  t.ok((await docs.text()).length > 100_000);
});

t.test('acceptance 3a: fewer than k providers is refused before payment', async (t) => {
  const r = await f.api('/v1/quotes', { body: { fields: ['steps'], filters: { gender: 'female' } } });
  t.equal(r.status, 422);
  t.match(r.body, { code: 'GW_QUOTE_BELOW_K', details: { providers: PROVIDERS / 2, minProviders: 10 } });
  const few = await f.api('/v1/quotes', { body: { fields: ['steps'], limit: 5 } });
  t.match(few.body, { code: 'GW_QUOTE_BELOW_K' }, 'a limit that leaves fewer than k providers too');
});

let paidTx = '';
let bought: { queryId: string; token: string; quote: Quote };

t.test('acceptance 1 and 4: quote, pay with dag4, download, every row verifies; usage and receipt match', async (t) => {
  const q = await quote({ fields: ['steps', 'heart_rate_avg'] });
  t.match(q, {
    rows: PROVIDERS * HOURLY_PER_PROVIDER,
    providers: PROVIDERS,
    payTo: f.treasury.address,
    cadence: 'hourly',
  });
  t.equal(q.price, (BigInt(q.rows) * PER_ROW).toString(), 'price = rows x perRowBaseUnits');
  paidTx = await f.pay(q.payTo, BigInt(q.price));
  const { status, token } = await f.buyAndSettle(q.quoteId, paidTx);
  t.match(status, {
    status: 'complete',
    rows: q.rows,
    providers: PROVIDERS,
    payment: { amount: q.price, payer: f.researcher.address },
  });
  bought = { queryId: status.queryId, token, quote: q };

  const nd = await f.api(`/v1/queries/${status.queryId}/data?format=ndjson`, { token });
  t.equal(nd.status, 200);
  const { rows, problems } = readRows(nd.text, 'ndjson');
  t.same(problems, []);
  t.equal(rows.length, q.rows);
  t.same(await verifyAll(rows), [], 'every row checks against the ledger');
  const last = JSON.parse(nd.text.trim().split('\n').at(-1) as string);
  t.match(last.trailer, { queryId: status.queryId, released: q.rows, withheld: 0, nextOffset: q.rows });

  // once the dataset is prepared (in the background after payment), downloads read it: the same bytes
  const ready = await waitFor(async () => {
    const r = await f.api(`/v1/queries/${status.queryId}`, { token });
    return r.body.dataset?.state === 'prepared' ? r.body : undefined;
  }, 'dataset prepared');
  t.match(ready, { status: 'complete', dataset: { state: 'prepared' } });
  const again = await f.api(`/v1/queries/${status.queryId}/data?format=ndjson`, { token });
  t.equal(again.headers.get('x-dg-source'), 'prepared');
  t.equal(again.text, nd.text, 'the prepared dataset gives the same bytes');
  const metrics = (await f.api('/metrics')).text;
  t.match(metrics, /dg_gateway_datasets_prepared_total\{outcome="prepared"\} [1-9]/);
  t.match(metrics, /dg_gateway_dataset_downloads_total\{source="prepared",format="ndjson"\} [1-9]/);

  // the node's own proof route agrees with what the gateway stored
  const one = rows[0] as DatasetRow;
  const ledgerProof = (await (
    await fetch(`${f.node.urls.l0}/data-application/entries/${one.commitment}/proof`)
  ).json()) as {
    entriesRoot: string;
  };
  t.equal(one.entriesRoot, ledgerProof.entriesRoot);
  t.ok(verifyMerkleProof(one.commitment, one.merkle, ledgerProof.entriesRoot));

  const csv = await f.api(`/v1/queries/${status.queryId}/data?format=csv`, { token });
  t.match(csv.headers.get('content-type'), /text\/csv/);
  t.equal(csv.headers.get('x-dg-source'), 'prepared', 'CSV is written from the prepared dataset too');
  const fromCsv = readRows(csv.text, 'csv');
  t.same(fromCsv.problems, []);
  t.same(await verifyAll(fromCsv.rows), [], 'CSV rows verify too');
  t.same(
    fromCsv.rows.map((r) => r.commitment),
    rows.map((r) => r.commitment),
  );

  const resumed = await f.api(`/v1/queries/${status.queryId}/data?offset=30`, { token });
  const tail = readRows(resumed.text, 'ndjson');
  t.same(
    tail.rows.map((r) => r.commitment),
    rows.slice(30).map((r) => r.commitment),
    'offset resumes',
  );

  const tampered = rows.map((r, i) =>
    i === 7 ? { ...r, body: { ...r.body, fields: { ...r.body.fields, steps: 99999 } } } : r,
  );
  t.match(await verifyAll(tampered), ['7: PR_COMMITMENT_MISMATCH'], 'a changed value is caught, naming the row');

  // acceptance 4: every released row recorded against the query; the receipt on the ledger matches
  const usage: string[] = [];
  for await (const u of f.gw.research.usage(status.queryId)) usage.push(u.commitment);
  t.same(
    usage,
    rows.map((r) => r.commitment),
    'usage = released rows, in order',
  );
  const done = await waitFor(async () => {
    const r = await f.api(`/v1/queries/${status.queryId}`, { token });
    return r.body.receipt.status === 'committed' ? r.body : undefined;
  }, 'receipt on the ledger');
  const onLedger = (await (
    await fetch(`${f.node.urls.l0}/data-application/receipts/${status.queryId}`)
  ).json()) as Record<string, unknown>;
  const receipt = onLedger.receipt ?? onLedger;
  t.match(JSON.stringify(receipt), merkleRoot(usage), 'ledger receipt carries the usage root');
  t.equal(done.receipt.usageRoot, merkleRoot(usage));
  t.match(JSON.stringify(receipt), `"rows":${usage.length}`);
  t.match(JSON.stringify(receipt), paidTx);

  // the rewards engine's view of the same query
  const paid = [];
  for await (const p of f.gw.research.undistributed()) paid.push(p);
  const mine = paid.find((p) => p.queryId === status.queryId);
  t.equal(mine?.amount, BigInt(q.price));
  t.equal(mine?.rows.length, usage.length);
});

t.test('access is bound to the query token', async (t) => {
  const none = await f.api(`/v1/queries/${bought.queryId}/data`);
  t.match(none, { status: 401, body: { code: 'GW_QUERY_UNAUTHORIZED' } });
  const wrong = await f.api(`/v1/queries/${bought.queryId}`, { token: 'x'.repeat(43) });
  t.match(wrong, { status: 401, body: { code: 'GW_QUERY_UNAUTHORIZED' } });

  // or a request signed by the payer's key
  const signedBy = async (key: typeof f.researcher, at = Date.now()) =>
    fetch(`${f.gw.urls.http}/v1/queries/${bought.queryId}`, {
      headers: { authorization: payerAuthorization(key, bought.queryId, at) },
    });
  const payer = await signedBy(f.researcher);
  t.equal(payer.status, 200, 'the payer may read the query');
  t.match(await payer.json(), { queryId: bought.queryId, status: 'complete' });
  t.equal((await signedBy(f.treasury)).status, 401, 'another key may not');
  t.equal((await signedBy(f.researcher, Date.now() - 600_000)).status, 401, 'a stale signature may not');
});

t.test('acceptance 2: reused, short, misdirected, expired, never confirming', async (t) => {
  const q = await quote({ fields: ['steps'] });
  const reused = await f.api('/v1/queries', { body: { quoteId: q.quoteId, txHash: paidTx } });
  t.match(reused, { status: 409, body: { code: 'GW_PAYMENT_REUSED' } }, 'the same payment twice');

  // short, as a signed transaction the gateway forwards to the currency L1 (the researcher's key stays theirs)
  const wallet = new TreasuryClient(
    { l0Url: f.node.urls.l0, l1Url: f.node.urls.l1, beUrl: f.node.urls.be },
    f.researcher.privateKey,
  );
  const [signed] = await wallet.signTransfers(
    [{ destination: q.payTo, amount: BigInt(q.price) - 1n }],
    await wallet.lastReference(),
  );
  const short = await f.api('/v1/queries', { body: { quoteId: q.quoteId, signedTransaction: signed?.signed } });
  const shortDone =
    short.status === 202
      ? await waitFor(async () => {
          const r = await f.api('/v1/queries', { body: { quoteId: q.quoteId, txHash: signed?.hash } });
          return r.status !== 202 ? r : undefined;
        }, 'short payment to settle')
      : short;
  t.match(shortDone, { status: 402, body: { code: 'GW_PAYMENT_SHORT' } }, 'a short amount');

  const q2 = await quote({ fields: ['steps'] });
  const elsewhere = await f.pay(
    f.researcher.address === q2.payTo ? f.treasury.address : randomWallet(),
    BigInt(q2.price),
  );
  const wrong = await settleRefusal(q2.quoteId, elsewhere);
  t.match(wrong, { status: 402, body: { code: 'GW_PAYMENT_WRONG_DESTINATION' } }, 'a wrong destination');

  const q3 = await quote({ fields: ['steps'] });
  const rec = await f.gw.research.quote(q3.quoteId);
  await f.gw.store.write([
    { type: 'put', sub: 'quotes', key: q3.quoteId, value: { ...rec, expiresAt: Math.floor(Date.now() / 1000) - 60 } },
  ]);
  const late = await f.pay(q3.payTo, BigInt(q3.price));
  t.match(
    await settleRefusal(q3.quoteId, late),
    { status: 410, body: { code: 'GW_QUOTE_EXPIRED' } },
    'an expired quote',
  );

  const q4 = await quote({ fields: ['steps'] });
  const ghost = randomBytes(32).toString('hex');
  const pending = await f.api('/v1/queries', { body: { quoteId: q4.quoteId, txHash: ghost } });
  t.match(
    pending,
    { status: 202, body: { status: 'pending', code: 'GW_PAYMENT_PENDING' } },
    'a transaction that never confirms',
  );
  const data = await f.api(`/v1/queries/${pending.body.queryId}/data`, { token: pending.body.token });
  t.match(data, { status: 409, body: { code: 'GW_PAYMENT_PENDING' } }, 'no data without a confirmed payment');
});

function randomWallet(): string {
  return f.providers[0]?.key.address as string;
}

async function settleRefusal(quoteId: string, txHash: string) {
  return waitFor(async () => {
    const r = await f.api('/v1/queries', { body: { quoteId, txHash } });
    return r.status !== 202 ? r : undefined;
  }, 'payment to settle');
}

t.test(
  'acceptance 3b: rows of a provider who revoked or erased are never released after it is processed',
  async (t) => {
    const before = await quote({ fields: ['steps'] }); // quoted while all 12 share
    await f.stop(0, 'RevokeConsent');
    await f.stop(1, 'EraseData');
    const gone = new Set([f.providers[0]?.key.address, f.providers[1]?.key.address]);

    // bought before: withheld at download, counted in the trailer
    const nd = await f.api(`/v1/queries/${bought.queryId}/data`, { token: bought.token });
    t.equal(nd.headers.get('x-dg-source'), 'prepared', 'read from the dataset prepared before the stops');
    const { rows } = readRows(nd.text, 'ndjson');
    t.equal(rows.filter((r) => gone.has(r.body.provider)).length, 0, 'none of their rows');
    t.equal(rows.length, (PROVIDERS - 2) * HOURLY_PER_PROVIDER);
    t.match(JSON.parse(nd.text.trim().split('\n').at(-1) as string).trailer, { withheld: 2 * HOURLY_PER_PROVIDER });
    t.same(await verifyAll(rows), []);

    // quoted before, paid after: never recorded, never released
    const tx = await f.pay(before.payTo, BigInt(before.price));
    const { status, token } = await f.buyAndSettle(before.quoteId, tx);
    t.match(status, { status: 'complete', providers: PROVIDERS - 2, rows: (PROVIDERS - 2) * HOURLY_PER_PROVIDER });
    const later = readRows((await f.api(`/v1/queries/${status.queryId}/data`, { token })).text, 'ndjson');
    t.equal(later.rows.filter((r) => gone.has(r.body.provider)).length, 0);

    // new quotes and the catalogue no longer count them
    const after = await quote({ fields: ['steps'] });
    t.equal(after.providers, PROVIDERS - 2);
    const cat = await f.api('/v1/catalog');
    t.match(
      cat.body.fields.find((x: { name: string }) => x.name === 'steps'),
      { providers: PROVIDERS - 2 },
    );
    // one more stop leaves fewer than k: refused before payment
    await f.stop(2, 'RevokeConsent');
    const below = await f.api('/v1/quotes', { body: { fields: ['steps'] } });
    t.match(below, { status: 422, body: { code: 'GW_QUOTE_BELOW_K', details: { providers: PROVIDERS - 3 } } });

    // sharing anew (a higher policy version) does not bring rows made before the revocation back
    const p0 = f.providers[0] as Fixture['providers'][number];
    const again = await registerProvider(f.gw, p0.key, [p0.device], policyFor(p0.key, 2, { steps: ['hourly'] }));
    t.equal(again.status, 201);
    const still = await f.api('/v1/quotes', { body: { fields: ['steps'] } });
    t.match(still, { status: 422, body: { details: { providers: PROVIDERS - 3 } } }, 'old rows stay unsold');
    const cat2 = await f.api('/v1/catalog');
    t.match(
      cat2.body.fields.find((x: { name: string }) => x.name === 'steps'),
      { providers: PROVIDERS - 3 },
    );
  },
);
