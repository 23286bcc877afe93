// The gateway's two secrets: the vault master key and the gateway's DAG key. Both come from config (file or
// env); for development, when none is configured, each is generated once into the data dir with a warning.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decryptKeystore, encryptKeystore, generateKeyPair, type KeyPair, ProtocolError } from '@datagraph/protocol';
import type { Logger } from 'pino';
import type { GatewayConfig } from './GatewayConfig.ts';

export function loadMasterKey(config: GatewayConfig, log: Logger): Buffer {
  const { masterKeyHex, masterKeyFile } = config.vault;
  if (masterKeyHex) return Buffer.from(masterKeyHex, 'hex');
  const file = masterKeyFile ?? join(config.dataDir, 'vault-master.key');
  if (!existsSync(file)) {
    if (masterKeyFile)
      throw new ProtocolError('GW_MASTER_KEY', `vault master key file ${masterKeyFile} does not exist`);
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    log.warn(
      { file },
      'vault: generated a development master key; set DG_VAULT_MASTER_KEY or vault.masterKeyFile in production',
    );
  }
  const text = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text))
    throw new ProtocolError('GW_MASTER_KEY', `vault master key file ${file} must hold 64 hex chars`);
  return Buffer.from(text, 'hex');
}

/** Where a key comes from: a configured keystore, or a development keystore generated once in the data dir. */
export interface KeySource {
  keystoreFile?: string;
  passphrase?: string;
  passphraseFile?: string;
}

/**
 * A key from its configured dag4 V3 keystore, or (development, nothing configured) from `{dataDir}/{name}-keystore.json`
 * with a random passphrase beside it, generated on first start with `devWarning` logged.
 */
export async function loadKeystoreKey(
  source: KeySource,
  dev: { dataDir: string; name: string; missingPassphrase: string; devWarning: string },
  log: Logger,
): Promise<KeyPair> {
  if (source.keystoreFile) {
    const pass =
      source.passphrase ?? (source.passphraseFile ? readFileSync(source.passphraseFile, 'utf8').trim() : undefined);
    if (!pass) throw new ProtocolError('GW_CONFIG_INVALID', dev.missingPassphrase);
    return decryptKeystore(JSON.parse(readFileSync(source.keystoreFile, 'utf8')), pass);
  }
  const ks = join(dev.dataDir, `${dev.name}-keystore.json`);
  const pf = join(dev.dataDir, `${dev.name}-keystore.pass`);
  if (!existsSync(ks)) {
    const key = generateKeyPair();
    const pass = randomBytes(18).toString('base64url');
    writeFileSync(pf, `${pass}\n`, { mode: 0o600 });
    writeFileSync(ks, JSON.stringify(await encryptKeystore(key.privateKey, pass)), { mode: 0o600 });
    log.warn({ address: key.address, keystore: ks }, dev.devWarning);
    return key;
  }
  return decryptKeystore(JSON.parse(readFileSync(ks, 'utf8')), readFileSync(pf, 'utf8').trim());
}

export function loadGatewayKey(config: GatewayConfig, log: Logger): Promise<KeyPair> {
  return loadKeystoreKey(
    config.gatewayKey,
    {
      dataDir: config.dataDir,
      name: 'gateway',
      missingPassphrase: 'gatewayKey.keystoreFile needs DG_GATEWAY_PASSPHRASE or gatewayKey.passphraseFile',
      devWarning: 'gateway: generated a development gateway key; authorise this address on the metagraph',
    },
    log,
  );
}
