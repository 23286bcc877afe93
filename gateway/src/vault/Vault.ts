// The vault: update values at rest under AES-256-GCM, one data key per provider, each data key wrapped by
// the master key. Erasure (crypto-shredding) deletes the provider's wrapped key and its rows: once the key
// is gone no copy of a row (backup, stale page) can be read again (DESIGN.md section 2).
import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from 'node:crypto';
import { ProtocolError } from '@datagraph/protocol';
import type { GatewayStore, StoreOp } from '../store/GatewayStore.ts';

const IV = 12;
const TAG = 16;

// Random IVs drawn from a pooled CSPRNG buffer: one getrandom call per 4 KiB instead of one per sealed row.
const ivPool = Buffer.alloc(IV * 341);
let ivAt = ivPool.length;
function freshIv(): Buffer {
  if (ivAt + IV > ivPool.length) {
    randomFillSync(ivPool);
    ivAt = 0;
  }
  ivAt += IV;
  return Buffer.from(ivPool.subarray(ivAt - IV, ivAt));
}

function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = freshIv();
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64');
}

function open(key: Buffer, sealed: string, aad: string): Buffer {
  const raw = Buffer.from(sealed, 'base64');
  const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV));
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(raw.subarray(IV, IV + TAG));
  return Buffer.concat([d.update(raw.subarray(IV + TAG)), d.final()]);
}

export class Vault {
  readonly #store: GatewayStore;
  readonly #master: Buffer;
  readonly #keys = new Map<string, Buffer>();

  constructor(store: GatewayStore, masterKey: Buffer) {
    if (masterKey.length !== 32) throw new ProtocolError('GW_MASTER_KEY', 'vault master key must be 32 bytes');
    this.#store = store;
    this.#master = masterKey;
  }

  /** Ops that create the provider's data key if it has none (run under the registry's provider lock). */
  async ensureDataKeyOps(provider: string): Promise<StoreOp[]> {
    if (await this.#dataKey(provider)) return [];
    const key = randomBytes(32);
    this.#keys.set(provider, key);
    return [{ type: 'put', sub: 'keys', key: provider, value: seal(this.#master, key, `dk:${provider}`) }];
  }

  async hasDataKey(provider: string): Promise<boolean> {
    return (await this.#dataKey(provider)) !== undefined;
  }

  /** The put op that stores one update's private part (values, salt...) encrypted under the provider key. */
  async rowOp(provider: string, id: string, value: unknown): Promise<StoreOp> {
    const key = await this.#dataKey(provider);
    if (!key) throw new ProtocolError('GW_VAULT_KEY_MISSING');
    return {
      type: 'put',
      sub: 'rows',
      key: `${provider}!${id}`,
      value: seal(key, Buffer.from(JSON.stringify(value), 'utf8'), `row:${provider}:${id}`),
    };
  }

  async readRow<T>(provider: string, id: string): Promise<T | undefined> {
    const sealed = await this.#store.get<string>('rows', `${provider}!${id}`);
    if (sealed === undefined) return undefined;
    const key = await this.#dataKey(provider);
    if (!key) throw new ProtocolError('GW_VAULT_KEY_MISSING');
    return JSON.parse(open(key, sealed, `row:${provider}:${id}`).toString('utf8')) as T;
  }

  /** Many rows in one LevelDB multi-get (undefined where a row or its provider's key is gone). */
  async readRows<T>(refs: readonly { provider: string; id: string }[]): Promise<(T | undefined)[]> {
    const sealed = await this.#store.getMany<string>(
      'rows',
      refs.map((r) => `${r.provider}!${r.id}`),
    );
    const out: (T | undefined)[] = [];
    for (let i = 0; i < refs.length; i++) {
      const s = sealed[i];
      const { provider, id } = refs[i] as { provider: string; id: string };
      // the cached key without an await per row: this runs for every row of a download
      const key = s === undefined ? undefined : (this.#keys.get(provider) ?? (await this.#dataKey(provider)));
      out.push(
        s === undefined || !key ? undefined : (JSON.parse(open(key, s, `row:${provider}:${id}`).toString('utf8')) as T),
      );
    }
    return out;
  }

  /**
   * Rows still sealed, each with its data key and associated data, for `openSealedText` (openSealedText.ts: the
   * download decrypts on a worker thread); undefined where a row or its provider's key is gone.
   */
  async sealedRows(
    refs: readonly { provider: string; id: string }[],
  ): Promise<({ sealed: string; key: Buffer; aad: string } | undefined)[]> {
    // stored as a JSON string of base64: its text without the quotes (base64 needs no escapes)
    const sealed = await this.#store.getManyText(
      'rows',
      refs.map((r) => `${r.provider}!${r.id}`),
    );
    const out: ({ sealed: string; key: Buffer; aad: string } | undefined)[] = [];
    for (let i = 0; i < refs.length; i++) {
      const s = sealed[i]?.slice(1, -1);
      const { provider, id } = refs[i] as { provider: string; id: string };
      const key = s === undefined ? undefined : (this.#keys.get(provider) ?? (await this.#dataKey(provider)));
      out.push(s === undefined || !key ? undefined : { sealed: s, key, aad: `row:${provider}:${id}` });
    }
    return out;
  }

  /** The provider's data key (a prepared dataset's blocks are sealed with it), or undefined once erased. */
  dataKey(provider: string): Promise<Buffer | undefined> {
    return this.#dataKey(provider);
  }

  async rowCount(provider: string): Promise<number> {
    return (await this.#store.keys('rows', { prefix: `${provider}!` })).length;
  }

  /** Crypto-shred: the data key first (then nothing left is readable), then the rows. */
  async erase(provider: string): Promise<number> {
    this.#keys.delete(provider);
    await this.#store.write([{ type: 'del', sub: 'keys', key: provider }]);
    const rows = await this.#store.keys('rows', { prefix: `${provider}!` });
    for (let i = 0; i < rows.length; i += 1000) {
      await this.#store.write(
        rows.slice(i, i + 1000).map((key) => ({ type: 'del' as const, sub: 'rows' as const, key })),
      );
    }
    return rows.length;
  }

  async #dataKey(provider: string): Promise<Buffer | undefined> {
    const cached = this.#keys.get(provider);
    if (cached) return cached;
    const wrapped = await this.#store.get<string>('keys', provider);
    if (wrapped === undefined) return undefined;
    const key = open(this.#master, wrapped, `dk:${provider}`);
    this.#keys.set(provider, key);
    return key;
  }
}
