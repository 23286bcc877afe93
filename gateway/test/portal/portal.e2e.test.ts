// Provider portal, end to end in Debian's Chromium (playwright-core, never a downloaded browser): sign up in
// the browser, pair a real agent (the SDK's createAgent over MQTT) with the code it prints, change consent and
// see the agent stop sending the removed field, see the shared-data chart, bad input (wrong pairing code, wrong
// keystore password, expired session) with clear messages, erase and see the vault empty. Screenshots of the
// main pages at desktop and phone sizes go to gateway/test/portal/screenshots/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Agent, createAgent } from '@datagraph/agent';
import { encodePairingCode, generateKeyPair, ManualClock, topics } from '@datagraph/protocol';
import Fastify from 'fastify';
import pino from 'pino';
import { chromium } from 'playwright-core';
import t from 'tap';
import { portalPlugin } from '../../src/http/portal/portalPlugin.ts';
import { cleanup, startTestGateway, tempDir, waitFor } from '../helpers.ts';

const SHOTS = join(import.meta.dirname, 'screenshots');
const H = 3_600_000;

t.test('sign up, pair, consent, chart, bad input, expired session, erase', async (t) => {
  execFileSync(join(import.meta.dirname, '../../scripts/ensure-chromium.sh'), { stdio: 'inherit' });
  mkdirSync(SHOTS, { recursive: true });
  const dir = tempDir('portal');
  const gw = await startTestGateway(join(dir, 'gw'));
  const portalClock = new ManualClock(Date.now());
  // The gateway's HTTP server registers portalPlugin from its plugin table; this test serves the same plugin
  // on its own origin and relays /v1/providers to the running gateway, exactly as the browser would post it.
  const app = Fastify();
  await app.register(portalPlugin, {
    deps: {
      registry: gw.registry,
      vault: gw.vault,
      store: gw.store,
      clock: portalClock,
      log: pino({ level: 'silent' }),
      sessionTtlMs: 10 * 60_000,
      distDir: join(dir, 'dist'),
    },
  });
  app.post<{ Params: { '*': string } }>('/v1/providers*', async (req, reply) => {
    const r = await fetch(`${gw.urls.http}${req.url}`, {
      method: 'POST',
      body: JSON.stringify(req.body),
      headers: { 'content-type': 'application/json' },
    });
    return reply
      .status(r.status)
      .type('application/json')
      .send(await r.text());
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
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
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  let agent: Agent | undefined;
  t.teardown(async () => {
    await agent?.close();
    await browser.close();
    await app.close();
    await gw.close();
    cleanup(dir);
  });
  // Every page: each control has a label, each button a name; on a phone nothing is wider than the screen.
  const shot = async (name: string) => {
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
    const unlabelled = await page.evaluate(() => [
      ...[...document.querySelectorAll('input, select, textarea')]
        .filter((e) => (e as HTMLInputElement).labels?.length === 0 && !e.getAttribute('aria-label'))
        .map((e) => e.outerHTML),
      ...[...document.querySelectorAll('button, a')]
        .filter((e) => !(e.textContent ?? '').trim() && !e.getAttribute('aria-label'))
        .map((e) => e.outerHTML),
    ]);
    t.same(unlabelled, [], `${name}: every control is labelled`);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    t.ok(width <= 390, `${name}: fits a 390 px phone screen (${width} px)`);
    await page.setViewportSize({ width: 1280, height: 860 });
  };

  // Sign up: a key made and encrypted in the browser; the keystore file is downloaded.
  await page.goto(`${base}/portal/`);
  await page.getByRole('heading', { name: 'New here? Create a wallet' }).waitFor();
  await shot('signin');
  await page.getByLabel('Password', { exact: true }).first().fill('short');
  await page.getByLabel('Repeat the password').fill('short');
  await page.getByRole('button', { name: 'Create my wallet' }).click();
  await page.getByRole('alert').filter({ hasText: 'at least 8 characters' }).waitFor();
  // From the keyboard only: type, Tab to the next field, Enter submits.
  await page.getByLabel('Password', { exact: true }).first().fill('');
  await page.getByLabel('Repeat the password').fill('');
  await page.getByLabel('Password', { exact: true }).first().focus();
  await page.keyboard.type('correct horse battery');
  await page.keyboard.press('Tab');
  await page.keyboard.type('correct horse battery');
  await page.keyboard.press('Enter');
  const downloadP = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download my keystore file' }).click();
  const keystorePath = join(dir, 'keystore.json');
  await (await downloadP).saveAs(keystorePath);
  const keystore = JSON.parse(readFileSync(keystorePath, 'utf8')) as { version: number; crypto: { kdf: string } };
  t.equal(keystore.version, 3, 'a V3 keystore file');
  t.equal(keystore.crypto.kdf, 'scrypt');
  await page.getByRole('button', { name: 'Continue to my dashboard' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const provider = (await page.locator('header code.address').textContent())?.trim() ?? '';
  t.match(provider, /^DAG/, 'signed in as the new address');

  // Pair: a wrong code gets a clear message; the agent's code is accepted and leads to the consent editor.
  const device = generateKeyPair();
  await page.getByRole('link', { name: 'Devices' }).click();
  await page.getByLabel('Pairing code').fill('DG1-0000-1111');
  await page.getByRole('button', { name: 'Pair this device' }).click();
  await page.getByRole('alert').filter({ hasText: 'pairing code' }).waitFor();
  t.match(await page.getByRole('alert').textContent(), /PR_BAD_PAIRING_CODE/);
  await shot('devices-bad-code');
  await page.getByLabel('Pairing code').fill(encodePairingCode(device.publicKey).toLowerCase());
  await page.getByRole('button', { name: 'Pair this device' }).click();
  await page.getByRole('heading', { name: 'Consent' }).waitFor();
  t.ok(await page.getByLabel('Steps in the hour', { exact: true }).isChecked(), 'steps is proposed to start with');
  const hr = page.getByLabel('Average heart rate in the hour', { exact: true });
  await hr.focus();
  await page.keyboard.press('Space');
  t.ok(await hr.isChecked(), 'a checkbox from the keyboard');
  const hourly = page.locator('pre[data-cadence="hourly"]');
  t.match(await hourly.textContent(), /"heart_rate_avg"/, 'the preview shows the field that will leave');
  await shot('consent');
  await page.getByRole('button', { name: 'Sign and register' }).click();
  await page.getByText('Consent saved (version 1)').waitFor();
  t.equal(gw.registry.device(device.address)?.provider, provider, 'the gateway registered the device');

  // A real agent: receives the signed policy, shares both fields.
  const clock = new ManualClock(Math.floor(Date.now() / H) * H - 6 * H);
  agent = await createAgent({
    device,
    dataDir: join(dir, 'agent'),
    clock,
    logger: pino({ level: 'silent' }),
    provider,
    broker: { url: gw.urls.mqtt, reconnectPeriodMs: 100 },
  });
  await waitFor(() => agent?.policy?.version === 1, 'the agent holds policy 1');
  const sent: Record<string, unknown>[] = [];
  const feedHours = async (hours: number) => {
    let steps = 1000;
    const end = clock.now() + hours * H;
    while (clock.now() < end) {
      agent?.record({ hasValue: true, kind: 'heart_rate', value: 70, unit: 'bpm', at: clock.now() });
      steps += 40;
      agent?.record({ hasValue: true, kind: 'step_count', value: steps, unit: 'steps', at: clock.now() + 500 });
      await clock.advanceAsync(5 * 60_000, 30_000);
    }
    await agent?.closeDueWindows();
  };
  await feedHours(3);
  await waitFor(
    async () => (await gw.vault.rowCount(provider)) >= 2,
    `rows in the vault (${JSON.stringify(agent.status())})`,
  );
  for (const k of await gw.store.keys('rows', { prefix: `${provider}!` }))
    sent.push(
      (
        (await gw.vault.readRow<{ body: { fields: Record<string, unknown> } }>(
          provider,
          k.slice(provider.length + 1),
        )) as { body: { fields: Record<string, unknown> } }
      ).body.fields,
    );
  t.ok(
    sent.every((f) => 'heart_rate_avg' in f && 'steps' in f),
    'both consented fields arrive',
  );

  // Change consent: drop heart_rate_avg; the agent gets version 2 and stops sending it.
  await page.getByRole('link', { name: 'Consent' }).click();
  await page.getByLabel('Average heart rate in the hour', { exact: true }).uncheck();
  t.notMatch(await page.locator('pre[data-cadence="hourly"]').textContent(), /heart_rate_avg/, 'preview without it');
  await page.getByRole('button', { name: 'Sign and save my consent' }).click();
  await page.getByText('Consent saved (version 2)').waitFor();
  await waitFor(() => agent?.policy?.version === 2, 'the agent holds policy 2');
  const before = new Set(await gw.store.keys('rows', { prefix: `${provider}!` }));
  await feedHours(2);
  await waitFor(async () => (await gw.vault.rowCount(provider)) >= before.size + 1, 'new rows');
  const later = (await gw.store.keys('rows', { prefix: `${provider}!` })).filter((k) => !before.has(k));
  for (const k of later) {
    const row = await gw.vault.readRow<{ body: { policyVersion: number; fields: Record<string, unknown> } }>(
      provider,
      k.slice(provider.length + 1),
    );
    t.equal(row?.body.policyVersion, 2);
    t.notOk(row && 'heart_rate_avg' in row.body.fields, 'heart_rate_avg no longer sent');
  }

  // Overview: the chart of shared data.
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  const held = String(await gw.vault.rowCount(provider));
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page
    .getByTestId('rows')
    .filter({ hasText: new RegExp(`^${held}$`) })
    .waitFor();
  t.pass(`the overview shows the ${held} updates the vault holds`);
  t.ok((await page.locator('svg.chart rect').count()) >= 1, 'the shared-data chart has bars');
  await shot('overview');

  // An expired session: a clear message and the sign-in page, never a blank page.
  portalClock.advance(11 * 60_000);
  await page.getByRole('link', { name: 'Devices' }).click();
  await page.getByRole('alert').filter({ hasText: 'GW_PORTAL_SESSION_EXPIRED' }).waitFor();
  await shot('session-expired');

  // Sign in with the downloaded keystore: a wrong password is refused clearly, the right one works.
  await page.getByLabel('Keystore file').setInputFiles(keystorePath);
  await page.locator('form[aria-labelledby="open-title"]').getByLabel('Password').fill('wrong password!');
  await page.getByRole('button', { name: 'Unlock and sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'Wrong password' }).waitFor();
  await page.locator('form[aria-labelledby="open-title"]').getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Unlock and sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();

  // Erase, behind a confirmation: the vault holds nothing of this provider afterwards.
  await page.getByRole('link', { name: 'Privacy' }).click();
  await shot('privacy');
  await page.getByRole('button', { name: 'Erase my data…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  t.equal(gw.registry.provider(provider)?.status, 'active', 'cancel changes nothing');
  await page.getByRole('button', { name: 'Erase my data…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Yes, erase my data' }).click();
  await page.getByText('Erase my data: done').waitFor();
  t.equal(gw.registry.provider(provider)?.status, 'erased');
  t.equal(await gw.vault.rowCount(provider), 0, 'no row of the provider is left in the vault');
  t.equal(Number(await page.getByTestId('rows').textContent()), 0, 'the portal shows none');
  await waitFor(() => !agent?.status().connected, 'the device is disconnected');
  t.same(errors, [], 'no script error in the page');
  t.ok(topics.up(device.address));
});
