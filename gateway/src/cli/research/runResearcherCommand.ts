// `datagraph researcher <init|quote|buy|download|verify>`: a researcher's wallet at the terminal (DESIGN.md section
// 3). The key lives in a dag4 V3 keystore (passphrase from DG_PASSPHRASE or --passphrase-file, as for
// `datagraph provider`); payments are dag4 transfers signed here, so the gateway never holds the key.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  Cadence,
  DatasetFormat,
  decryptKeystore,
  encryptKeystore,
  FieldName,
  formatTokens,
  generateKeyPair,
  isProtocolError,
  type KeyPair,
  ProtocolError,
  parseBaseUnits,
  type QuoteRequest,
} from '@datagraph/protocol';
import { parseFlags } from '../parseFlags.ts';
import { buyQuote } from './buyQuote.ts';
import { downloadDataset } from './downloadDataset.ts';
import type { TextSink } from './ProgressBar.ts';
import { ResearchApi } from './ResearchApi.ts';
import { ResearcherState } from './ResearcherState.ts';
import { fetchEntriesRoot, verifyDatasetFile } from './verifyDatasetFile.ts';

const USAGE = `usage: datagraph researcher <command> [options]

commands:
  init                                    create a researcher key (dag4 V3 keystore) and print its address
  quote --fields a,b [--cadence hourly] [--from UNIX] [--to UNIX] [--gender G] [--age-band B] [--limit N]
                                          price a dataset: rows, providers, price, payTo, expiry, quote id
  buy QUOTE_ID [--wait SECONDS]           pay the quote from your keystore (dag4 transfer to payTo) and open the query
  download QUERY_ID [--format csv|ndjson] [--out FILE]
                                          stream the rows to FILE with a progress bar; run again to resume
  verify FILE [--l0-url URL]              check every row against the ledger; non-zero exit on any failure

options:
  --keystore FILE        researcher keystore (default .datagraph/researcher-keystore.json)
  --passphrase-file F    keystore passphrase (or the DG_PASSPHRASE environment variable)
  --state FILE           quotes, payments and query tokens (default .datagraph/researcher-state.json)
  --gateway URL          gateway REST API (default http://127.0.0.1:8080)
  --l0-url URL           metagraph L0 (default http://127.0.0.1:9200): snapshots for verify, balances for dag4
  --l1-url URL           currency L1 (default http://127.0.0.1:9300): where dag4 posts the payment
  --metagraph-id ID      the metagraph's id for dag4 (default datagraph)

example:
  DG_PASSPHRASE=... datagraph researcher quote --fields steps,heart_rate_avg --cadence hourly
  DG_PASSPHRASE=... datagraph researcher buy 6f1c...  &&  datagraph researcher download 9a2e... --format csv
  datagraph researcher verify 9a2e....csv
`;

export interface ResearcherIo {
  out: TextSink;
  err: TextSink;
}

