// What the stateful rules read from the calculated state. Synchronous and narrow, so a node can back it by
// an in-memory CalculatedState (as here) or by its own indexes, and the rules never copy the whole state.
import type { DeviceRecord, ProviderRecord } from './records.ts';

export interface StateView {
  /** Ordinal of the last snapshot combined into this state; 0 before the first. */
  readonly ordinal: number;
  /** Hash chain over every delta applied so far (see combine.ts); 64 zeros before the first. */
  readonly hash: string;
  /** How many entries, provider records and device records the state holds. */
  totals(): { entries: number; providers: number; devices: number };
  provider(address: string): ProviderRecord | undefined;
  device(address: string): DeviceRecord | undefined;
  /** The device's last accepted seq; 0 when it has none (or is unknown). */
  lastSeq(device: string): number;
  hasCommitment(commitment: string): boolean;
  hasEntryId(id: string): boolean;
  hasQueryReceipt(query: string): boolean;
  /** Whether a QueryReceipt on chain already names this payment transaction. */
  hasPaymentTx(txHash: string): boolean;
  hasRewardCycle(gateway: string, cycle: number): boolean;
}

export const GENESIS_STATE_HASH = '0'.repeat(64);
