// Providers and their devices as this gateway knows them: who may connect, under which consent policy.
// Held in memory (read on every CONNECT and every update) and written through to the store.
// Profile details stay here, off-chain; the ledger keeps device keys, the policy hash and version.
import type { ConsentPolicy, RegisteredDevice, SignatureProof } from '@datagraph/protocol';
import type { GatewayStore, StoreOp } from '../store/GatewayStore.ts';

export type ProviderStatus = 'active' | 'revoked' | 'erased';

export interface ProviderRecord {
  provider: string;
  publicKey: string;
  policy: ConsentPolicy;
  /** The policy exactly as the provider signed it (what devices verify), before zod defaults. */
  signedPolicy?: unknown;
  /** The provider's signature over the policy alone: what devices verify (SignedPolicy). */
  policyProof: SignatureProof;
  devices: RegisteredDevice[];
  status: ProviderStatus;
  /** Policy version named by the last revocation or erasure. */
  revokedVersion: number;
  updatedAt: number;
}

export interface DeviceRecord {
  address: string;
  publicKey: string;
  provider: string;
}

export class Registry {
  readonly #providers = new Map<string, ProviderRecord>();
  readonly #devices = new Map<string, DeviceRecord>();

  private constructor() {}

  static async load(store: GatewayStore): Promise<Registry> {
    const r = new Registry();
    for await (const [k, v] of store.entries<ProviderRecord>('providers')) r.#providers.set(k, v);
    for await (const [k, v] of store.entries<DeviceRecord>('devices')) r.#devices.set(k, v);
    return r;
  }

  provider(address: string): ProviderRecord | undefined {
    return this.#providers.get(address);
  }

  device(address: string): DeviceRecord | undefined {
    return this.#devices.get(address);
  }

  providers(): ProviderRecord[] {
    return [...this.#providers.values()];
  }

  /** The ops that store `record` (and map its devices to it); apply them with `commit` after they are written. */
  putOps(record: ProviderRecord): StoreOp[] {
    const prev = this.#providers.get(record.provider);
    const ops: StoreOp[] = [{ type: 'put', sub: 'providers', key: record.provider, value: record }];
    const keep = new Set(record.devices.map((d) => d.address));
    for (const d of prev?.devices ?? [])
      if (!keep.has(d.address)) ops.push({ type: 'del', sub: 'devices', key: d.address });
    for (const d of record.devices) {
      ops.push({
        type: 'put',
        sub: 'devices',
        key: d.address,
        value: { address: d.address, publicKey: d.publicKey, provider: record.provider },
      });
    }
    return ops;
  }

  /** Make a stored record visible (after its ops are durable). */
  commit(record: ProviderRecord): void {
    const prev = this.#providers.get(record.provider);
    const keep = new Set(record.devices.map((d) => d.address));
    for (const d of prev?.devices ?? []) if (!keep.has(d.address)) this.#devices.delete(d.address);
    for (const d of record.devices)
      this.#devices.set(d.address, { address: d.address, publicKey: d.publicKey, provider: record.provider });
    this.#providers.set(record.provider, record);
  }

  /** Stop a provider at once (in memory first, so no update slips in while the store writes). */
  setStatus(provider: string, status: ProviderStatus, revokedVersion: number, at: number): ProviderRecord | undefined {
    const prev = this.#providers.get(provider);
    if (!prev) return undefined;
    const next = { ...prev, status, revokedVersion: Math.max(prev.revokedVersion, revokedVersion), updatedAt: at };
    this.#providers.set(provider, next);
    return next;
  }
}
