// What the researcher CLI remembers between commands, in one JSON file (mode 0600: it holds access tokens):
// quotes as the gateway gave them (buy needs payTo and price; there is no GET for a quote), the payment sent for a
// quote (so a second `buy` never pays twice), and each query's id and bearer token (download needs it).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Quote } from '@datagraph/protocol';
import { z } from 'zod';

const SavedQuery = z.object({
  queryId: z.string(),
  quoteId: z.string(),
  token: z.string(),
  gateway: z.string(),
  fields: z.array(z.string()),
});
export type SavedQuery = z.infer<typeof SavedQuery>;

const StateFile = z.object({
  v: z.literal(1),
  quotes: z.record(z.string(), Quote),
  /** quoteId -> the hash of the transfer that paid it. */
  payments: z.record(z.string(), z.string()),
  queries: z.record(z.string(), SavedQuery),
});
type StateFile = z.infer<typeof StateFile>;

export class ResearcherState {
  readonly #path: string;
  #data: StateFile;

  constructor(path: string) {
    this.#path = path;
    this.#data = existsSync(path)
      ? StateFile.parse(JSON.parse(readFileSync(path, 'utf8')))
      : { v: 1, quotes: {}, payments: {}, queries: {} };
  }

  quote(id: string): Quote | undefined {
    return this.#data.quotes[id];
  }
  payment(quoteId: string): string | undefined {
    return this.#data.payments[quoteId];
  }
  query(id: string): SavedQuery | undefined {
    return this.#data.queries[id];
  }
  queryForQuote(quoteId: string): SavedQuery | undefined {
    return Object.values(this.#data.queries).find((q) => q.quoteId === quoteId);
  }

  saveQuote(q: Quote): void {
    this.#data.quotes[q.quoteId] = q;
    this.#write();
  }
  savePayment(quoteId: string, txHash: string): void {
    this.#data.payments[quoteId] = txHash;
    this.#write();
  }
  saveQuery(q: SavedQuery): void {
    this.#data.queries[q.queryId] = q;
    this.#write();
  }

  // write-then-rename: a crash never leaves half a file (and never loses the record of a payment)
  #write(): void {
    mkdirSync(dirname(this.#path), { recursive: true });
    const tmp = `${this.#path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#data, null, 2), { mode: 0o600 });
    renameSync(tmp, this.#path);
  }
}
