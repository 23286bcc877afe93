// GET /v1/catalog's counts (DESIGN.md section 3 step 1): rows and distinct providers per field and per cadence,
// over committed rows of active providers. Counted per provider once (a scan of the committed-row index on the
// first request), then kept up to date as snapshots commit rows, so a request costs one pass over providers,
// not over rows. Provider status is applied when answering: a revoked or erased provider drops out at once.
import {
  type Cadence,
  Cadence as CadenceEnum,
  type Catalog,
  catalogue,
  FIELD_NAMES,
  type FieldName,
} from '@datagraph/protocol';
import type { ProviderRecord, Registry } from '../registry/Registry.ts';
import type { ResearchStore, RowRef } from './ResearchStore.ts';

type Counts = Map<string, number>;

/** Whether a row is still sellable: its provider is active and the row was made after their last revocation. */
export function rowLive(r: Pick<RowRef, 'policyVersion'>, p: ProviderRecord | undefined): boolean {
  return p !== undefined && p.status === 'active' && (r.policyVersion ?? 1) > p.revokedVersion;
}

export class CatalogCounts {
  #byProvider: Map<string, { version: number; counts: Counts }[]> | undefined;
  #loading: Promise<void> | undefined;

  constructor(
    private readonly research: ResearchStore,
    private readonly registry: Registry,
    private readonly opts: { minProviders: number; perRowBaseUnits: string },
  ) {}

  /** Count rows that just committed (no-op until the first request has loaded the counts). */
  add(rows: readonly RowRef[]): void {
    if (this.#byProvider) for (const r of rows) this.#count(r);
  }

  async catalog(): Promise<Catalog> {
    if (!this.#byProvider) {
      this.#loading ??= this.#load();
      await this.#loading;
    }
    const rows = new Map<string, number>();
    const providers = new Map<string, number>();
    for (const [provider, versions] of this.#byProvider ?? []) {
      const p = this.registry.provider(provider);
      const seen = new Set<string>();
      for (const { version, counts } of versions) {
        if (!rowLive({ policyVersion: version }, p)) continue;
        for (const [k, n] of counts) {
          rows.set(k, (rows.get(k) ?? 0) + n);
          if (!seen.has(k)) providers.set(k, (providers.get(k) ?? 0) + 1);
          seen.add(k);
        }
      }
    }
    return {
      fields: FIELD_NAMES.map((name: FieldName) => {
        const spec = catalogue[name];
        return {
          name,
          label: spec.label,
          kind: spec.kind,
          unit: spec.unit,
          cadence: spec.cadence,
          loinc: spec.loinc ?? null,
          ...(spec.kind === 'categorical' ? { values: [...spec.values] } : {}),
          rows: rows.get(`f:${name}`) ?? 0,
          providers: providers.get(`f:${name}`) ?? 0,
        };
      }),
      cadences: CadenceEnum.options.map((cadence: Cadence) => ({
        cadence,
        rows: rows.get(`c:${cadence}`) ?? 0,
        providers: providers.get(`c:${cadence}`) ?? 0,
      })),
      minProviders: this.opts.minProviders,
      perRowBaseUnits: this.opts.perRowBaseUnits,
    };
  }

  async #load(): Promise<void> {
    this.#byProvider = new Map();
    for await (const [, r] of this.research.allRows()) this.#count(r);
  }

  #count(r: RowRef): void {
    const map = this.#byProvider as Map<string, { version: number; counts: Counts }[]>;
    const versions = map.get(r.provider) ?? [];
    map.set(r.provider, versions);
    const version = r.policyVersion ?? 1;
    let v = versions.find((x) => x.version === version);
    if (!v) {
      v = { version, counts: new Map() };
      versions.push(v);
    }
    const bump = (k: string) => v.counts.set(k, (v.counts.get(k) ?? 0) + 1);
    bump(`c:${r.cadence}`);
    for (const f of r.fields) bump(`f:${f}`);
  }
}
