// Portal sessions over HTTP (fastify inject): a signed challenge opens a session, and every refusal has its own
// code: a forged or foreign signature, a replayed or expired challenge, a missing, unknown or expired session.
import { join } from 'node:path';
import { dataSignFast, generateKeyPair, ManualClock } from '@datagraph/protocol';
import Fastify from 'fastify';
import pino from 'pino';
import t from 'tap';
import { PortalSessions } from '../../src/http/portal/PortalSessions.ts';
import { portalPlugin } from '../../src/http/portal/portalPlugin.ts';
import { cleanup, registerProvider, startTestGateway, tempDir } from '../helpers.ts';

t.test('challenge, session, dashboard, and each refusal', async (t) => {
  const dir = tempDir('portal-sessions');
  const gw = await startTestGateway(join(dir, 'gw'));
  const clock = new ManualClock(Date.now());
  const app = Fastify();
  await app.register(portalPlugin, {
    deps: {
      registry: gw.registry,
      vault: gw.vault,
      store: gw.store,
      clock,
      log: pino({ level: 'silent' }),
      sessionTtlMs: 60_000,
      distDir: join(dir, 'dist'),
    },
  });
  t.teardown(async () => {
    await app.close();
    await gw.close();
    cleanup(dir);
  });
  const provider = generateKeyPair();
  const device = generateKeyPair();
  t.equal((await registerProvider(gw, provider, [device])).status, 201);
  const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });
  const challenge = async (address = provider.address) =>
    (await post('/portal/api/challenge', { address })).json().challenge as string;
  const open = (c: string, key = provider, sig = dataSignFast(key.privateKey, c)) =>
    post('/portal/api/session', { challenge: c, publicKey: key.publicKey, signature: sig });

  t.equal((await post('/portal/api/challenge', { address: 'nope' })).json().code, 'PR_SCHEMA');
  const c1 = await challenge();
  const stranger = generateKeyPair();
  t.equal((await open(c1, stranger)).json().code, 'GW_PORTAL_BAD_SIGNATURE', 'another key cannot use it');
  t.equal((await open(c1)).json().code, 'GW_PORTAL_CHALLENGE', 'a challenge is used once, even on failure');
  const c2 = await challenge();
  t.equal(
    (await open(c2, provider, dataSignFast(provider.privateKey, `${c2}x`))).json().code,
    'GW_PORTAL_BAD_SIGNATURE',
  );
  const c3 = await challenge();
  clock.advance(6 * 60_000);
  t.equal((await open(c3)).json().code, 'GW_PORTAL_CHALLENGE', 'an old challenge is refused');

  const ok = await open(await challenge());
  t.equal(ok.statusCode, 200);
  const { token } = ok.json() as { token: string };
  const dash = (auth?: string) =>
    app.inject({ method: 'GET', url: '/portal/api/dashboard', headers: auth ? { authorization: auth } : {} });
  const d = (await dash(`Bearer ${token}`)).json();
  t.equal(d.provider, provider.address);
  t.equal(d.registration.policyVersion, 1);
  t.same(
    d.registration.devices.map((x: { address: string }) => x.address),
    [device.address],
  );
  t.same(d.shared, { rows: 0, days: [], truncated: false });
  t.equal(d.earnings, null, 'no rewards journal given: earnings null, shown as not available');

  t.equal((await dash()).json().code, 'GW_PORTAL_SESSION_REQUIRED');
  t.equal((await dash(`Bearer ${'0'.repeat(64)}`)).json().code, 'GW_PORTAL_SESSION_REQUIRED');
  clock.advance(61_000);
  const expired = await dash(`Bearer ${token}`);
  t.equal(expired.statusCode, 401);
  t.equal(expired.json().code, 'GW_PORTAL_SESSION_EXPIRED');

  const page = await app.inject({ method: 'GET', url: '/portal/' });
  t.equal(page.statusCode, 200);
  t.match(page.body, /<div id="app">/);
  t.match(page.headers['content-security-policy'], /script-src 'self'/);
  t.equal((await app.inject({ method: 'GET', url: '/portal/app.js' })).statusCode, 200);
});

t.test('sessions handed in are shared: a portal sign-in is visible to other routes', async (t) => {
  const dir = tempDir('portal-shared');
  const gw = await startTestGateway(join(dir, 'gw'));
  const clock = new ManualClock(Date.now());
  const sessions = new PortalSessions(clock, 60_000);
  const app = Fastify();
  await app.register(portalPlugin, {
    deps: {
      registry: gw.registry,
      vault: gw.vault,
      store: gw.store,
      clock,
      log: pino({ level: 'silent' }),
      sessions,
      distDir: join(dir, 'dist'),
    },
  });
  t.teardown(async () => {
    await app.close();
    await gw.close();
    cleanup(dir);
  });
  const key = generateKeyPair();
  const { challenge } = (
    await app.inject({ method: 'POST', url: '/portal/api/challenge', payload: { address: key.address } })
  ).json();
  const { token } = (
    await app.inject({
      method: 'POST',
      url: '/portal/api/session',
      payload: { challenge, publicKey: key.publicKey, signature: dataSignFast(key.privateKey, challenge) },
    })
  ).json();
  t.equal(sessions.require(`Bearer ${token}`).address, key.address);
});
