// `datagraph provider <init|register|pair|consent|status>`: a provider's wallet at the terminal. The key lives in
// a dag4 V3 keystore (passphrase from DG_PASSPHRASE or --passphrase-file); requests are signed here and sent to
// a gateway's REST API, which relays them to the metagraph.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  Cadence,
  type ConsentPolicy,
  decodePairingCode,
  decryptKeystore,
  encryptKeystore,
  FieldName,
  generateKeyPair,
  isProtocolError,
  type KeyPair,
  ProtocolError,
  type RegisteredDevice,
} from '@datagraph/protocol';
import { buildProviderAction, buildRegistration } from '../registry/providerRequests.ts';
import { parseFlags } from './parseFlags.ts';

const USAGE = `usage: datagraph provider <command> [options]

commands:
  init                                   create a provider key (dag4 V3 keystore)
  register --code PAIRING_CODE... --share FIELD:CADENCE[,...] [--coarse FIELD,...] [--expires UNIX_SECONDS]
                                         register devices and a consent policy with the gateway
  pair --code PAIRING_CODE...            add devices (a new policy version, same consent)
  consent --share FIELD:CADENCE[,...]    change what is shared (a new policy version)
  consent --revoke | --erase             stop sharing; --erase also deletes your data at the gateway
  status                                 what the gateway holds for you

options:
  --keystore FILE        provider keystore (default .datagraph/provider-keystore.json)
  --passphrase-file F    keystore passphrase (or the DG_PASSPHRASE environment variable)
  --gateway URL          gateway REST API (default http://127.0.0.1:8080)

example:
  DG_PASSPHRASE=... datagraph provider register --code DG1-ABCD-... --share steps:hourly,sleep_hours:daily
`;

interface Ctx {
  key: KeyPair;
  gateway: string;
}