export async function runResearcherCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  io: ResearcherIo = { out: process.stdout, err: process.stderr },
): Promise<number> {
  const args = parseFlags(argv);
  const [command, target] = args.positional;
  const f = args.flags;
  const print = (v: unknown) => io.out.write(`${typeof v === 'string' ? v : JSON.stringify(v, null, 2)}\n`);
  if (!command || f['--help'] || f['-h']) {
    io.out.write(USAGE);
    return command ? 0 : 2;
  }
  const keystore = f['--keystore'] ?? '.datagraph/researcher-keystore.json';
  const gateway = f['--gateway'] ?? 'http://127.0.0.1:8080';
  const l0 = f['--l0-url'] ?? 'http://127.0.0.1:9200';
  const l1 = f['--l1-url'] ?? 'http://127.0.0.1:9300';
  const state = () => new ResearcherState(f['--state'] ?? '.datagraph/researcher-state.json');
  const passphrase = (): string => {
    const p = f['--passphrase-file'] ? readFileSync(f['--passphrase-file'], 'utf8').trim() : env.DG_PASSPHRASE;
    if (!p) throw new ProtocolError('PR_KEYSTORE_PASSWORD', 'set DG_PASSPHRASE or --passphrase-file');
    return p;
  };
  const loadKey = async (): Promise<KeyPair> => {
    if (!existsSync(keystore)) throw new ProtocolError('PR_KEYSTORE_INVALID', `no keystore at ${keystore}: run init`);
    return decryptKeystore(JSON.parse(readFileSync(keystore, 'utf8')), passphrase());
  };
  const need = (what: string): string => {
    if (!target) throw new ProtocolError('PR_SCHEMA', `give the ${what}`);
    return target;
  };
  try {
    switch (command) {
      case 'init': {
        if (existsSync(keystore))
          throw new ProtocolError('PR_KEYSTORE_INVALID', `${keystore} already exists; refusing to overwrite a key`);
        const key = generateKeyPair();
        const ks = await encryptKeystore(key.privateKey, passphrase());
        mkdirSync(dirname(keystore), { recursive: true });
        writeFileSync(keystore, JSON.stringify(ks), { mode: 0o600 });
        print({ address: key.address, keystore });
        return 0;
      }
      case 'quote': {
        const quote = await new ResearchApi(gateway).quote(quoteRequest(f));
        state().saveQuote(quote);
        const price = parseBaseUnits(quote.price);
        print({ ...quote, priceTokens: formatTokens(price), expires: new Date(quote.expiresAt * 1000).toISOString() });
        return 0;
      }
      case 'buy': {
        const result = await buyQuote({
          quoteId: need('quote id (from `datagraph researcher quote`)'),
          api: new ResearchApi(gateway),
          state: state(),
          loadKey,
          ledger: { l0, l1, metagraphId: f['--metagraph-id'] ?? 'datagraph' },
          waitSeconds: Number(f['--wait'] ?? 600),
          log: (line) => io.err.write(`${line}\n`),
        });
        print(result);
        return result.status === 'complete' ? 0 : 1;
      }
      case 'download': {
        const queryId = need('query id (from `datagraph researcher buy`)');
        const saved = state().query(queryId);
        if (!saved)
          throw new ProtocolError('GW_QUERY_NOT_FOUND', `no token saved for query ${queryId}: it is saved by buy`);
        const format = DatasetFormat.parse(f['--format'] ?? 'csv');
        const result = await downloadDataset(new ResearchApi(f['--gateway'] ?? saved.gateway), {
          queryId,
          token: saved.token,
          format,
          file: f['--out'] ?? `${queryId}.${format}`,
          stderr: io.err,
        });
        print(result);
        return 0;
      }
      case 'verify': {
        const file = need('dataset file');
        const report = await verifyDatasetFile(file, (o) => fetchEntriesRoot(l0, o));
        for (const fail of report.failures)
          for (const p of fail.problems) io.out.write(`row ${fail.row} (line ${fail.line}): ${p.code} ${p.message}\n`);
        if (report.fileProblem) io.out.write(`${file}: ${report.fileProblem.code} ${report.fileProblem.message}\n`);
        const bad = report.failures.length;
        io.out.write(
          `${bad === 0 && !report.fileProblem ? 'OK' : 'FAILED'}: ${report.rows} rows, ${report.ok} verified, ${bad} failing, ` +
            `against ${report.snapshots} snapshots from ${l0}\n`,
        );
        return bad === 0 && !report.fileProblem ? 0 : 1;
      }
      default:
        io.err.write(`datagraph researcher: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    io.err.write(`datagraph researcher: ${(e as Error).message}${isProtocolError(e) ? ` (${e.code})` : ''}\n`);
    return 1;
  }
}

/** Flags -> POST /v1/quotes body; every bad flag is named. */
function quoteRequest(f: Record<string, string>): QuoteRequest {
  const problems: string[] = [];
  const fields = (f['--fields'] ?? '').split(',').filter(Boolean);
  if (fields.length === 0) problems.push('--fields: give at least one field (a,b,...)');
  for (const x of fields)
    if (!FieldName.safeParse(x).success) problems.push(`--fields: '${x}' is not in the catalogue`);
  const int = (name: string): number | undefined => {
    const v = f[name];
    if (v === undefined) return undefined;
    if (!/^[0-9]+$/.test(v)) problems.push(`${name}: '${v}' is not a whole number`);
    return Number(v);
  };
  const time = (name: string): number | undefined => {
    const v = f[name];
    if (v === undefined || /^[0-9]+$/.test(v)) return int(name);
    const ms = Date.parse(v); // an ISO date is accepted too
    if (Number.isNaN(ms)) problems.push(`${name}: '${v}' is neither unix seconds nor an ISO date`);
    return Math.floor(ms / 1000);
  };
  const cadence = f['--cadence'];
  if (cadence !== undefined && !Cadence.safeParse(cadence).success)
    problems.push(`--cadence: '${cadence}' is not profile, daily or hourly`);
  const req: QuoteRequest = { fields: fields as FieldName[] };
  if (cadence !== undefined) req.cadence = cadence as Cadence;
  const from = time('--from');
  const to = time('--to');
  const limit = int('--limit');
  if (from !== undefined) req.from = from;
  if (to !== undefined) req.to = to;
  if (limit !== undefined) req.limit = limit;
  const filters: NonNullable<QuoteRequest['filters']> = {};
  if (f['--gender']) filters.gender = f['--gender'] as never;
  if (f['--age-band']) filters.age_band = f['--age-band'] as never;
  if (Object.keys(filters).length) req.filters = filters;
  if (problems.length) throw new ProtocolError('PR_SCHEMA', problems.join('; '));
  return req;
}
