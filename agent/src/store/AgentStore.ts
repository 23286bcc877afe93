// The one file that wraps `level` for the agent: a LevelDB under the agent's directory with three sublevels
// (meta, outbox, dead letters). Everything that must change together goes through `write()`, one atomic batch,
// synced to disk, so a crash leaves either the old state or the new one (a window never closes twice or never).

import { ProtocolError } from '@datagraph/protocol';
import { Level } from 'level';

type Json = unknown;
// A sublevel of string keys and JSON values.
type Sub = ReturnType<typeof makeSub>;
function makeSub(db: Level<string, Json>, name: string) {
  return db.sublevel<string, Json>(name, { valueEncoding: 'json' });
}

export type StoreOp =
  | { type: 'put'; where: 'meta' | 'outbox' | 'dead'; key: string; value: Json }
  | { type: 'del'; where: 'meta' | 'outbox' | 'dead'; key: string };

/** Outbox and dead-letter keys: zero-padded seq, so key order is seq order. */
export function seqKey(seq: number): string {
  return String(seq).padStart(15, '0');
}

export class AgentStore {
  readonly #db: Level<string, Json>;
  readonly #subs: Record<StoreOp['where'], Sub>;

  private constructor(db: Level<string, Json>) {
    this.#db = db;
    this.#subs = {
      meta: makeSub(db, 'meta'),
      outbox: makeSub(db, 'outbox'),
      dead: makeSub(db, 'dead'),
    };
  }

  static async open(location: string): Promise<AgentStore> {
    // Small caches: the agent's working set is a few KB of state and a short outbox, and it runs on watches and hubs.
    const db = new Level<string, Json>(location, {
      valueEncoding: 'json',
      cacheSize: 1 << 20,
      writeBufferSize: 1 << 20,
    } as never);
    try {
      await db.open();
    } catch (cause) {
      const locked =
        (cause as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED' ||
        (cause as { code?: string }).code === 'LEVEL_LOCKED';
      throw new ProtocolError(
        locked ? 'AG_AGENT_LOCKED' : 'AG_INTERNAL',
        locked ? undefined : `cannot open the agent store at ${location}`,
        { cause },
      );
    }
    return new AgentStore(db);
  }

  async get<T>(where: StoreOp['where'], key: string): Promise<T | undefined> {
    return (await this.#subs[where].get(key)) as T | undefined;
  }

  /** Every entry of a sublevel in key order. */
  async entries<T>(where: StoreOp['where']): Promise<[string, T][]> {
    const out: [string, T][] = [];
    for await (const [k, v] of this.#subs[where].iterator()) out.push([k, v as T]);
    return out;
  }

  async write(ops: StoreOp[], { sync = true }: { sync?: boolean } = {}): Promise<void> {
    if (ops.length === 0) return;
    await this.#db.batch(
      ops.map((op) =>
        op.type === 'put'
          ? { type: 'put' as const, sublevel: this.#subs[op.where], key: op.key, value: op.value }
          : { type: 'del' as const, sublevel: this.#subs[op.where], key: op.key },
      ),
      { sync },
    );
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
