// Provider portal against the whole gateway (its own HTTP server and plugin table), the local metagraph node and a
// real rewards cycle: a provider signs in with their keystore file, sees what a paid query earned them after
// `datagraph rewards run` and which query used their rows, erases, and later quotes no longer count their rows.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encryptKeystore, formatTokens, type KeyPair } from '@datagraph/protocol';
import { dag4 } from '@stardust-collective/dag4';
import { chromium } from 'playwright-core';
import t from 'tap';
import { runRewardsCommand } from '../../src/cli/rewards/runRewardsCommand.ts';
import { earningsAuthorization } from '../../src/http/rewards/providerAuth.ts';
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

const SHOTS = join(import.meta.dirname, 'screenshots');

t.test('earnings after a rewards cycle, the query that used the rows, erase and later quotes', async (t) => {
  execFileSync(join(import.meta.dirname, '../../scripts/ensure-chromium.sh'), { stdio: 'inherit' });
  mkdirSync(SHOTS, { recursive: true });
  const dir = tempDir('portal-earn');
  const researcher = generateKeyPair();
  const treasury = generateKeyPair();
  const gatewayKey = generateKeyPair();
  const gwDir = join(dir, 'gw');
  const { node, gw } = await startLedgerAndGateway(dir, {
    researcher,
    gatewayKey,
    treasuryKey: treasury,
    masterKeyHex: '44'.repeat(32),
    configure: (config) => {
      Object.assign(config.research, { minProviders: 3, paymentWaitMs: 1500, paymentPollMs: 150 });
      Object.assign(config.rewards, { intervalMs: 0, feeBps: 500, minPayoutBaseUnits: '1', pollMs: 100 });
    },
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.teardown(async () => {
    await browser.close();
    await gw.close();
    await node.close();
    cleanup(dir);
  });
  const api = restClient(gw.urls.http);

  // Four providers, each device sends 1 + i committed hourly updates over MQTT; provider 0 uses the portal.
  const providers: { key: KeyPair; rows: number }[] = [];
  const base = (Math.floor(Date.now() / 1000 / HOUR) - 24) * HOUR;
  for (let i = 0; i < 4; i++) {
    const key = generateKeyPair();
    const device = generateKeyPair();
    t.equal((await registerProvider(gw, key, [device])).status, 201);
    const d = await TestDevice.connect(gw.urls.mqtt, device);
    const ids: string[] = [];
    for (let h = 0; h <= i; h++) {
      const start = base + h * HOUR;
      const u = makeUpdate(device, key, h + 1, { window: { start, end: start + HOUR }, fields: { steps: 700 + i } });
      await d.publish(u);
      ids.push(u.body.id);
    }
    for (const id of ids) await d.ackFor(id, 'committed');
    await d.close();
    providers.push({ key, rows: i + 1 });
  }
  const me = providers[0] as { key: KeyPair; rows: number };

  // A paid query and one rewards cycle.
  const quote = await api('/v1/quotes', { fields: ['steps'], cadence: 'hourly' });
  t.equal(quote.status, 201, quote.text);
  t.equal(quote.json.rows, 10);
  const client = dag4.createAccount(researcher.privateKey).createMetagraphTokenClient({
    id: 'datagraph',
    metagraphId: 'datagraph',
    l0Url: node.urls.l0,
    l1Url: node.urls.l1,
    beUrl: node.urls.be,
  } as never);
  const sent = (await client.transfer(quote.json.payTo, Number(formatTokens(BigInt(quote.json.price))), 0)) as {
    hash: string;
  };
  const created = await api('/v1/queries', { quoteId: quote.json.quoteId, txHash: sent.hash });
  t.ok(created.status === 201 || created.status === 202, created.text);
  const queryId = created.json.queryId as string;
  await waitFor(async () => {
    const r = await api(`/v1/queries/${queryId}`, undefined, created.json.token);
    return r.json?.status === 'complete';
  }, 'the query to complete');
  const lines: string[] = [];
  const errs: string[] = [];
  const run = await runRewardsCommand(
    ['run', '--gateway', gw.urls.http, '--data-dir', gwDir],
    {},
    {
      log: (s) => lines.push(s),
      error: (s) => errs.push(s),
    },
  );
  t.equal(run, 0, errs.join('\n'));
  const auth = earningsAuthorization(me.key, { now: () => Date.now() });
  const statement = (await api(`/v1/providers/${me.key.address}/earnings`, undefined, undefined, auth)).json;
  t.not(statement.totals.earned, '0', 'the provider earned something');

  // The provider signs in with their keystore file in the gateway's own portal.
  const keystorePath = join(dir, 'me.json');
  writeFileSync(keystorePath, JSON.stringify(await encryptKeystore(me.key.privateKey, 'my long passphrase')));
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  page.setDefaultTimeout(60_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${gw.urls.http}/portal/`);
  await page.getByLabel('Keystore file').setInputFiles(keystorePath);
  await page.locator('form[aria-labelledby="open-title"]').getByLabel('Password').fill('my long passphrase');
  await page.getByRole('button', { name: 'Unlock and sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const tokens = (v: string) => formatTokens(BigInt(v));
  t.equal(
    Number(await page.getByTestId('earned').textContent()),
    Number(tokens(statement.totals.earned)),
    'earned as in the statement',
  );
  const row = page.locator('table.usage tbody tr').filter({ hasText: queryId });
  t.equal(await row.count(), 1, 'the query that used the rows is listed');
  t.match(await row.textContent(), new RegExp(`${me.rows}`));
  t.ok((await page.locator('svg.chart').count()) === 2, 'shared and earned charts');
  await page.screenshot({ path: join(SHOTS, 'overview-earnings-desktop.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, 'overview-earnings-phone.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 860 });

  // Erase: the vault holds nothing of theirs, and a later quote counts only the others' rows.
  await page.getByRole('link', { name: 'Privacy' }).click();
  await page.getByRole('button', { name: 'Erase my data…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Yes, erase my data' }).click();
  await page.getByText('Erase my data: done').waitFor();
  t.equal(await gw.vault.rowCount(me.key.address), 0, 'vault empty for the provider');
  const later = await api('/v1/quotes', { fields: ['steps'], cadence: 'hourly' });
  t.equal(later.status, 201, later.text);
  t.equal(later.json.rows, 10 - me.rows, "a later quote leaves the erased provider's rows out");
  t.equal(later.json.providers, 3);
  t.same(pageErrors, [], 'no script error in the page');
});
