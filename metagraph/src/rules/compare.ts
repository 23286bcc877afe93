// One ordering for everything the rules sort: UTF-16 code units, as JavaScript's `<` compares strings and as
// RFC 8785 orders object keys. Never localeCompare (it depends on the machine's locale).
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedBy<T>(items: Iterable<T>, key: (item: T) => string): T[] {
  return [...items].sort((x, y) => compareStrings(key(x), key(y)));
}

/** Reward cycles by gateway, then by cycle number. */
export function sortRewardCycles<T extends { gateway: string; cycle: number }>(items: Iterable<T>): T[] {
  return [...items].sort((a, b) => compareStrings(a.gateway, b.gateway) || a.cycle - b.cycle);
}
