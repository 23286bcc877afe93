// What a provider has shared, per UTC day and field, read from their own vault rows (counts only: the values
// stay in the vault). Bounded, so a provider with years of hourly rows does not stall the gateway.
import type { GatewayStore } from '../../store/GatewayStore.ts';
import type { Vault } from '../../vault/Vault.ts';

const MAX_ROWS = 20_000;
const DAY = 86_400;

export interface SharedDay {
  /** UTC day start, unix seconds. */
  day: number;
  rows: number;
  fields: Record<string, number>;
}

export async function sharedByDay(
  store: GatewayStore,
  vault: Vault,
  provider: string,
): Promise<{ rows: number; days: SharedDay[]; truncated: boolean }> {
  const keys = await store.keys('rows', { prefix: `${provider}!` });
  const days = new Map<number, SharedDay>();
  for (const key of keys.slice(0, MAX_ROWS)) {
    const row = await vault.readRow<{ body?: { window?: { start: number }; fields?: Record<string, unknown> } }>(
      provider,
      key.slice(provider.length + 1),
    );
    const start = row?.body?.window?.start;
    if (typeof start !== 'number') continue;
    const day = Math.floor(start / DAY) * DAY;
    const d = days.get(day) ?? { day, rows: 0, fields: {} };
    d.rows += 1;
    for (const f of Object.keys(row?.body?.fields ?? {})) d.fields[f] = (d.fields[f] ?? 0) + 1;
    days.set(day, d);
  }
  return {
    rows: keys.length,
    days: [...days.values()].sort((a, b) => a.day - b.day),
    truncated: keys.length > MAX_ROWS,
  };
}
