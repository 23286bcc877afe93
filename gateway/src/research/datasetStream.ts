// GET /v1/queries/{id}/data (DESIGN.md section 3 step 5): the query's usage streamed from LevelDB iterators in
// chunks, each chunk one multi-get of proofs and one of vault rows, encoded with protocol's dataset codec. The
// dataset is never built in memory: a chunk is read only when the socket has taken the previous one
// (Readable.from pulls the generator on demand). Rows of a provider who revoked or erased since the purchase
// are withheld (invariant 6): skipped and counted in the trailer.
import { Readable } from 'node:stream';
import {
  type DatasetFormat,
  type DatasetRow,
  type DatasetTrailer,
  type FieldName,
  type SignatureProof,
  type UpdateBody,
  csvHeader,
  rowToCsvLine,
  rowToNdjsonLine,
} from '@datagraph/protocol';
import type { Registry } from '../registry/Registry.ts';
import type { Vault } from '../vault/Vault.ts';
import type { ResearchStore, UsageRef } from './ResearchStore.ts';

const CHUNK = 1000;

interface VaultRow {
  body: UpdateBody;
  commitment: string;
  proof: SignatureProof;
}

export interface DatasetStreamDeps {
  research: ResearchStore;
  vault: Vault;
  registry: Registry;
}

export interface DatasetStreamRequest {
  queryId: string;
  format: DatasetFormat;
  columns: FieldName[];
  /** Released rows to skip (a resumed download); row numbers continue from it. */
  offset: number;
  /** Called once the last row is out, with the trailer (NDJSON writes it as its last line). */
  onEnd?: (t: DatasetTrailer) => void;
}

export function datasetStream(d: DatasetStreamDeps, req: DatasetStreamRequest): Readable {
  return Readable.from(datasetChunks(d, req), { objectMode: false, highWaterMark: 1 << 16 });
}

async function* datasetChunks(d: DatasetStreamDeps, req: DatasetStreamRequest): AsyncGenerator<string> {
  const { research, vault, registry } = d;
  let row = 0;
  let withheld = 0;
  if (req.format === 'csv') yield csvHeader(req.columns);
  const active = (provider: string) => registry.provider(provider)?.status === 'active';
  let batch: UsageRef[] = [];
  const emit = async (refs: UsageRef[]): Promise<string> => {
    const [proofs, rows] = await Promise.all([research.rowRefs(refs), vault.readRows<VaultRow>(refs)]);
    let out = '';
    for (let i = 0; i < refs.length; i++) {
      const p = proofs[i];
      const v = rows[i];
      // Re-checked after the reads: a revocation processed meanwhile withholds the row all the same.
      if (!p || !v || !active((refs[i] as UsageRef).provider)) {
        withheld++;
        continue;
      }
      const r: DatasetRow = {
        row: row++,
        body: v.body,
        commitment: v.commitment,
        proof: v.proof,
        ordinal: p.ordinal,
        merkle: p.merkleProof,
        entriesRoot: p.entriesRoot,
      };
      out += req.format === 'csv' ? rowToCsvLine(r, req.columns) : rowToNdjsonLine(r);
    }
    return out;
  };
  let skip = req.offset;
  for await (const ref of research.usage(req.queryId)) {
    if (!active(ref.provider)) {
      withheld++;
      continue;
    }
    if (skip > 0) {
      skip--;
      row++;
      continue;
    }
    batch.push(ref);
    if (batch.length >= CHUNK) {
      const text = await emit(batch);
      batch = [];
      if (text) yield text;
    }
  }
  if (batch.length > 0) {
    const text = await emit(batch);
    if (text) yield text;
  }
  const trailer: DatasetTrailer = { queryId: req.queryId, released: row - req.offset, withheld, nextOffset: row };
  req.onEnd?.(trailer);
  if (req.format === 'ndjson') yield `${JSON.stringify({ trailer })}\n`;
}
