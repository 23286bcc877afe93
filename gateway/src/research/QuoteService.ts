// Quotes (DESIGN.md section 3 step 2): which committed rows a query would release, how many providers, the price.
// A row qualifies when it is in a snapshot (its Merkle proof is stored), its provider is still active, it carries
// every requested field, and the provider's current policy consents to every field the row carries at that
// cadence (the whole signed body is released: the commitment covers all of it). Filters read the provider's
// latest profile row from the vault. The quote pins the exact row set, so a payment buys what was quoted.
import { randomUUID } from 'node:crypto';
import {
  type Cadence,
  type Clock,
  catalogue,
  type FieldName,
  ProtocolError,
  type Quote,
  type QuoteRequest,
  type UpdateBody,
} from '@datagraph/protocol';
import type { ProviderRecord, Registry } from '../registry/Registry.ts';
import type { Vault } from '../vault/Vault.ts';
import { rowLive } from './CatalogCounts.ts';
import { type ResearchStore, type RowRef, type UsageRef, usageRef } from './ResearchStore.ts';

export interface QuoteOptions {
  minProviders: number;
  quoteTtlSeconds: number;
  maxRows: number;
  perRowBaseUnits: bigint;
  payTo: string;
}

/** The cadence a request asks for: given, or the catalogue cadence its fields share. */
export function requestCadence(fields: readonly FieldName[], cadence?: Cadence): Cadence {
  const c = cadence ?? catalogue[fields[0] as FieldName].cadence;
  const off = fields.filter((f) => catalogue[f].cadence !== c);
  if (off.length > 0)
    throw new ProtocolError('PR_FIELD_CADENCE', `not offered at cadence ${c}: ${off.join(', ')}`, {
      details: { cadence: c, fields: off },
    });
  return c;
}

/** Whether the provider's current policy lets `fields` leave at `cadence` now. */
export function consents(p: ProviderRecord, fields: readonly string[], cadence: Cadence, nowSeconds: number): boolean {
  if (p.status !== 'active') return false;
  if (p.policy.expiresAt !== null && p.policy.expiresAt <= nowSeconds) return false;
  const f = p.policy.fields as Record<string, Cadence[] | undefined>;
  return fields.every((name) => f[name]?.includes(cadence) === true);
}

export class QuoteService {
  constructor(
    private readonly d: {
      research: ResearchStore;
      registry: Registry;
      vault: Vault;
      clock: Clock;
      opts: QuoteOptions;
    },
  ) {}

  async quote(req: QuoteRequest): Promise<Quote> {
    const { research, registry, clock, opts } = this.d;
    const fields = [...new Set(req.fields)].sort() as FieldName[];
    const cadence = requestCadence(fields, req.cadence);
    const now = Math.floor(clock.now() / 1000);
    const perProvider: UsageRef[][] = [];
    const providers = registry
      .providers()
      .filter((p) => consents(p, fields, cadence, now))
      .sort((a, b) => (a.provider < b.provider ? -1 : 1));
    let total = 0;
    const columns = new Set<FieldName>(fields);
    for (const p of providers) {
      if (req.filters && !(await this.#matchesProfile(p.provider, req.filters))) continue;
      const rows: UsageRef[] = [];
      for await (const [, r] of research.rows(p.provider, cadence, req.from, undefined)) {
        if (req.to !== undefined && r.end > req.to) {
          if (r.start >= req.to) break;
          continue;
        }
        if (!qualifies(r, fields, p, cadence, now)) continue;
        rows.push(usageRef(r));
        for (const f of r.fields) columns.add(f);
        if (++total > opts.maxRows && req.limit === undefined)
          throw new ProtocolError(
            'PR_SCHEMA',
            `the query matches more than ${opts.maxRows} rows: narrow it or set limit`,
          );
      }
      if (rows.length > 0) perProvider.push(rows);
    }
    const picked = roundRobin(perProvider, Math.min(req.limit ?? opts.maxRows, opts.maxRows));
    // The rows are picked in turns (a limit spreads over providers) but kept in committed-row index order
    // (provider, then window start): the download reads each row's proof and vault row in that order, so its
    // reads stay within a few LevelDB tables at a time instead of hopping over the whole store (see
    // docs/gateway.md "Memory": a bounded table cache then bounds the download's memory).
    picked.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const providerCount = new Set(picked.map((r) => r.provider)).size;
    if (providerCount < opts.minProviders)
      throw new ProtocolError(
        'GW_QUOTE_BELOW_K',
        `the query would release rows of ${providerCount} providers; at least ${opts.minProviders} are required`,
        { details: { providers: providerCount, minProviders: opts.minProviders } },
      );
    const record = {
      quoteId: randomUUID(),
      fields,
      columns: [...columns].sort(),
      cadence,
      rows: picked.length,
      providers: providerCount,
      price: (BigInt(picked.length) * opts.perRowBaseUnits).toString(),
      payTo: opts.payTo,
      expiresAt: now + opts.quoteTtlSeconds,
      createdAt: clock.now(),
    };
    await research.putQuote(record, picked);
    const { createdAt: _c, columns: _cols, ...quote } = record;
    return quote;
  }

  async #matchesProfile(provider: string, filters: NonNullable<QuoteRequest['filters']>): Promise<boolean> {
    const profile = await latestProfile(this.d.research, this.d.vault, provider);
    if (!profile) return false;
    if (filters.gender !== undefined && profile.gender !== filters.gender) return false;
    if (filters.age_band !== undefined && profile.age_band !== filters.age_band) return false;
    return true;
  }
}

function qualifies(r: RowRef, fields: readonly string[], p: ProviderRecord, cadence: Cadence, now: number): boolean {
  // A row made before the provider's last revocation is never sold again, even after they share anew (invariant 6).
  if (!rowLive(r, p)) return false;
  for (const f of fields) if (!r.fields.includes(f as FieldName)) return false;
  return consents(p, r.fields, cadence, now);
}

/** Gender and age band from the provider's committed profile rows (the latest value of each wins). */
export async function latestProfile(
  research: ResearchStore,
  vault: Vault,
  provider: string,
): Promise<{ gender?: string; age_band?: string } | undefined> {
  const out: { gender?: string; age_band?: string } = {};
  let found = false;
  for await (const [, r] of research.rows(provider, 'profile')) {
    const row = await vault.readRow<{ body: UpdateBody }>(provider, r.id);
    if (!row) continue;
    const f = row.body.fields as Record<string, unknown>;
    if (typeof f.gender === 'string') out.gender = f.gender;
    if (typeof f.age_band === 'string') out.age_band = f.age_band;
    found = true;
  }
  return found ? out : undefined;
}

/** One row of each provider in turn (providers in address order, rows by window start), up to `limit`. */
function roundRobin(lists: UsageRef[][], limit: number): UsageRef[] {
  const out: UsageRef[] = [];
  let round = 0;
  while (out.length < limit) {
    let any = false;
    for (const l of lists) {
      const r = l[round];
      if (r === undefined) continue;
      any = true;
      out.push(r);
      if (out.length >= limit) break;
    }
    if (!any) break;
    round++;
  }
  return out;
}
