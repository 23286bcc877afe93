// The device key, kept in dag4's encrypted V3 keystore format under the agent's directory.
// The passphrase comes from config loading only (env DG_PASSPHRASE or a file), never from code.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decryptKeystore, encryptKeystore, generateKeyPair, type KeyPair, ProtocolError } from '@datagraph/protocol';

export const KEYSTORE_FILE = 'device.keystore.json';

/** The passphrase from `passphraseFile` (first line) or else `env.DG_PASSPHRASE`. */
export async function readPassphrase(source: {
  env: Record<string, string | undefined>;
  passphraseFile?: string | undefined;
}): Promise<string> {
  let pass: string | undefined;
  if (source.passphraseFile) {
    try {
      pass = (await readFile(source.passphraseFile, 'utf8')).split(/\r?\n/)[0];
    } catch (cause) {
      throw new ProtocolError('AG_PASSPHRASE_MISSING', `cannot read the passphrase file ${source.passphraseFile}`, {
        cause,
      });
    }
  } else {
    pass = source.env.DG_PASSPHRASE;
  }
  if (!pass || pass.length < 8) throw new ProtocolError('AG_PASSPHRASE_MISSING');
  return pass;
}

/** Create a new device key in `dir` (refuses to overwrite one); `scryptN` as protocol's `encryptKeystore`. */
export async function createDeviceKey(
  dir: string,
  passphrase: string,
  opts: { scryptN?: number } = {},
): Promise<KeyPair> {
  const file = join(dir, KEYSTORE_FILE);
  if (existsSync(file))
    throw new ProtocolError(
      'AG_KEYSTORE_EXISTS',
      `a device keystore already exists at ${file}; refusing to overwrite it`,
    );
  const key = generateKeyPair();
  const keystore = await encryptKeystore(key.privateKey, passphrase, opts);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(keystore, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

/** Decrypt the device key in `dir`. */
export async function loadDeviceKey(dir: string, passphrase: string): Promise<KeyPair> {
  const file = join(dir, KEYSTORE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ProtocolError(
      'AG_KEYSTORE_MISSING',
      `no device keystore at ${file}: run \`datagraph agent init --dir ${dir}\` first`,
      { cause },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ProtocolError('PR_KEYSTORE_INVALID', `${file} is not JSON`, { cause });
  }
  return decryptKeystore(json, passphrase);
}
