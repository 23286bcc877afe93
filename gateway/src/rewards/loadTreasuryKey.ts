// The treasury key (DESIGN.md section 6): research payments arrive at its address (the quotes' payTo) and
// reward payouts leave from it, so both run on one transaction chain. A dag4 V3 keystore from config
// (`treasury.keystoreFile`, passphrase from DG_TREASURY_PASSPHRASE or `treasury.passphraseFile`); for
// development, when none is configured, one is generated once into the data dir with a warning, as the
// gateway key is. A configured `treasury.address` must be the keystore's address; `treasury.address` alone (no
// keystore) means the treasury key is held elsewhere: quotes are paid to it, and this gateway pays no rewards.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decryptKeystore, encryptKeystore, generateKeyPair, type KeyPair, ProtocolError } from '@datagraph/protocol';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/GatewayConfig.ts';

export async function loadTreasuryKey(config: GatewayConfig, log: Logger): Promise<KeyPair | undefined> {
  if (config.treasury.address !== undefined && config.treasury.keystoreFile === undefined) {
    log.warn(
      { treasury: config.treasury.address },
      'rewards: treasury.address without treasury.keystoreFile: quotes are paid to it, but this gateway cannot pay rewards',
    );
    return undefined;
  }
  const key = await readOrCreate(config, log);
  if (config.treasury.address !== undefined && config.treasury.address !== key.address)
    throw new ProtocolError(
      'GW_CONFIG_INVALID',
      `treasury.address ${config.treasury.address} is not the address of treasury.keystoreFile (${key.address})`,
    );
  return key;
}

async function readOrCreate(config: GatewayConfig, log: Logger): Promise<KeyPair> {
  const { keystoreFile, passphrase, passphraseFile } = config.treasury;
  if (keystoreFile) {
    const pass = passphrase ?? (passphraseFile ? readFileSync(passphraseFile, 'utf8').trim() : undefined);
    if (!pass)
      throw new ProtocolError(
        'GW_CONFIG_INVALID',
        'treasury.keystoreFile needs DG_TREASURY_PASSPHRASE or treasury.passphraseFile',
      );
    return decryptKeystore(JSON.parse(readFileSync(keystoreFile, 'utf8')), pass);
  }
  const ks = join(config.dataDir, 'treasury-keystore.json');
  const pf = join(config.dataDir, 'treasury-keystore.pass');
  if (!existsSync(ks)) {
    const key = generateKeyPair();
    const pass = randomBytes(18).toString('base64url');
    writeFileSync(pf, `${pass}\n`, { mode: 0o600 });
    writeFileSync(ks, JSON.stringify(await encryptKeystore(key.privateKey, pass)), { mode: 0o600 });
    log.warn(
      { address: key.address, keystore: ks },
      'rewards: generated a development treasury key; fund this address and set treasury.keystoreFile in production',
    );
    return key;
  }
  return decryptKeystore(JSON.parse(readFileSync(ks, 'utf8')), readFileSync(pf, 'utf8').trim());
}
