// A StateView over a base state plus the changes of updates applied on top of it, without copying the base.
// validateData uses it so that each update is judged against the state left by the ones accepted before it;
// combine uses it to collect a snapshot's changes into a delta.
import {
  type Cadence,
  type DataUpdate,
  FIELD_NAMES,
  type FieldName,
  hashCanonical,
  type IngestBatch,
  type RegisterProvider,
} from '@datagraph/protocol';
import type { DeviceRecord, EntryRecord, ProviderRecord, QueryReceiptRecord, RewardCycleRecord } from './records.ts';
import type { StateView } from './StateView.ts';

export class PendingState implements StateView {
  readonly providers = new Map<string, ProviderRecord>();
  readonly devices = new Map<string, DeviceRecord>();
  /** New entries in the order applied; `index` is the position here. */
  readonly entries: EntryRecord[] = [];
  readonly queryReceipts = new Map<string, QueryReceiptRecord>();
  readonly rewardCycles = new Map<string, RewardCycleRecord>();
  private readonly commitments = new Set<string>();
  private readonly ids = new Set<string>();
  private readonly payments = new Set<string>();

  /** `ordinal` is the snapshot the changes will belong to. */
  constructor(
    private readonly base: StateView,
    readonly pendingOrdinal: number,
  ) {}

  get ordinal(): number {
    return this.base.ordinal;
  }

  get hash(): string {
    return this.base.hash;
  }

  totals(): { entries: number; providers: number; devices: number } {
    const t = this.base.totals();
    let providers = t.providers;
    let devices = t.devices;
    for (const a of this.providers.keys()) if (this.base.provider(a) === undefined) providers++;
    for (const a of this.devices.keys()) if (this.base.device(a) === undefined) devices++;
    return { entries: t.entries + this.entries.length, providers, devices };
  }

  provider(address: string): ProviderRecord | undefined {
    return this.providers.get(address) ?? this.base.provider(address);
  }

  device(address: string): DeviceRecord | undefined {
    return this.devices.get(address) ?? this.base.device(address);
  }

  lastSeq(device: string): number {
    return this.devices.get(device)?.lastSeq ?? this.base.lastSeq(device);
  }

  hasCommitment(commitment: string): boolean {
    return this.commitments.has(commitment) || this.base.hasCommitment(commitment);
  }

  hasEntryId(id: string): boolean {
    return this.ids.has(id) || this.base.hasEntryId(id);
  }

  hasQueryReceipt(query: string): boolean {
    return this.queryReceipts.has(query) || this.base.hasQueryReceipt(query);
  }

  hasPaymentTx(txHash: string): boolean {
    return this.payments.has(txHash) || this.base.hasPaymentTx(txHash);
  }

  hasRewardCycle(gateway: string, cycle: number): boolean {
    return this.rewardCycles.has(cycleKey(gateway, cycle)) || this.base.hasRewardCycle(gateway, cycle);
  }

  /** Apply an update that validateData accepted against this view. */
  apply(value: DataUpdate): void {
    const ordinal = this.pendingOrdinal;
    switch (value.type) {
      case 'IngestBatch':
        this.applyBatch(value);
        return;
      case 'RegisterProvider':
        this.applyRegistration(value);
        return;
      case 'RevokeConsent':
      case 'EraseData': {
        const prev = this.mustProvider(value.provider);
        const erased = value.type === 'EraseData' || prev.status === 'erased';
        this.providers.set(prev.address, {
          ...prev,
          status: erased ? 'erased' : 'revoked',
          revokedVersion: Math.max(prev.revokedVersion, value.policyVersion),
          updatedOrdinal: ordinal,
        });
        return;
      }
      case 'QueryReceipt': {
        const { type: _t, v: _v, ...rest } = value;
        this.queryReceipts.set(value.query, { ...rest, ordinal });
        this.payments.add(value.payment.txHash);
        return;
      }
      case 'RewardCycle': {
        const { type: _t, v: _v, ...rest } = value;
        this.rewardCycles.set(cycleKey(value.gateway, value.cycle), { ...rest, ordinal });
        return;
      }
    }
  }

  // The records are built with their members in canonical (sorted) order: combine hashes the canonical JSON of
  // every entry of a snapshot, which canonicalJson then writes with plain JSON.stringify. (CalculatedState.toJSON
  // writes records in their schemas' order, the vectors' text form.)
  private applyBatch(value: IngestBatch): void {
    for (const e of value.entries) {
      const device = this.device(e.device);
      if (device === undefined)
        throw new Error(`combine: device ${e.device} is not registered (was the update validated?)`);
      this.devices.set(e.device, {
        address: device.address,
        lastSeq: e.seq,
        provider: device.provider,
        publicKey: device.publicKey,
      });
      this.entries.push({
        cadence: e.cadence,
        commitment: e.commitment,
        device: e.device,
        fields: [...e.fields],
        gateway: value.gateway,
        id: e.id,
        index: this.entries.length,
        ordinal: this.pendingOrdinal,
        policyVersion: e.policyVersion,
        provider: e.provider,
        seq: e.seq,
        window: { end: e.window.end, start: e.window.start },
      });
      this.commitments.add(e.commitment);
      this.ids.add(e.id);
    }
  }

  private applyRegistration(value: RegisterProvider): void {
    const prev = this.provider(value.provider);
    const listed = new Set(value.devices.map((d) => d.address));
    // Devices the new registration no longer lists are released (their lastSeq stays with them).
    for (const address of prev?.devices ?? []) {
      if (listed.has(address)) continue;
      const d = this.device(address);
      if (d !== undefined) this.devices.set(address, { ...d, provider: null });
    }
    for (const d of value.devices) {
      const known = this.device(d.address);
      this.devices.set(d.address, {
        address: d.address,
        publicKey: d.publicKey,
        provider: value.provider,
        lastSeq: known?.lastSeq ?? 0,
      });
    }
    this.providers.set(value.provider, {
      address: value.provider,
      policyVersion: value.policy.version,
      policyHash: hashCanonical(value.policy),
      consent: normaliseConsent(value.policy.fields),
      expiresAt: value.policy.expiresAt,
      devices: [...listed].sort(),
      status: 'active',
      revokedVersion: prev?.revokedVersion ?? 0,
      updatedOrdinal: this.pendingOrdinal,
    });
  }

  private mustProvider(address: string): ProviderRecord {
    const p = this.provider(address);
    if (p === undefined) throw new Error(`combine: provider ${address} is not registered (was the update validated?)`);
    return p;
  }
}

export function cycleKey(gateway: string, cycle: number): string {
  return `${gateway}:${cycle}`;
}

const CADENCE_ORDER: readonly Cadence[] = ['daily', 'hourly', 'profile'];

/** Consent with field keys in catalogue-name order and each field's cadences sorted and unique. */
export function normaliseConsent(
  fields: Partial<Record<FieldName, readonly Cadence[]>>,
): Partial<Record<FieldName, Cadence[]>> {
  const out: Partial<Record<FieldName, Cadence[]>> = {};
  for (const f of FIELD_NAMES) {
    const cadences = fields[f];
    if (cadences !== undefined) out[f] = CADENCE_ORDER.filter((c) => cadences.includes(c));
  }
  return out;
}
