// An update the gateway already holds is a `duplicate` when resent, even after the provider changed consent:
// otherwise the agent would dead-letter an update that is safely in the vault.
import { generateKeyPair } from '@datagraph/protocol';
import t from 'tap';
import { cleanup, makeUpdate, policyFor, registerProvider, startTestGateway, TestDevice, tempDir } from './helpers.ts';

t.test('a resend after a policy version change is acked duplicate, not rejected', async (t) => {
  const dir = tempDir('resend');
  const gw = await startTestGateway(dir);
  t.teardown(async () => {
    await gw.close();
    cleanup(dir);
  });
  const provider = generateKeyPair();
  const device = generateKeyPair();
  t.equal((await registerProvider(gw, provider, [device])).status, 201);
  const d = await TestDevice.connect(gw.urls.mqtt, device);
  t.teardown(() => d.close());

  const update = makeUpdate(device, provider, 1);
  await d.publish(update);
  t.equal((await d.ackFor(update.body.id)).status, 'accepted');

  // The provider narrows consent (version 2): heart_rate_avg is no longer shared.
  t.equal((await registerProvider(gw, provider, [device], policyFor(provider, 2, { steps: ['hourly'] }))).status, 201);
  await d.publish(update);
  const acks = await d.ackFor(update.body.id, 'duplicate');
  t.equal(acks.status, 'duplicate');

  // A new update under the old version is refused: consent is enforced for anything new.
  const stale = makeUpdate(device, provider, 2);
  await d.publish(stale);
  t.equal((await d.ackFor(stale.body.id)).code, 'GW_POLICY_VERSION');
});
