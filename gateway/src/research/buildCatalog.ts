// GET /v1/catalog (DESIGN.md section 3 step 1): every catalogue field with its unit, cadence and LOINC code, and
// how many committed rows of active providers carry it, from how many providers. Counts only, never values.
import {
  type Cadence,
  Cadence as CadenceEnum,
  type Catalog,
  catalogue,
  FIELD_NAMES,
  type FieldName,
} from '@datagraph/protocol';
import type { Registry } from '../registry/Registry.ts';
import type { ResearchStore } from './ResearchStore.ts';

export async function buildCatalog(
  research: ResearchStore,
  registry: Registry,
  opts: { minProviders: number; perRowBaseUnits: string },
): Promise<Catalog> {
  const rows = new Map<string, number>();
  const providers = new Map<string, Set<string>>();
  const count = (key: string, provider: string) => {
    rows.set(key, (rows.get(key) ?? 0) + 1);
    const s = providers.get(key) ?? new Set<string>();
    s.add(provider);
    providers.set(key, s);
  };
  for await (const [, r] of research.allRows()) {
    if (registry.provider(r.provider)?.status !== 'active') continue;
    count(`c:${r.cadence}`, r.provider);
    for (const f of r.fields) count(`f:${f}`, r.provider);
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
        providers: providers.get(`f:${name}`)?.size ?? 0,
      };
    }),
    cadences: CadenceEnum.options.map((cadence: Cadence) => ({
      cadence,
      rows: rows.get(`c:${cadence}`) ?? 0,
      providers: providers.get(`c:${cadence}`)?.size ?? 0,
    })),
    minProviders: opts.minProviders,
    perRowBaseUnits: opts.perRowBaseUnits,
  };
}
