// Shared by the rewards tests: the local metagraph node (through its public entry), a treasury and gateway key,
// a paid-query source over a plain array (the real store comes with issue 6), and condition polling.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningNode, startNode } from '@datagraph/metagraph';
import { generateKeyPair, type KeyPair } from '@datagraph/protocol';
import { pino } from 'pino';
import type { PaidQuery } from '../../src/rewards/allocateCycle.ts';
import type { PaidQuerySource } from '../../src/rewards/RewardEngine.ts';

export async function tempDir(prefix = 'dg-rewards-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface RewardsNode {
  node: RunningNode;
  treasury: KeyPair;
  gateway: KeyPair;
  /** A funded wallet that is not the treasury (to top it up, or to play a researcher). */
  other: KeyPair;
  close(): Promise<void>;
}

export async function startRewardsNode(
  opts: { treasuryFunds?: bigint; snapshotIntervalMs?: number } = {},
): Promise<RewardsNode> {
  const treasury = generateKeyPair();
  const gateway = generateKeyPair();
  const other = generateKeyPair();
  const tmp = await tempDir('dg-rewards-node-');
  const node = await startNode({
    dataDir: tmp.dir,
    genesis: {
      balances: {
        [treasury.address]: String(opts.treasuryFunds ?? 1_000_000n * 100_000_000n),
        [other.address]: String(1_000_000n * 100_000_000n),
      },
    },
    snapshotIntervalMs: opts.snapshotIntervalMs ?? 150,
    ports: { l0: 0, l1: 0, dataL1: 0 },
    logger: pino({ level: 'silent' }),
    rules: { authorisedGateways: [gateway.address] },
  });
  return {
    node,
    treasury,
    gateway,
    other,
    async close() {
      await node.close();
      await tmp.remove();
    },
  };
}

/** A paid-query source over an array: what the issue 6 query store will provide over its LevelDB. */
export class ArrayQuerySource implements PaidQuerySource {
  readonly queries: PaidQuery[] = [];
  readonly marked = new Map<string, number>();

  add(...qs: PaidQuery[]): void {
    this.queries.push(...qs);
  }

  *undistributed(): Iterable<PaidQuery> {
    for (const q of this.queries) if (!this.marked.has(q.queryId)) yield q;
  }

  async markDistributed(cycle: number, queryIds: readonly string[]): Promise<void> {
    for (const id of queryIds) this.marked.set(id, cycle);
  }
}

/** `count` queries over rows spread across `providers`, each row used by up to 3 queries. */
export function makeQueries(providers: readonly string[], count: number, seed = 1): PaidQuery[] {
  let x = seed;
  const rnd = (n: number): number => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return (x >>> 8) % n; // the low bits of this LCG have short periods
  };
  const rows = Array.from({ length: providers.length * 4 }, (_, i) => ({
    commitment: (i + seed * 1000).toString(16).padStart(64, '0'),
    provider: providers[i % providers.length] as string,
  }));
  return Array.from({ length: count }, (_, i) => {
    const picked = new Map<string, (typeof rows)[number]>();
    const n = 1 + rnd(rows.length);
    for (let k = 0; k < n; k++) {
      const r = rows[rnd(rows.length)] as (typeof rows)[number];
      picked.set(r.commitment, r);
    }
    return {
      queryId: `00000000-0000-4000-8000-${String(seed * 100_000 + i).padStart(12, '0')}`,
      amount: BigInt(1 + rnd(5_000_000)) * 1_000n + BigInt(rnd(997)),
      rows: [...picked.values()],
    };
  });
}

export { waitFor } from '../helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: test bodies are checked field by field
export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
