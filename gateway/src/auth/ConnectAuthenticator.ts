// Who may CONNECT (DESIGN.md section 7): a registered device of an active provider, with a fresh connect
// token signed by its key. Tokens are accepted within the clock-skew window and only once: the seconds
// of every token used are remembered per device until they fall out of the window, so a captured password
// cannot be replayed while it would still be fresh.
import { type Clock, CONNECT_SKEW_SECONDS, type ErrorCode, verifyConnectPassword } from '@datagraph/protocol';
import type { Registry } from '../registry/Registry.ts';

export type ConnectVerdict = { ok: true } | { ok: false; code: ErrorCode; returnCode: 4 | 5 };

export class ConnectAuthenticator {
  readonly #registry: Registry;
  readonly #clock: Clock;
  readonly #skew: number;
  /** deviceId -> unix seconds of tokens already used (each forgotten once outside the skew window). */
  readonly #used = new Map<string, Set<number>>();

  constructor(registry: Registry, clock: Clock, skewSeconds = CONNECT_SKEW_SECONDS) {
    this.#registry = registry;
    this.#clock = clock;
    this.#skew = skewSeconds;
  }

  check(username: string | undefined, password: Buffer | string | undefined): ConnectVerdict {
    const device = username === undefined ? undefined : this.#registry.device(username);
    // MQTT-3.1.1 CONNACK 5 "not authorised" for unknown or revoked devices; 4 "bad user name or password".
    if (!device || username === undefined) return { ok: false, code: 'GW_UNKNOWN_DEVICE', returnCode: 5 };
    if (this.#registry.provider(device.provider)?.status !== 'active')
      return { ok: false, code: 'GW_DEVICE_REVOKED', returnCode: 5 };
    const nowMs = this.#clock.now();
    const verdict = verifyConnectPassword(username, device.publicKey, password, nowMs, this.#skew);
    if (verdict === 'stale') return { ok: false, code: 'GW_STALE_CONNECT_TOKEN', returnCode: 4 };
    if (verdict !== 'ok') return { ok: false, code: 'GW_BAD_CONNECT_TOKEN', returnCode: 4 };
    const seconds = Number(String(typeof password === 'string' ? password : Buffer.from(password ?? '')).split(':')[0]);
    const nowS = Math.floor(nowMs / 1000);
    const used = this.#used.get(username) ?? new Set<number>();
    for (const s of used) if (Math.abs(nowS - s) > this.#skew) used.delete(s);
    if (used.has(seconds)) return { ok: false, code: 'GW_REPLAYED_CONNECT_TOKEN', returnCode: 4 };
    used.add(seconds);
    this.#used.set(username, used);
    return { ok: true };
  }
}
