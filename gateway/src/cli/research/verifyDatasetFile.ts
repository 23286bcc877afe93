// `datagraph researcher verify FILE`: check every row of a downloaded dataset against the ledger (DESIGN.md section
// 3.5). Each row's commitment is recomputed from its body, the device signature checked over it, the signing key
// matched to the body's device, and the Merkle path checked against the entries root that the metagraph L0 itself
// gives for the row's snapshot (`GET /snapshots/{ordinal}`, fetched once per snapshot): never the root the row claims.
import { createReadStream } from 'node:fs';
import {
  type DatasetFormat,
  type DatasetProblem,
  DatasetReader,
  type DatasetRecord,
  verifyDatasetRow,
} from '@datagraph/protocol';

export interface RowFailure {
  row: number;
  line: number;
  problems: DatasetProblem[];
}

export interface VerifyReport {
  file: string;
  format: DatasetFormat;
  rows: number;
  ok: number;
  failures: RowFailure[];
  snapshots: number;
  /** A problem with the file as a whole (no rows, a header that is not a dataset's). */
  fileProblem?: DatasetProblem;
}

/** The format from the name, else from the first byte ('{' is NDJSON). */
export async function detectFormat(file: string): Promise<DatasetFormat> {
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(nd)?json(l)?$/i.test(file)) return 'ndjson';
  for await (const chunk of createReadStream(file, { start: 0, end: 0 }))
    return (chunk as Buffer)[0] === 0x7b ? 'ndjson' : 'csv';
  return 'ndjson';
}

/** The entries root the ledger holds for a snapshot, or undefined when it has no such snapshot. */
export async function fetchEntriesRoot(l0Url: string, ordinal: number): Promise<string | undefined> {
  const url = `${l0Url.replace(/\/+$/, '')}/snapshots/${ordinal}`;
  let res: Response;
  try {
    res = await fetch(url);
  } catch (cause) {
    throw new Error(`the metagraph L0 at ${l0Url} did not answer (${(cause as Error).message})`, { cause });
  }
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const snap = (await res.json()) as {
    value?: { ordinal?: number; dataApplication?: { onChainState?: { entriesRoot?: unknown } } };
  };
  const root = snap.value?.dataApplication?.onChainState?.entriesRoot;
  if (snap.value?.ordinal !== ordinal || typeof root !== 'string')
    throw new Error(`${url} is not a snapshot ${ordinal} with a data application entries root`);
  return root;
}

export async function verifyDatasetFile(
  file: string,
  rootOf: (ordinal: number) => Promise<string | undefined>,
  format?: DatasetFormat,
): Promise<VerifyReport> {
  const fmt = format ?? (await detectFormat(file));
  const reader = new DatasetReader(fmt);
  const roots = new Map<number, string | undefined>();
  const report: VerifyReport = { file, format: fmt, rows: 0, ok: 0, failures: [], snapshots: 0 };
  const check = async (records: DatasetRecord[]) => {
    for (const rec of records) {
      report.rows++;
      const problems = [...rec.problems];
      if (rec.row) {
        const ordinal = rec.row.ordinal;
        if (!roots.has(ordinal)) roots.set(ordinal, await rootOf(ordinal));
        problems.push(...verifyDatasetRow(rec.row, (o) => roots.get(o)));
      }
      if (problems.length === 0) report.ok++;
      else report.failures.push({ row: rec.position, line: rec.line, problems });
    }
  };
  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) await check(reader.push(chunk as string));
  await check(reader.end());
  report.snapshots = [...roots.values()].filter((r) => r !== undefined).length;
  if (reader.headerProblem) report.fileProblem = reader.headerProblem;
  else if (report.rows === 0) report.fileProblem = { code: 'PR_DATASET_MALFORMED', message: 'the file holds no rows' };
  return report;
}
