// The stateless checks on each IngestEntry of a batch (DESIGN.md section 1, step 8).
import {
  addressFromPublicKey,
  type Cadence,
  catalogue,
  type IngestEntry,
  verifyDataFast,
  WINDOW_SECONDS,
  type Window,
} from '@datagraph/protocol';
import { type Problem, problem } from './Problem.ts';

// A device signs every entry it sends, so the same few keys come back thousands of times a second, and deriving an
// address (SHA-256 and base58) cost a tenth as much as verifying the signature. Bounded: cleared when full.
const ADDRESS_CACHE_MAX = 20_000;
const addresses = new Map<string, string>();

/** addressFromPublicKey, remembered. */
export function addressOfKey(publicKey: string): string {
  let address = addresses.get(publicKey);
  if (address === undefined) {
    address = addressFromPublicKey(publicKey);
    if (addresses.size >= ADDRESS_CACHE_MAX) addresses.clear();
    addresses.set(publicKey, address);
  }
  return address;
}

export function checkIngestEntries(entries: readonly IngestEntry[]): Problem[] {
  const out: Problem[] = [];
  const ids = new Map<string, number>();
  const commitments = new Map<string, number>();
  const seqs = new Map<string, number>();
  // A plain loop with nothing allocated per entry unless it has a problem: a batch has thousands.
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as IngestEntry;
    const { fields, cadence } = entry;
    for (let j = 1; j < fields.length; j++) {
      if ((fields[j - 1] as string) >= (fields[j] as string)) {
        out.push(problem('MG_FIELDS_NOT_SORTED', 'field names must be sorted and unique', { entry: i }));
        break;
      }
    }
    for (const field of fields) {
      const offered = catalogue[field].cadence;
      if (offered !== cadence)
        out.push(problem('MG_FIELD_CADENCE', `${field} is a ${offered} field, not ${cadence}`, { entry: i }));
    }
    const window = windowProblem(cadence, entry.window);
    if (window) out.push(problem('MG_BAD_WINDOW', window, { entry: i }));
    if (addressOfKey(entry.proof.id) !== entry.device) {
      out.push(problem('MG_DEVICE_KEY_MISMATCH', 'entry proof key is not the key of entry.device', { entry: i }));
    }
    if (!verifyDataFast(entry.proof.id, entry.commitment, entry.proof.signature)) {
      out.push(
        problem('MG_BAD_DEVICE_SIGNATURE', 'device signature over the commitment does not verify', { entry: i }),
      );
    }
    duplicate(out, ids, entry.id, 'id', i);
    duplicate(out, commitments, entry.commitment, 'commitment', i);
    duplicate(out, seqs, `${entry.device}:${entry.seq}`, 'device and seq', i);
  }
  return out;
}

function duplicate(out: Problem[], seen: Map<string, number>, key: string, what: string, i: number): void {
  const first = seen.get(key);
  if (first === undefined) seen.set(key, i);
  else out.push(problem('MG_DUPLICATE_IN_BATCH', `same ${what} as entry ${first}`, { entry: i }));
}

/** Why a window does not fit its cadence, or null: hourly and daily windows are one aligned UTC hour or day. */
export function windowProblem(cadence: Cadence, window: Window): string | null {
  if (cadence === 'profile') return window.end > window.start ? null : 'profile window must end after it starts';
  const len = WINDOW_SECONDS[cadence];
  if (window.start % len !== 0) return `${cadence} window must start on a UTC ${cadence === 'hourly' ? 'hour' : 'day'}`;
  if (window.end - window.start !== len) return `${cadence} window must last exactly ${len} s`;
  return null;
}