export async function runProviderCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const args = parseFlags(argv, ['--help', '-h', '--revoke', '--erase']);
  const [command] = args.positional;
  if (!command || args.flags['--help'] || args.flags['-h']) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  try {
    const keystore = args.flags['--keystore'] ?? '.datagraph/provider-keystore.json';
    const passphrase = args.flags['--passphrase-file']
      ? readFileSync(args.flags['--passphrase-file'], 'utf8').trim()
      : env.DG_PASSPHRASE;
    if (!passphrase) throw new ProtocolError('PR_KEYSTORE_PASSWORD', 'set DG_PASSPHRASE or --passphrase-file');
    if (command === 'init') {
      if (existsSync(keystore))
        throw new ProtocolError('PR_KEYSTORE_INVALID', `${keystore} already exists; refusing to overwrite a key`);
      const key = generateKeyPair();
      mkdirSync(dirname(keystore), { recursive: true });
      writeFileSync(keystore, JSON.stringify(await encryptKeystore(key.privateKey, passphrase)), { mode: 0o600 });
      console.log(JSON.stringify({ address: key.address, keystore }));
      return 0;
    }
    const ctx: Ctx = {
      key: await decryptKeystore(JSON.parse(readFileSync(keystore, 'utf8')), passphrase),
      gateway: (args.flags['--gateway'] ?? 'http://127.0.0.1:8080').replace(/\/$/, ''),
    };
    const current = await getProvider(ctx);
    const codes = (args.multi['--code'] ?? []).map((c) => decodePairingCode(c));
    const devices = (list: { address: string; publicKey: string }[]): RegisteredDevice[] =>
      list.map((d) => ({ address: d.address, publicKey: d.publicKey }));
    switch (command) {
      case 'status':
        console.log(JSON.stringify(current ?? { provider: ctx.key.address, status: 'unregistered' }, null, 2));
        return current ? 0 : 1;
      case 'register': {
        if (codes.length === 0) throw new ProtocolError('PR_BAD_PAIRING_CODE', 'give at least one --code');
        const policy = makePolicy(
          ctx.key,
          (current?.policyVersion ?? 0) + 1,
          args.flags['--share'],
          args.flags['--coarse'],
          args.flags['--expires'],
        );
        return print(await post(ctx, '/v1/providers', buildRegistration(ctx.key, devices(codes), policy)));
      }
      case 'pair': {
        if (!current) throw new ProtocolError('GW_UNKNOWN_PROVIDER', 'register first (datagraph provider register)');
        if (codes.length === 0) throw new ProtocolError('PR_BAD_PAIRING_CODE', 'give at least one --code');
        const merged = [
          ...current.devices,
          ...codes.filter((c) => !current.devices.some((d) => d.address === c.address)),
        ];
        const policy = { ...current.policy, version: current.policyVersion + 1, issuedAt: nowSeconds() };
        return print(await post(ctx, '/v1/providers', buildRegistration(ctx.key, devices(merged), policy)));
      }
      case 'consent': {
        if (!current) throw new ProtocolError('GW_UNKNOWN_PROVIDER', 'register first (datagraph provider register)');
        if (args.flags['--revoke'] || args.flags['--erase']) {
          const type = args.flags['--erase'] ? 'EraseData' : 'RevokeConsent';
          const path = `/v1/providers/${ctx.key.address}/${type === 'EraseData' ? 'erase' : 'revoke'}`;
          return print(await post(ctx, path, buildProviderAction(ctx.key, type, current.policyVersion, nowSeconds())));
        }
        const policy = makePolicy(
          ctx.key,
          current.policyVersion + 1,
          args.flags['--share'],
          args.flags['--coarse'],
          args.flags['--expires'],
        );
        return print(await post(ctx, '/v1/providers', buildRegistration(ctx.key, devices(current.devices), policy)));
      }
      default:
        console.error(`datagraph provider: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    console.error(`datagraph provider: ${(e as Error).message}${isProtocolError(e) ? ` (${e.code})` : ''}`);
    return 1;
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** `steps:hourly,sleep_hours:daily` -> the policy's field map, checked against the catalogue. */
function makePolicy(
  key: KeyPair,
  version: number,
  share: string | undefined,
  coarse: string | undefined,
  expires: string | undefined,
): ConsentPolicy {
  if (!share) throw new ProtocolError('PR_SCHEMA', 'give --share FIELD:CADENCE[,...]');
  const fields: ConsentPolicy['fields'] = {};
  for (const item of share.split(',')) {
    const [f, c] = item.split(':');
    const field = FieldName.safeParse(f);
    const cadence = Cadence.safeParse(c);
    if (!field.success) throw new ProtocolError('PR_UNKNOWN_FIELD', `'${f}' is not in the catalogue`);
    if (!cadence.success)
      throw new ProtocolError('PR_FIELD_CADENCE', `'${c}' is not a cadence (profile, daily, hourly)`);
    fields[field.data] = [...new Set([...(fields[field.data] ?? []), cadence.data])];
  }
  const generalisation: ConsentPolicy['generalisation'] = {};
  for (const f of coarse ? coarse.split(',') : []) generalisation[FieldName.parse(f)] = 'coarse';
  return {
    v: 1,
    provider: key.address,
    version,
    fields,
    generalisation,
    issuedAt: nowSeconds(),
    expiresAt: expires ? Number(expires) : null,
  };
}

interface ProviderView {
  provider: string;
  status: string;
  policyVersion: number;
  devices: RegisteredDevice[];
  fields: ConsentPolicy['fields'];
  policy: ConsentPolicy;
}

async function getProvider(ctx: Ctx): Promise<ProviderView | undefined> {
  const r = await fetch(`${ctx.gateway}/v1/providers/${ctx.key.address}`);
  if (r.status === 404) return undefined;
  if (!r.ok) throw new Error(`gateway answered ${r.status}: ${await r.text()}`);
  return (await r.json()) as ProviderView;
}

async function post(ctx: Ctx, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const r = await fetch(`${ctx.gateway}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

function print(r: { status: number; body: unknown }): number {
  console.log(JSON.stringify(r.body));
  return r.status < 300 ? 0 : 1;
}
