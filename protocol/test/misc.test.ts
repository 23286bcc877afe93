import fc from 'fast-check';
import t from 'tap';
import {
  connectTokenMessage,
  decodePairingCode,
  decryptKeystore,
  encodePairingCode,
  encryptKeystore,
  errorCatalogue,
  formatTokens,
  generateKeyPair,
  ManualClock,
  parseBaseUnits,
  parseJsonWith,
  parseTopic,
  SignedUpdate,
  tokensToBaseUnits,
  topics,
} from '../src/index.ts';

t.test('amounts: tokens <-> base units round-trip exactly, never through a float', async (t) => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), (n) => tokensToBaseUnits(formatTokens(n)) === n));
  t.equal(tokensToBaseUnits('1.5'), 150000000n);
  t.equal(tokensToBaseUnits('0.00000001'), 1n);
  t.equal(formatTokens(123456789n), '1.23456789');
  for (const bad of ['-1', '1.123456789', '1e5', '', 'abc', '01'])
    t.throws(() => tokensToBaseUnits(bad), { code: 'PR_BAD_AMOUNT' }, bad);
  for (const bad of ['-1', '1.5', '007', ' 1']) t.throws(() => parseBaseUnits(bad), { code: 'PR_BAD_AMOUNT' }, bad);
  t.equal(parseBaseUnits('0'), 0n);
});

t.test('pairing codes round-trip and catch typos', async (t) => {
  for (let i = 0; i < 20; i++) {
    const k = generateKeyPair();
    const code = encodePairingCode(k.publicKey);
    t.match(code, /^DG1(-[0-9A-HJKMNP-TV-Z]{1,4})+$/);
    t.same(decodePairingCode(code.toLowerCase().replaceAll('-', ' ')), { publicKey: k.publicKey, address: k.address });
  }
  const code = encodePairingCode(generateKeyPair().publicKey);
  const i = code.length - 3;
  const typo = code.slice(0, i) + (code[i] === '0' ? '1' : '0') + code.slice(i + 1);
  t.throws(() => decodePairingCode(typo), { code: 'PR_BAD_PAIRING_CODE' });
  t.throws(() => decodePairingCode('DG1-ILOU'), { code: 'PR_BAD_PAIRING_CODE' });
  t.throws(() => decodePairingCode('hello'), { code: 'PR_BAD_PAIRING_CODE' });
});

t.test('keystores: dag4 V3 format, wrong password refused with a code', async (t) => {
  const k = generateKeyPair();
  const ks = await encryptKeystore(k.privateKey, 'correct horse battery');
  t.notOk(JSON.stringify(ks).includes(k.privateKey), 'private key is not in the file');
  t.same(await decryptKeystore(JSON.parse(JSON.stringify(ks)), 'correct horse battery'), k);
  await t.rejects(decryptKeystore(ks, 'wrong password'), { code: 'PR_KEYSTORE_PASSWORD' });
  await t.rejects(decryptKeystore({ hello: 1 }, 'x'), { code: 'PR_KEYSTORE_INVALID' });
  await t.rejects(encryptKeystore(k.privateKey, 'short'), { code: 'PR_KEYSTORE_PASSWORD' });
});

t.test('topics: a device id is a DAG address; anything else is not our topic', async (t) => {
  const { address } = generateKeyPair();
  t.same(parseTopic(topics.up(address)), { kind: 'up', deviceId: address });
  t.same(parseTopic(topics.policy(address)), { kind: 'policy', deviceId: address });
  t.equal(parseTopic(`dg/v1/up/+`), null);
  t.equal(parseTopic(`dg/v1/up/#`), null);
  t.equal(parseTopic(`dg/v1/other/${address}`), null);
  t.equal(parseTopic(`dg/v1/up/${address}/x`), null);
  t.equal(connectTokenMessage(address, 1700000000), `dg-connect:${address}:1700000000`);
});

t.test('parsing at a boundary yields a code, never a crash', async (t) => {
  t.throws(() => parseJsonWith(SignedUpdate, '{not json'), { code: 'PR_INVALID_JSON' });
  t.throws(() => parseJsonWith(SignedUpdate, Buffer.from('{"body":1}')), { code: 'PR_SCHEMA' });
});

t.test('every error code has a prefix, a status and a message', async (t) => {
  for (const [code, e] of Object.entries(errorCatalogue)) {
    t.match(code, /^(PR|MG|AG|GW)_[A-Z0-9_]+$/);
    t.ok(e.status >= 400 && e.status < 600, code);
    t.ok(e.message.length > 0, code);
  }
});

t.test('manual clock fires timers in order, at their due time', async (t) => {
  const c = new ManualClock(1000);
  const fired: [string, number][] = [];
  c.setTimeout(() => fired.push(['b', c.now()]), 200);
  c.setTimeout(() => {
    fired.push(['a', c.now()]);
    c.setTimeout(() => fired.push(['c', c.now()]), 50);
  }, 100);
  const cancelled = c.setTimeout(() => fired.push(['x', c.now()]), 10);
  cancelled.cancel();
  c.advance(300);
  t.same(fired, [
    ['a', 1100],
    ['c', 1150],
    ['b', 1200],
  ]);
  t.equal(c.now(), 1300);
});

t.test('a keystore with a smaller scrypt N (for small devices) is still one dag4 reads; N is bounded', async (t) => {
  const { keyStore } = await import('@stardust-collective/dag4-keystore');
  const k = generateKeyPair();
  const light = await encryptKeystore(k.privateKey, 'correct horse battery', { scryptN: 16384 });
  t.match(light, { crypto: { kdf: 'scrypt', kdfparams: { n: 16384, r: 8, p: 1, dklen: 32 } } });
  t.equal(await keyStore.decryptPrivateKey(light as never, 'correct horse battery'), k.privateKey, 'dag4 reads it');
  t.same(await decryptKeystore(light, 'correct horse battery'), k, 'we read it');
  for (const scryptN of [8192, 16385, 524288, 0, 1.5])
    await t.rejects(
      encryptKeystore(k.privateKey, 'correct horse battery', { scryptN }),
      { code: 'PR_KEYSTORE_PARAMS' },
      `N ${scryptN} refused`,
    );
});

t.test('keystores are interchangeable with dag4-keystore in both directions', async (t) => {
  const { keyStore } = await import('@stardust-collective/dag4-keystore');
  const k = generateKeyPair();
  const ours = await encryptKeystore(k.privateKey, 'correct horse battery');
  t.match(ours, {
    version: 3,
    crypto: { cipher: 'aes-128-ctr', kdf: 'scrypt', kdfparams: { n: 262144, r: 8, p: 1, dklen: 32 } },
  });
  t.equal(await keyStore.decryptPrivateKey(ours as never, 'correct horse battery'), k.privateKey, 'dag4 reads ours');
  const theirs = await keyStore.generateEncryptedPrivateKey('correct horse battery', k.privateKey);
  t.equal(ours.address, (theirs as { address?: string }).address, 'same key address field as ethereumjs-wallet');
  t.same(await decryptKeystore(theirs, 'correct horse battery'), k, 'we read dag4');
  await t.rejects(decryptKeystore(theirs, 'wrong horse battery'), { code: 'PR_KEYSTORE_PASSWORD' });
  const tampered = { ...ours, crypto: { ...ours.crypto, ciphertext: `${ours.crypto.ciphertext.slice(0, -2)}00` } };
  await t.rejects(
    decryptKeystore(tampered, 'correct horse battery'),
    { code: 'PR_KEYSTORE_PASSWORD' },
    'MAC catches a changed ciphertext',
  );
});
