// Portal sessions: the browser proves it holds the provider key by signing a one-time challenge (dag4
// dataSign over the challenge text, verified natively), and gets a bearer token that expires after a
// configurable time. Held in memory: a gateway restart signs everyone out, which only costs a new signature.
import { randomBytes } from 'node:crypto';
import { addressFromPublicKey, type Clock, isDagAddress, ProtocolError, verifyDataFast } from '@datagraph/protocol';

export interface PortalSession {
  address: string;
  expiresAt: number;
}

const CHALLENGE_TTL_MS = 5 * 60_000;

export class PortalSessions {
  readonly #challenges = new Map<string, { address: string; expiresAt: number }>();
  readonly #sessions = new Map<string, PortalSession>();

  constructor(
    private readonly clock: Clock,
    readonly ttlMs: number,
  ) {}

  /** A challenge text for `address` to sign; it names the address, so a signature cannot be replayed for another. */
  challenge(address: string): { challenge: string; expiresAt: number } {
    if (!isDagAddress(address)) throw new ProtocolError('PR_SCHEMA', 'address is not a DAG address');
    this.#sweep();
    const expiresAt = this.clock.now() + CHALLENGE_TTL_MS;
    const challenge = `datagraph-portal-login:${address}:${randomBytes(16).toString('hex')}:${expiresAt}`;
    this.#challenges.set(challenge, { address, expiresAt });
    return { challenge, expiresAt };
  }

  /** Check the signed challenge (once) and open a session. */
  open(input: { challenge: string; publicKey: string; signature: string }): { token: string } & PortalSession {
    const pending = this.#challenges.get(input.challenge);
    this.#challenges.delete(input.challenge);
    if (!pending || pending.expiresAt <= this.clock.now()) throw new ProtocolError('GW_PORTAL_CHALLENGE');
    let signer: string;
    try {
      signer = addressFromPublicKey(input.publicKey);
    } catch {
      throw new ProtocolError('GW_PORTAL_BAD_SIGNATURE');
    }
    if (
      signer !== pending.address ||
      !verifyDataFast(input.publicKey.replace(/^04/, ''), input.challenge, input.signature)
    )
      throw new ProtocolError('GW_PORTAL_BAD_SIGNATURE');
    const token = randomBytes(32).toString('hex');
    const session = { address: signer, expiresAt: this.clock.now() + this.ttlMs };
    this.#sessions.set(token, session);
    return { token, ...session };
  }

  /** The session behind an Authorization header, or a clear refusal (missing, unknown, expired). */
  require(authorization: string | undefined): PortalSession {
    const token = /^Bearer ([0-9a-f]{64})$/.exec(authorization ?? '')?.[1];
    if (!token) throw new ProtocolError('GW_PORTAL_SESSION_REQUIRED');
    const s = this.#sessions.get(token);
    if (!s) throw new ProtocolError('GW_PORTAL_SESSION_REQUIRED', 'unknown session: sign in again');
    if (s.expiresAt <= this.clock.now()) {
      this.#sessions.delete(token);
      throw new ProtocolError('GW_PORTAL_SESSION_EXPIRED');
    }
    return s;
  }

  close(authorization: string | undefined): void {
    const token = /^Bearer ([0-9a-f]{64})$/.exec(authorization ?? '')?.[1];
    if (token) this.#sessions.delete(token);
  }

  #sweep(): void {
    const now = this.clock.now();
    for (const [k, v] of this.#challenges) if (v.expiresAt <= now) this.#challenges.delete(k);
    for (const [k, v] of this.#sessions) if (v.expiresAt <= now) this.#sessions.delete(k);
  }
}
