// The portal's browser crypto is equivalent to protocol's Node implementation (libsecp256k1, dag4-keystore):
// (1) the adapters themselves, run in Node: addresses, dataSign, keys; (2) the bundle the browser loads (the
// real esbuild build with the adapters), imported here: signatures verify with verifyDataFast and are
// byte-identical, a keystore made by the bundle opens with protocol's decryptKeystore (dag4) and one made by
// dag4 opens in the bundle, wrong passwords and bad pairing codes fail with protocol's codes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  addressFromPublicKey,
  dataSignDag4,
  dataSignFast,
  decryptKeystore,
  encodePairingCode,
  encryptKeystore,
  generateKeyPair,
  isDagAddress,
  signValue,
  verifyDataFast,
  verifyValueProof,
} from '@datagraph/protocol';
import t from 'tap';
import { bundle } from '../../portal/buildPortal.ts';
import { keyStore } from '../../portal/src/browser/dag4Keystore.ts';
import secp from '../../portal/src/browser/secp256k1.ts';
import { decryptV3, encryptV3 } from '../../portal/src/browser/v3Keystore.ts';
import { buildRegistration } from '../../src/registry/providerRequests.ts';

t.test('adapters: addresses, keys and dag4 dataSign match protocol on random keys', async (t) => {
  for (let i = 0; i < 20; i++) {
    const k = generateKeyPair();
    t.equal(keyStore.getDagAddressFromPublicKey(k.publicKey), k.address, 'same DAG address');
    t.ok(keyStore.validateDagAddress(k.address) && isDagAddress(k.address));
    const pub = Buffer.from(secp.publicKeyCreate(Buffer.from(k.privateKey, 'hex'), false)).toString('hex');
    t.equal(pub, `04${k.publicKey}`, 'same public key');
    const msg = `message ${i} ${'é'.repeat(i)}`;
    const sig = await keyStore.dataSign(k.privateKey, msg);
    t.equal(sig, dataSignFast(k.privateKey, msg), 'byte-identical to libsecp256k1 (RFC 6979, low-S)');
    t.ok(verifyDataFast(k.publicKey, msg, sig), 'verifies natively');
    if (i < 3) t.equal(sig, await dataSignDag4(k.privateKey, msg), 'and to dag4 itself');
  }
  t.notOk(keyStore.validateDagAddress('DAG0notanaddress'));
  const k = generateKeyPair();
  const digest = Buffer.alloc(32, 7);
  const { signature } = secp.ecdsaSign(digest, Buffer.from(k.privateKey, 'hex'));
  const pub = Buffer.from(`04${k.publicKey}`, 'hex');
  t.ok(secp.ecdsaVerify(signature, digest, pub), 'adapter verify accepts its own signature');
  t.notOk(secp.ecdsaVerify(signature, Buffer.alloc(32, 8), pub), 'and refuses another digest');
  t.same(secp.signatureImport(secp.signatureExport(signature)), signature, 'DER round trip');
});

t.test('adapters: V3 keystore both ways with dag4 (ethereumjs-wallet), wrong password refused', async (t) => {
  const k = generateKeyPair();
  const mine = await encryptV3(k.privateKey, 'correct horse battery');
  t.match(mine.crypto, { cipher: 'aes-128-ctr', kdf: 'scrypt', kdfparams: { n: 262144, r: 8, p: 1, dklen: 32 } });
  t.equal((await decryptKeystore(mine, 'correct horse battery')).address, k.address, 'dag4 opens the browser file');
  await t.rejects(decryptKeystore(mine, 'wrong password'), { code: 'PR_KEYSTORE_PASSWORD' });
  const theirs = await encryptKeystore(k.privateKey, 'another passphrase');
  t.equal(await decryptV3(theirs, 'another passphrase'), k.privateKey, 'the browser opens a dag4 file');
  await t.rejects(decryptV3(theirs, 'not it at all'), /wrong passphrase/);
  t.equal(mine.address, (theirs as { address?: string }).address, 'same address field as ethereumjs-wallet');
});

t.test('the browser bundle: signatures, registrations, keystores and pairing codes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-portal-bundle-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'wallet.mjs');
  await bundle(join(import.meta.dirname, '../../portal/src/wallet.ts'), out);
  // noble reads WebCrypto from `self` as a browser has it.
  (globalThis as { self?: unknown }).self ??= globalThis;
  const w = (await import(pathToFileURL(out).href)) as typeof import('../../portal/src/wallet.ts');

  const key = w.createKey();
  t.equal(addressFromPublicKey(key.publicKey), key.address, 'a valid key pair');
  const challenge = 'datagraph-portal-login:x:y';
  t.ok(verifyDataFast(key.publicKey, challenge, w.signChallenge(key, challenge)), 'challenge signature verifies');
  const device = generateKeyPair();
  const policy = {
    v: 1 as const,
    provider: key.address,
    version: 1,
    fields: { steps: ['hourly' as const] },
    generalisation: {},
    issuedAt: 1_800_000_000,
    expiresAt: null,
  };
  const reg = w.signRegistration(key, [{ address: device.address, publicKey: device.publicKey }], policy);
  t.ok(verifyValueProof(reg.registration.value, reg.registration.proofs[0] as never), 'registration verifies');
  t.ok(verifyValueProof(policy, reg.policyProof), 'policy proof verifies');
  t.same(
    reg,
    buildRegistration(key, [{ address: device.address, publicKey: device.publicKey }], policy),
    'byte-identical to Node',
  );
  const stop = w.signStop(key, 'EraseData', 1, 1_800_000_000);
  t.same(stop.proofs[0], signValue(key.privateKey, key.publicKey, stop.value));

  const file = await w.lockKey(key, 'correct horse battery');
  t.equal((await decryptKeystore(file, 'correct horse battery')).privateKey, key.privateKey, 'dag4 opens it');
  const dag4File = await encryptKeystore(key.privateKey, 'passphrase two');
  t.equal((await w.unlockKeystore(dag4File, 'passphrase two')).address, key.address, 'it opens dag4 files');
  await t.rejects(w.unlockKeystore(dag4File, 'wrong one!'), { code: 'PR_KEYSTORE_PASSWORD' });
  await t.rejects(w.unlockKeystore({ hello: 1 }, 'whatever1'), { code: 'PR_KEYSTORE_INVALID' });

  const code = encodePairingCode(device.publicKey);
  t.same(w.readPairingCode(code.toLowerCase()), { address: device.address, publicKey: device.publicKey });
  t.throws(() => w.readPairingCode(`${code.slice(0, -1)}${code.endsWith('0') ? '1' : '0'}`), {
    code: 'PR_BAD_PAIRING_CODE',
  });
  t.throws(() => w.readPairingCode('hello'), { code: 'PR_BAD_PAIRING_CODE' });
});
