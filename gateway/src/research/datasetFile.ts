// A prepared dataset (DatasetPreparer.ts): a paid query's NDJSON lines, written once after payment so that its
// downloads read one file instead of two LevelDB lookups, a decryption and a line build per row. The lines stay
// sealed at rest under each provider's own data key, in blocks of one provider's consecutive rows, so erasing a
// provider (deleting the key) shreds their rows in every prepared dataset as it does in the vault. Each row keeps
// its policy version in the clear beside it, so a download withholds the rows of a provider who revoked or erased
// since (invariant 6) as the vault's path does. A line is stored without its `{"row":N,` head: row numbers depend
// on what is withheld and where a resumed download starts, so the download writes them.
// Imports nothing but node:crypto: the download's worker thread writes blocks.
//
// Layout (integers little-endian u32):
//   MAGIC
//   block: 0x01, provider length (u8), provider (ASCII), rows n, sealed length, n line lengths, n policy versions,
//          sealed = IV (12) | GCM tag (16) | AES-256-GCM(the n lines); associated data: `dgds:{queryId}:{first}:`
//          and the block's header bytes (first = rows released before it: blocks cannot be moved or dropped)
//   end:   0x02, rows withheld while preparing, rows released while preparing (the blocks' rows: checked)
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import type { ErrorCode } from '@datagraph/protocol';

export const MAGIC = Buffer.from('DGDSET1\n', 'latin1');
const BLOCK = 1;
const END = 2;
export const END_BYTES = 9;
const IV = 12;
const TAG = 16;
/** Plaintext per block: one decipher set-up per about 30 rows instead of one per row. */
export const BLOCK_BYTES = 64 * 1024;

export interface DatasetBlock {
  provider: string;
  /** Byte length of each row's line (without its head) in the opened block. */
  lens: number[];
  /** Each row's consent policy version (rowLive). */
  policy: number[];
  /** Rows released before this block (its associated data). */
  first: number;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
  /** The query and the block's header bytes: with `first`, its associated data (made only if it is opened). */
  queryId: string;
  header: Buffer;
}

export interface DatasetEnd {
  withheld: number;
  released: number;
}

const aadOf = (queryId: string, first: number, header: Buffer) =>
  Buffer.concat([Buffer.from(`dgds:${queryId}:${first}:`, 'latin1'), header]);

function blockHeader(provider: string, lens: readonly number[], policy: readonly number[], sealed: number): Buffer {
  const n = lens.length;
  const h = Buffer.allocUnsafe(2 + provider.length + 8 + 8 * n);
  h[0] = BLOCK;
  h[1] = provider.length;
  let at = 2 + h.write(provider, 2, 'latin1');
  at = h.writeUInt32LE(n, at);
  at = h.writeUInt32LE(sealed, at);
  for (const l of lens) at = h.writeUInt32LE(l, at);
  for (const p of policy) at = h.writeUInt32LE(p, at);
  return h;
}

/**
 * Blocks of consecutive rows of one provider, each up to BLOCK_BYTES of lines (a longer line is a block alone),
 * sealed with the provider's key. `lines` holds the rows' lines back to back, `lens` their lengths.
 */
export function sealBlocks(
  queryId: string,
  first: number,
  lines: Buffer,
  lens: readonly number[],
  rows: readonly { provider: string; key: Uint8Array; policy: number }[],
): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  let at = 0;
  while (i < rows.length) {
    const { provider, key } = rows[i] as { provider: string; key: Uint8Array };
    let j = i;
    let bytes = 0;
    while (j < rows.length && rows[j]?.provider === provider && (j === i || bytes + (lens[j] as number) <= BLOCK_BYTES))
      bytes += lens[j++] as number;
    const blockLens = lens.slice(i, j);
    const header = blockHeader(
      provider,
      blockLens,
      rows.slice(i, j).map((r) => r.policy),
      IV + TAG + bytes,
    );
    const iv = randomFillSync(Buffer.allocUnsafe(IV));
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(aadOf(queryId, first + i, header));
    const ct = c.update(lines.subarray(at, at + bytes));
    c.final(); // GCM writes nothing at final
    out.push(header, iv, c.getAuthTag(), ct);
    at += bytes;
    i = j;
  }
  return out;
}

export function endFrame(e: DatasetEnd): Buffer {
  const b = Buffer.allocUnsafe(END_BYTES);
  b[0] = END;
  b.writeUInt32LE(e.withheld, 1);
  b.writeUInt32LE(e.released, 5);
  return b;
}

/**
 * A prepared file that does not verify or ends early. Its code is the catalogue's GW_DATASET_FILE; the class stays
 * here (not a ProtocolError) so the worker thread, which writes blocks, loads nothing of protocol's runtime.
 */
export class DatasetFileError extends Error {
  readonly code = 'GW_DATASET_FILE' satisfies ErrorCode;
}

/**
 * The next frame at `at` in `buf[0, have)`: a block, the end, or how many bytes the frame needs when it is not
 * all there yet.
 */
export function parseFrame(
  queryId: string,
  first: number,
  buf: Buffer,
  at: number,
  have: number,
): { block: DatasetBlock; next: number } | { end: DatasetEnd; next: number } | { need: number } {
  if (have - at < 2) return { need: 2 };
  const kind = buf[at];
  if (kind === END) {
    if (have - at < END_BYTES) return { need: END_BYTES };
    return {
      end: { withheld: buf.readUInt32LE(at + 1), released: buf.readUInt32LE(at + 5) },
      next: at + END_BYTES,
    };
  }
  if (kind !== BLOCK) throw new DatasetFileError(`unknown frame ${kind} at byte ${at}`);
  const plen = buf[at + 1] as number;
  const fixed = 2 + plen + 8;
  if (have - at < fixed) return { need: fixed };
  const n = buf.readUInt32LE(at + 2 + plen);
  const sealed = buf.readUInt32LE(at + 6 + plen);
  const headerLen = fixed + 8 * n;
  if (sealed < IV + TAG) throw new DatasetFileError(`block at byte ${at} is too short`);
  if (have - at < headerLen + sealed) return { need: headerLen + sealed };
  const lens: number[] = new Array(n);
  const policy: number[] = new Array(n);
  for (let i = 0, p = at + fixed; i < n; i++, p += 4) {
    lens[i] = buf.readUInt32LE(p);
    policy[i] = buf.readUInt32LE(p + 4 * n);
  }
  const s = at + headerLen;
  return {
    block: {
      provider: buf.toString('latin1', at + 2, at + 2 + plen),
      lens,
      policy,
      first,
      iv: buf.subarray(s, s + IV),
      tag: buf.subarray(s + IV, s + IV + TAG),
      ciphertext: buf.subarray(s + IV + TAG, s + sealed),
      queryId,
      header: buf.subarray(at, s),
    },
    next: s + sealed,
  };
}

/** A block's lines, back to back; throws unless its tag verifies under the provider's key. */
export function openBlock(key: Uint8Array, b: DatasetBlock): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, b.iv);
  d.setAAD(aadOf(b.queryId, b.first, b.header));
  d.setAuthTag(b.tag);
  const plain = d.update(b.ciphertext);
  try {
    d.final();
  } catch {
    throw new DatasetFileError(`block of rows from ${b.first} does not verify`);
  }
  return plain;
}
