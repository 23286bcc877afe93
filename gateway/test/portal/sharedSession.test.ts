// A provider signed in to the portal reads their earnings statement with the same session (one session store in
// the gateway), and only their own.
import { dataSignFast, generateKeyPair } from '@datagraph/protocol';
import t from 'tap';
import { cleanup, registerProvider, startTestGateway, tempDir } from '../helpers.ts';

t.test('a portal session opens the provider earnings routes of its own provider only', async (t) => {
  const dir = tempDir('shared-session');
  const gw = await startTestGateway(dir);
  t.teardown(async () => {
    await gw.close();
    cleanup(dir);
  });
  const provider = generateKeyPair();
  const other = generateKeyPair();
  t.equal((await registerProvider(gw, provider, [generateKeyPair()])).status, 201);
  const post = (path: string, body: unknown) =>
    fetch(`${gw.urls.http}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
  const { challenge } = (await (await post('/portal/api/challenge', { address: provider.address })).json()) as {
    challenge: string;
  };
  const session = await post('/portal/api/session', {
    challenge,
    publicKey: provider.publicKey,
    signature: dataSignFast(provider.privateKey, challenge),
  });
  t.equal(session.status, 200);
  const { token } = (await session.json()) as { token: string };

  const earnings = (address: string, auth?: string) =>
    fetch(`${gw.urls.http}/v1/providers/${address}/earnings`, { headers: auth ? { authorization: auth } : {} });
  t.equal((await earnings(provider.address)).status, 401, 'no credentials');
  const mine = await earnings(provider.address, `Bearer ${token}`);
  t.equal(mine.status, 200, 'the portal session reads its own statement');
  t.match(await mine.json(), { provider: provider.address });
  t.equal((await earnings(other.address, `Bearer ${token}`)).status, 403, 'not another provider’s');
});
