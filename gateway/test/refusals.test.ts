// Acceptance 2: every kind of refusal gets its own code, the device is told why, and other devices are served.
import { connectPassword, dataSignFast, generateKeyPair, signUpdate, topics } from '@datagraph/protocol';
import t from 'tap';
import { buildProviderAction } from '../src/registry/providerRequests.ts';
import { cleanup, makeUpdate, registerProvider, startTestGateway, TestDevice, tempDir, waitFor } from './helpers.ts';

t.test('refusals, each with its own code, while another device is served', async (t) => {
  const dir = tempDir('refusals');
  const gw = await startTestGateway(dir);
  t.teardown(async () => {
    await gw.close();
    cleanup(dir);
  });
  const provider = generateKeyPair();
  const device = generateKeyPair();
  const other = generateKeyPair();
  t.equal((await registerProvider(gw, provider, [device, other])).status, 201);

  // A well-behaved device keeps publishing through the whole test.
  const bystander = await TestDevice.connect(gw.urls.mqtt, other);
  let bySeq = 0;
  let stop = false;
  const background = (async () => {
    while (!stop) {
      const u = makeUpdate(other, provider, ++bySeq);
      await bystander.publish(u);
      await bystander.ackFor(u.body.id);
    }
  })();

  const refusedCodes = async (): Promise<string> => (await fetch(`${gw.urls.http}/metrics`)).text();
  const connectError = async (key: typeof device, password?: string, username?: string): Promise<{ code?: number }> => {
    try {
      const d = await TestDevice.connect(gw.urls.mqtt, username ? { ...key, address: username } : key, {
        password,
        subscribe: false,
      });
      await d.close();
      return {};
    } catch (e) {
      return e as { code?: number };
    }
  };

  await t.test('unknown device: CONNACK 5 not authorised', async (t) => {
    const stranger = generateKeyPair();
    t.equal((await connectError(stranger)).code, 5);
    t.match(await refusedCodes(), /dg_gateway_rejects_total\{code="GW_UNKNOWN_DEVICE"\} 1/);
  });

  await t.test('wrong connect token: signed by another key, CONNACK 4', async (t) => {
    const wrong = connectPassword(
      { privateKey: generateKeyPair().privateKey, address: device.address },
      { now: () => Date.now() },
    );
    t.equal((await connectError(device, wrong)).code, 4);
    t.equal((await connectError(device, 'not-a-token')).code, 4);
    t.match(await refusedCodes(), /code="GW_BAD_CONNECT_TOKEN"\} 2/);
  });

  await t.test('stale connect token: outside the 5 minute skew', async (t) => {
    const stale = connectPassword(device, { now: () => Date.now() - 6 * 60_000 });
    t.equal((await connectError(device, stale)).code, 4);
    t.match(await refusedCodes(), /code="GW_STALE_CONNECT_TOKEN"\} 1/);
  });

  await t.test('replayed connect token: the same password twice', async (t) => {
    const pw = connectPassword(device, { now: () => Date.now() - 10_000 });
    const first = await TestDevice.connect(gw.urls.mqtt, device, { password: pw, subscribe: false });
    await first.close();
    t.equal((await connectError(device, pw)).code, 4);
    t.match(await refusedCodes(), /code="GW_REPLAYED_CONNECT_TOKEN"\} 1/);
  });

  const d = await TestDevice.connect(gw.urls.mqtt, device);
  t.teardown(() => d.close());

  await t.test('publishing outside its own topics', async (t) => {
    await d.publish(makeUpdate(device, provider, 1), topics.up(other.address));
    await d.publish('{}', topics.policy(device.address));
    await d.publish('{}', 'anything/else');
    const acks = await waitFor(() => {
      const a = d.acks.filter((x) => x.code === 'GW_TOPIC_FORBIDDEN');
      return a.length === 3 && a;
    }, 'three GW_TOPIC_FORBIDDEN acks');
    t.equal(acks.length, 3);
    t.equal(bystander.acks.filter((a) => a.status === 'rejected').length, 0, 'the other device was not affected');
  });

  await t.test('subscribing outside its own topics: SUBACK failure and an ack with the code', async (t) => {
    // mqtt.js turns a SUBACK failure (0x80, MQTT-3.9.3) into an error carrying the packet.
    const granted = (topic: string) =>
      d.client.subscribeAsync(topic, { qos: 1 }).then(
        () => [],
        (e: { packet?: { granted?: number[] } }) => e.packet?.granted ?? [],
      );
    t.same(await granted(topics.ack(other.address)), [128]);
    t.same(await granted(topics.up(device.address)), [128]);
    await waitFor(() => d.acks.filter((a) => a.code === 'GW_SUBSCRIBE_FORBIDDEN').length === 2, 'subscribe refusals');
    t.pass();
  });

  let seq = 0;
  const rejected = async (payload: Parameters<TestDevice['publish']>[0], id: string, code: string): Promise<void> => {
    const before = d.acks.length;
    await d.publish(payload);
    const ack = await waitFor(() => d.acks.slice(before).find((a) => a.id === id), `ack ${code}`);
    t.equal(ack.status, 'rejected', `${code}: status`);
    t.equal(ack.code, code);
    t.ok(ack.message && ack.message.length > 0, `${code}: message says why`);
  };

  await t.test('accepted, then duplicate for the same update', async (t) => {
    const u = makeUpdate(device, provider, ++seq);
    await d.publish(u);
    t.equal((await d.ackFor(u.body.id)).status, 'accepted');
    await d.publish(u);
    t.equal((await d.ackFor(u.body.id, 'duplicate')).status, 'duplicate');
  });

  await t.test('forged signature', async () => {
    const u = makeUpdate(device, provider, ++seq);
    const forged = {
      ...u,
      proof: { id: device.publicKey, signature: dataSignFast(generateKeyPair().privateKey, u.commitment) },
    };
    await rejected(forged, u.body.id, 'PR_BAD_SIGNATURE');
    const other = makeUpdate(device, provider, ++seq);
    const stranger = generateKeyPair();
    await rejected(signUpdate(other.body, stranger), other.body.id, 'PR_SIGNER_MISMATCH');
    const tampered = makeUpdate(device, provider, ++seq);
    await rejected(
      { ...tampered, body: { ...tampered.body, fields: { steps: 99 } } },
      tampered.body.id,
      'PR_COMMITMENT_MISMATCH',
    );
  });

  await t.test('unconsented field, out-of-range value, wrong policy version', async () => {
    const u = makeUpdate(device, provider, ++seq, { fields: { steps: 10, calories_burned: 100 } });
    await rejected(u, u.body.id, 'GW_FIELD_NOT_CONSENTED');
    const r = makeUpdate(device, provider, ++seq, { fields: { heart_rate_avg: 400 } });
    await rejected(r, r.body.id, 'PR_FIELD_RANGE');
    const v = makeUpdate(device, provider, ++seq, { policyVersion: 7 });
    await rejected(v, v.body.id, 'GW_POLICY_VERSION');
  });

  await t.test('replayed and out-of-order seq', async () => {
    const a = makeUpdate(device, provider, 100);
    await d.publish(a);
    await d.ackFor(a.body.id, 'accepted');
    const replay = makeUpdate(device, provider, 100);
    await rejected(replay, replay.body.id, 'GW_SEQ_REPLAYED');
    const older = makeUpdate(device, provider, 50);
    await rejected(older, older.body.id, 'GW_SEQ_OUT_OF_ORDER');
  });

  await t.test('oversized and non-JSON payloads', async () => {
    await rejected(Buffer.alloc(20_000, 0x7b), '', 'GW_PAYLOAD_TOO_LARGE');
    await rejected('this is not json', '', 'PR_INVALID_JSON');
    await rejected('{"body":{}}', '', 'PR_SCHEMA');
  });

  await t.test('revocation stops the device at once and shreds its rows', async (t) => {
    t.ok((await gw.vault.rowCount(provider.address)) > 0);
    stop = true;
    await background;
    const revoke = buildProviderAction(provider, 'RevokeConsent', 1, Math.floor(Date.now() / 1000));
    const r = await fetch(`${gw.urls.http}/v1/providers/${provider.address}/revoke`, {
      method: 'POST',
      body: JSON.stringify(revoke),
      headers: { 'content-type': 'application/json' },
    });
    t.equal(r.status, 200, await r.clone().text());
    t.equal(await gw.vault.rowCount(provider.address), 0);
    t.equal(await gw.vault.hasDataKey(provider.address), false);
    await waitFor(() => !d.client.connected, 'device disconnected');
    t.equal((await connectError(device)).code, 5);
    t.match(await refusedCodes(), /code="GW_DEVICE_REVOKED"\} 1/);
    const forged = buildProviderAction(generateKeyPair(), 'EraseData', 1, 0);
    const f = await fetch(`${gw.urls.http}/v1/providers/${provider.address}/erase`, {
      method: 'POST',
      body: JSON.stringify(forged),
      headers: { 'content-type': 'application/json' },
    });
    t.equal(f.status, 400);
  });

  stop = true;
  await background;
  t.ok(bySeq > 5, `the other device was served throughout (${bySeq} updates)`);
  t.equal(bystander.acks.filter((a) => a.status !== 'accepted').length, 0);
  await bystander.close();
});
