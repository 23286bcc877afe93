// Who may read a provider's earnings (issue 7: statements are private). Two ways in:
//   - a signed request, for the CLI and scripts: `Authorization: DG-Provider {publicKey}:{unixSeconds}:{signature}`
//     where signature is dag4's dataSign convention (dataSignFast) over `dg-earnings:{address}:{unixSeconds}`,
//     accepted within 5 minutes either way and only when the public key's address is the path's address (the
//     same shape as the devices' MQTT connect token, protocol/src/connectToken.ts). Read-only, so a replay inside
//     the window shows the same statement to the same holder of the header, nothing more;
//   - a portal session (`Authorization: Bearer {token}`), when the gateway hands in the portal's PortalSessions.
import {
  addressFromPublicKey,
  type Clock,
  dataSignFast,
  type KeyPair,
  ProtocolError,
  verifyDataFast,
} from '@datagraph/protocol';
import type { PortalSessions } from '../portal/PortalSessions.ts';

export const EARNINGS_SKEW_SECONDS = 300;
const HEADER_RE = /^DG-Provider ([0-9a-f]{128}):(\d{1,12}):([0-9a-f]{16,144})$/;

export const earningsMessage = (address: string, unixSeconds: number): string =>
  `dg-earnings:${address}:${unixSeconds}`;

/** The Authorization header value that lets `key` read its own earnings now. */
export function earningsAuthorization(
  key: Pick<KeyPair, 'privateKey' | 'publicKey' | 'address'>,
  clock: Pick<Clock, 'now'>,
): string {
  const s = Math.floor(clock.now() / 1000);
  return `DG-Provider ${key.publicKey}:${s}:${dataSignFast(key.privateKey, earningsMessage(key.address, s))}`;
}

/** Throws GW_PROVIDER_AUTH_REQUIRED (no, stale or forged credentials) or GW_PROVIDER_FORBIDDEN (another provider). */
export function providerAuthorizer(opts: {
  clock: Pick<Clock, 'now'>;
  sessions?: Pick<PortalSessions, 'require'>;
}): (authorization: string | undefined, address: string) => void {
  return (authorization, address) => {
    if (opts.sessions && /^Bearer /.test(authorization ?? '')) {
      if (opts.sessions.require(authorization).address !== address) throw new ProtocolError('GW_PROVIDER_FORBIDDEN');
      return;
    }
    const m = HEADER_RE.exec(authorization ?? '');
    if (!m) throw new ProtocolError('GW_PROVIDER_AUTH_REQUIRED');
    const [, publicKey, seconds, signature] = m as unknown as [string, string, string, string];
    const s = Number(seconds);
    if (Math.abs(Math.floor(opts.clock.now() / 1000) - s) > EARNINGS_SKEW_SECONDS)
      throw new ProtocolError(
        'GW_PROVIDER_AUTH_REQUIRED',
        'the signed request is older than 5 minutes (or the clock is off): sign a fresh one',
      );
    const signer = addressFromPublicKey(publicKey);
    if (!verifyDataFast(publicKey, earningsMessage(signer, s), signature))
      throw new ProtocolError('GW_PROVIDER_AUTH_REQUIRED', 'the signature does not verify');
    if (signer !== address) throw new ProtocolError('GW_PROVIDER_FORBIDDEN');
  };
}
