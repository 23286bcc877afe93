// `datagraph agent init`: create the device key and print what the provider types into the portal.
import { encodePairingCode } from '@datagraph/protocol';
import { createDeviceKey, readPassphrase } from '../keys/deviceKey.ts';
import type { CliIo } from './index.ts';

export async function runInit(dir: string, values: Record<string, unknown>, io: CliIo): Promise<number> {
  const passphrase = await readPassphrase({
    env: io.env,
    passphraseFile: values['passphrase-file'] as string | undefined,
  });
  const scrypt = values['scrypt-n'] as string | undefined;
  const scryptN = scrypt === undefined ? undefined : /^[0-9]+$/.test(scrypt) ? Number(scrypt) : Number.NaN;
  const key = await createDeviceKey(dir, passphrase, scryptN === undefined ? {} : { scryptN });
  io.out(`device key created in ${dir}`);
  io.out(`device id:    ${key.address}`);
  io.out(`pairing code: ${encodePairingCode(key.publicKey)}`);
  io.out(
    'Enter the pairing code in the provider portal (or `datagraph provider pair`), then run `datagraph agent run`.',
  );
  return 0;
}
