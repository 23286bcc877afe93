// The treasury key (DESIGN.md section 6): research payments arrive at its address (the quotes' payTo) and
// reward payouts leave from it, so both run on one transaction chain. A dag4 V3 keystore from config
// (`treasury.keystoreFile`, passphrase from DG_TREASURY_PASSPHRASE or `treasury.passphraseFile`); for
// development, when none is configured, one is generated once into the data dir with a warning, as the
// gateway key is. A configured `treasury.address` must be the keystore's address; `treasury.address` alone (no
// keystore) means the treasury key is held elsewhere: quotes are paid to it, and this gateway pays no rewards.
import { type KeyPair, ProtocolError } from '@datagraph/protocol';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/GatewayConfig.ts';
import { loadKeystoreKey } from '../config/loadSecrets.ts';

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

function readOrCreate(config: GatewayConfig, log: Logger): Promise<KeyPair> {
  return loadKeystoreKey(
    config.treasury,
    {
      dataDir: config.dataDir,
      name: 'treasury',
      missingPassphrase: 'treasury.keystoreFile needs DG_TREASURY_PASSPHRASE or treasury.passphraseFile',
      devWarning:
        'rewards: generated a development treasury key; fund this address and set treasury.keystoreFile in production',
    },
    log,
  );
}
