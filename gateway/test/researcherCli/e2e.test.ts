// Issue 6 acceptance 1 from the researcher's terminal, against the gateway's own server (gateway/src/http,
// gateway/src/research) and a real local node: a genesis-funded wallet quotes, buys with a dag4 transfer from its
// keystore, downloads (interrupted by a proxy that cuts the connection, then resumed) and verifies; any changed
// byte then fails verify naming the row. Uses the research fixture of gateway/test/research.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { decryptKeystore, encryptKeystore, parseBaseUnits } from '@datagraph/protocol';
import t from 'tap';
import { tempDir } from '../helpers.ts';
import { type Fixture, startFixture } from '../research/researchFixture.ts';
import { researcher } from './cliHarness.ts';

const env = { DG_PASSPHRASE: 'correct horse battery staple' };

/** A forwarding proxy in front of the gateway that destroys the connection after `cut` body bytes, once. */
async function cuttingProxy(target: string, cut: number) {
  let armed = true;
  const server = createServer(async (req, res) => {
    const up = await fetch(`${target}${req.url}`, { headers: { authorization: req.headers.authorization ?? '' } });
    res.writeHead(up.status, Object.fromEntries([...up.headers].filter(([k]) => k !== 'transfer-encoding')));
    let sent = 0;
    for await (const chunk of up.body as unknown as AsyncIterable<Uint8Array>) {
      if (armed && sent + chunk.length >= cut) {
        armed = false;
        res.write(chunk.subarray(0, cut - sent), () => setImmediate(() => res.socket?.destroy()));
        return;
      }
      sent += chunk.length;
      res.write(chunk);
    }
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function lastRefOrdinal(f: Fixture): Promise<number> {
  const r = await fetch(`${f.node.urls.l1}/transactions/last-reference/${f.researcher.address}`);
  return ((await r.json()) as { ordinal: number }).ordinal;
}

t.test('quote, buy, download (cut and resumed), verify from the CLI against the real gateway', async (t) => {
  const f = await startFixture();
  const dir = tempDir('rcli-e2e');
  t.teardown(() => f.close());

  const keystore = join(dir, 'researcher.json');
  const state = join(dir, 'state.json');
  const ledger = ['--l0-url', f.node.urls.l0, '--l1-url', f.node.urls.l1, '--metagraph-id', 'datagraph'];
  const base = ['--keystore', keystore, '--state', state, '--gateway', f.gw.urls.http, ...ledger];

  // init makes a fresh keystore (and never overwrites one); the genesis-funded wallet is then imported as a keystore
  const init = await researcher(['init', '--keystore', join(dir, 'fresh.json')], env);
  t.equal(init.code, 0, init.err);
  const made = JSON.parse(init.out) as { address: string };
  t.equal(
    (await decryptKeystore(JSON.parse(readFileSync(join(dir, 'fresh.json'), 'utf8')), env.DG_PASSPHRASE)).address,
    made.address,
  );
  t.equal((await researcher(['init', '--keystore', join(dir, 'fresh.json')], env)).code, 1, 'never overwrites a key');
  writeFileSync(keystore, JSON.stringify(await encryptKeystore(f.researcher.privateKey, env.DG_PASSPHRASE)));

  const bad = await researcher(['quote', '--fields', 'steps,nope', '--cadence', 'weekly', ...base], env);
  t.equal(bad.code, 1);
  t.match(bad.err, /'nope' is not in the catalogue.*'weekly' is not profile, daily or hourly.*PR_SCHEMA/);
  const belowK = await researcher(['quote', '--fields', 'steps', '--gender', 'female', ...base], env);
  t.equal(belowK.code, 1);
  t.match(belowK.err, /GW_QUOTE_BELOW_K/);

  const q = await researcher(['quote', '--fields', 'steps,heart_rate_avg', '--cadence', 'hourly', ...base], env);
  t.equal(q.code, 0, q.err);
  const quote = JSON.parse(q.out) as {
    quoteId: string;
    rows: number;
    providers: number;
    price: string;
    priceTokens: string;
    payTo: string;
  };
  t.match(quote, { payTo: f.treasury.address, providers: 12, rows: 36 });
  t.equal(quote.priceTokens, (Number(parseBaseUnits(quote.price)) / 1e8).toString(), 'price shown in tokens too');

  const refBefore = await lastRefOrdinal(f);
  const wrongPass = await researcher(['buy', quote.quoteId, ...base], { DG_PASSPHRASE: 'not the passphrase' });
  t.equal(wrongPass.code, 1);
  t.match(wrongPass.err, /PR_KEYSTORE_PASSWORD/);
  // an expired quote is refused before any payment
  const stale = await researcher(['quote', '--fields', 'steps', ...base], env);
  const staleId = (JSON.parse(stale.out) as { quoteId: string }).quoteId;
  const saved = JSON.parse(readFileSync(state, 'utf8'));
  saved.quotes[staleId].expiresAt = Math.floor(Date.now() / 1000) - 1;
  writeFileSync(state, JSON.stringify(saved));
  const expired = await researcher(['buy', staleId, ...base], env);
  t.equal(expired.code, 1);
  t.match(expired.err, /GW_QUOTE_EXPIRED/);
  t.equal(await lastRefOrdinal(f), refBefore, 'nothing was paid for a wrong passphrase or an expired quote');

  const buy = await researcher(['buy', quote.quoteId, ...base], env);
  t.equal(buy.code, 0, buy.err);
  const bought = JSON.parse(buy.out) as { queryId: string; status: string; txHash: string; rows: number };
  t.match(bought, { status: 'complete', rows: 36 });
  t.match(buy.err, new RegExp(`paid ${quote.priceTokens} tokens \\(${quote.price} base units\\) to ${quote.payTo}`));
  t.equal(await lastRefOrdinal(f), refBefore + 1, 'one transfer');
  const status = await f.api(`/v1/queries/${bought.queryId}`, {
    token: JSON.parse(readFileSync(state, 'utf8')).queries[bought.queryId].token,
  });
  t.match(
    status.body,
    { payment: { amount: quote.price, payer: f.researcher.address } },
    'paid exactly the quoted base units',
  );

  const again = await researcher(['buy', quote.quoteId, ...base], env);
  t.equal(again.code, 0, again.err);
  t.match(again.err, /already paid for this quote/);
  t.equal(await lastRefOrdinal(f), refBefore + 1, 'buying the same quote again pays nothing more');

  for (const format of ['csv', 'ndjson'] as const) {
    const out = join(dir, `data.${format}`);
    const proxy = await cuttingProxy(f.gw.urls.http, 5000);
    t.teardown(() => {
      proxy.server.closeAllConnections();
      proxy.server.close();
    });
    const cut = await researcher([
      'download',
      bought.queryId,
      '--format',
      format,
      '--out',
      out,
      '--gateway',
      proxy.url,
      '--state',
      state,
    ]);
    t.equal(cut.code, 1, 'the cut download fails');
    t.match(cut.err, /download interrupted after \d+ rows/);
    const partialRows = Number(/interrupted after (\d+) rows/.exec(cut.err)?.[1]);
    t.ok(partialRows > 0 && partialRows < 36, `cut after ${partialRows} rows`);
    const resumed = await researcher(['download', bought.queryId, '--format', format, '--out', out, '--state', state]);
    t.equal(resumed.code, 0, resumed.err);
    t.match(JSON.parse(resumed.out), { rows: 36, added: 36 - partialRows });
    t.match(resumed.err, /\] 36\/36 rows/);

    const direct = await f.api(`/v1/queries/${bought.queryId}/data?format=${format}`, {
      token: JSON.parse(readFileSync(state, 'utf8')).queries[bought.queryId].token,
    });
    const expected =
      format === 'csv'
        ? direct.text
        : `${direct.text
            .split('\n')
            .filter((l) => l && !l.startsWith('{"trailer"'))
            .join('\n')}\n`;
    t.equal(readFileSync(out, 'utf8'), expected, `${format}: the resumed file is the dataset, byte for byte`);

    const v = await researcher(['verify', out, '--l0-url', f.node.urls.l0]);
    t.equal(v.code, 0, v.out + v.err);
    t.match(v.out, /^OK: 36 rows, 36 verified, 0 failing/m);

    const bytes = readFileSync(out);
    const lines = bytes.toString('utf8').split(format === 'csv' ? '\r\n' : '\n');
    const k = 17;
    const at =
      Buffer.byteLength(lines.slice(0, k + (format === 'csv' ? 1 : 0)).join(format === 'csv' ? '\r\n' : '\n')) +
      (format === 'csv' ? 2 : 1) +
      30;
    bytes[at] = (bytes[at] as number) ^ 1;
    const tampered = join(dir, `tampered.${format}`);
    writeFileSync(tampered, bytes);
    const tv = await researcher(['verify', tampered, '--l0-url', f.node.urls.l0]);
    t.equal(tv.code, 1, 'one changed byte fails verify');
    t.match(tv.out, new RegExp(`^row ${k} \\(`, 'm'), 'naming the row');
    t.match(tv.out, /^FAILED: 36 rows, 35 verified, 1 failing/m);
  }
});
