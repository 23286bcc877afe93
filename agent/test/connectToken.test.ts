// The CONNECT password format the agent sends and the gateway verifies (protocol/src/connectToken.ts).
import {
  connectPassword,
  connectTokenMessage,
  generateKeyPair,
  ManualClock,
  parseConnectPassword,
  verifyConnectPassword,
  verifyDataFast,
} from '@datagraph/protocol';
import t from 'tap';

t.test('a device password is `{unixSeconds}:{der hex}` over dg-connect:{deviceId}:{seconds}', async (t) => {
  const device = generateKeyPair();
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0, 0, 750));
  const password = connectPassword(device, clock);
  const parsed = parseConnectPassword(password);
  t.ok(parsed);
  t.equal(parsed?.unixSeconds, Date.UTC(2026, 0, 5, 12, 0, 0) / 1000);
  t.ok(
    verifyDataFast(
      device.publicKey,
      connectTokenMessage(device.address, parsed?.unixSeconds ?? 0),
      parsed?.signature ?? '',
    ),
  );
  t.equal(verifyConnectPassword(device.address, device.publicKey, password, clock.now()), 'ok');
  t.equal(
    verifyConnectPassword(device.address, device.publicKey, Buffer.from(password), clock.now()),
    'ok',
    'Buffer passwords (as aedes gives them) work',
  );
});

t.test('stale, forged, malformed and other-device passwords are refused', async (t) => {
  const device = generateKeyPair();
  const other = generateKeyPair();
  const clock = new ManualClock();
  const password = connectPassword(device, clock);
  t.equal(verifyConnectPassword(device.address, device.publicKey, password, clock.now() + 301_000), 'stale');
  t.equal(verifyConnectPassword(device.address, device.publicKey, password, clock.now() - 301_000), 'stale');
  t.equal(verifyConnectPassword(device.address, device.publicKey, password, clock.now() + 299_000), 'ok');
  t.equal(verifyConnectPassword(device.address, other.publicKey, password, clock.now()), 'wrong-key');
  t.equal(
    verifyConnectPassword(other.address, other.publicKey, password, clock.now()),
    'bad-signature',
    'signed for another id',
  );
  const forged = connectPassword({ privateKey: other.privateKey, address: device.address }, clock);
  t.equal(verifyConnectPassword(device.address, device.publicKey, forged, clock.now()), 'bad-signature');
  for (const bad of [undefined, '', 'abc', '123', `x:${'a'.repeat(20)}`, `${password}:extra`, password.toUpperCase()]) {
    t.equal(verifyConnectPassword(device.address, device.publicKey, bad, clock.now()), 'malformed', String(bad));
  }
});
