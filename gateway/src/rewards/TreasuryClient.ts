// The one file that wraps dag4's MetagraphTokenClient for the treasury: it builds reward transfers as dag4's
// `generateBatchTransactions` does (parents chained locally, ordinal + 1 each; see signTransfers), posts the journaled signed
// transactions one by one as `sendBatchTransactions` does, and asks the ledger where a transaction stands:
// pending on the currency L1 (`GET /transactions/:hash`), confirmed in a snapshot (block explorer
// `GET /currency/:metagraphId/transactions/:hash`), or unknown. A lookup that gets no answer throws: "unknown"
// means the ledger said 404, never that it was unreachable, because the recovery decisions built on it
// (send again, or re-plan) must not be taken on a guess.
import { createHash } from 'node:crypto';
import { keyPairFromPrivateKey, ProtocolError } from '@datagraph/protocol';
import { dag4 } from '@stardust-collective/dag4';
// dag4-core's fetch client, given our own fetch so every call has a timeout and a 404 stays a 404 (dag4 keeps
// only the body of a failed answer). Not re-exported by dag4's index, hence the deep import.
import { FetchRestService } from '@stardust-collective/dag4-core/dist/cjs/cross-platform/clients/fetch.http.js';
import { keyStore, type PostTransactionV2, txEncode } from '@stardust-collective/dag4-keystore';
import secp256k1 from 'secp256k1';
import { toDag4Amount } from './dag4Amount.ts';

export interface TxRef {
  hash: string;
  ordinal: number;
}

export interface SignedTransfer {
  destination: string;
  amount: bigint;
  hash: string;
  parent: TxRef;
  /** The transaction's own place in the treasury's chain: parent.ordinal + 1. */
  ordinal: number;
  signed: PostTransactionV2;
}

export type TxStatus = 'confirmed' | 'pending' | 'unknown';

/** What the rewards engine needs from the ledger; TreasuryClient is the dag4 implementation. */
export interface TreasuryLedger {
  readonly address: string;
  balance(): Promise<bigint>;
  lastReference(): Promise<TxRef>;
  signTransfers(
    transfers: readonly { destination: string; amount: bigint }[],
    parent: TxRef,
  ): Promise<SignedTransfer[]>;
  status(hash: string): Promise<TxStatus>;
  /** Post a signed transaction; resolves with the hash the L1 gives it. */
  post(signed: PostTransactionV2): Promise<string>;
}

export interface TreasuryUrls {
  l0Url: string;
  l1Url: string;
  beUrl: string;
  metagraphId?: string;
}

class NotFound extends Error {}

interface RestService {
  configure(): { protocolClient(c: unknown): unknown };
  $get<T>(url: string): Promise<T>;
}

/** dag4's hash of a v2 transaction (TransactionV2.getEncoded + kryo + SHA-256, as keyStore.prepareTx does). */
export function dag4TransactionHash(tx: PostTransactionV2): string {
  const encoded = txEncode.getV2TxFromPostTransaction(tx).getEncoded();
  return keyStore.sha256(Buffer.from(txEncode.kryoSerialize(encoded, false), 'hex'));
}

export class TreasuryClient implements TreasuryLedger {
  readonly #client: ReturnType<typeof dag4.createMetagraphTokenClient>;
  readonly #metagraphId: string;
  readonly #l1: RestService;
  readonly #be: RestService;
  readonly #urls: TreasuryUrls;
  readonly #timeoutMs: number;
  readonly #signer: 'native' | 'dag4';
  readonly #privateKey: Buffer;
  readonly #publicKeyId: string;
  readonly address: string;

  constructor(
    urls: TreasuryUrls,
    treasuryPrivateKey: string,
    opts: { timeoutMs?: number; signer?: 'native' | 'dag4' } = {},
  ) {
    const keys = keyPairFromPrivateKey(treasuryPrivateKey);
    this.#privateKey = Buffer.from(keys.privateKey, 'hex');
    this.#publicKeyId = keys.publicKey;
    this.#signer = opts.signer ?? 'native';
    this.#metagraphId = urls.metagraphId ?? 'datagraph';
    const account = dag4.createAccount(treasuryPrivateKey);
    this.address = account.address;
    this.#client = dag4.createMetagraphTokenClient(account, {
      id: this.#metagraphId,
      metagraphId: this.#metagraphId,
      l0Url: urls.l0Url,
      l1Url: urls.l1Url,
      beUrl: urls.beUrl,
    } as never);
    const timeoutMs = opts.timeoutMs ?? 10_000;
    this.#urls = urls;
    this.#timeoutMs = timeoutMs;
    const http = new FetchRestService(async (url: string, init: RequestInit) => {
      let res: Response;
      try {
        res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      } catch (cause) {
        throw new ProtocolError('GW_LEDGER_UNAVAILABLE', `${url} did not answer`, { cause });
      }
      if (res.status >= 500 || res.status === 429)
        throw new ProtocolError('GW_LEDGER_UNAVAILABLE', `${url} answered ${res.status}`);
      if (res.status === 404 && init.method === 'GET') throw new NotFound(url);
      return res;
    });
    const net = this.#client.networkInstance as unknown as Record<
      'l0Api' | 'l1Api' | 'beApi',
      { service: RestService }
    >;
    for (const api of [net.l0Api, net.l1Api, net.beApi]) api.service.configure().protocolClient(http);
    this.#l1 = net.l1Api.service;
    this.#be = net.beApi.service;
  }

  /** Confirmed balance in base units (L0 `/currency/:address/balance`, read as an integer, not dag4's float). */
  async balance(): Promise<bigint> {
    return this.balanceOf(this.address);
  }

  /**
   * Confirmed balance of any address in base units. Read from the response text, not dag4's parsed number:
   * the node writes balances as JSON integers, which a double would round above 2^53 base units.
   */
  async balanceOf(address: string): Promise<bigint> {
    const url = `${this.#urls.l0Url}/currency/${address}/balance`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (cause) {
      throw new ProtocolError('GW_LEDGER_UNAVAILABLE', `${url} did not answer`, { cause });
    }
    const text = await res.text();
    if (res.status === 404) return 0n;
    const m = /"balance"\s*:\s*"?(\d+)/.exec(text);
    if (res.status !== 200 || !m) throw new ProtocolError('GW_LEDGER_UNAVAILABLE', `${url} answered ${res.status}`);
    return BigInt(m[1] as string);
  }

  /** The head of the treasury's chain, as the L1 reports it (what the next transaction must name as parent). */
  async lastReference(): Promise<TxRef> {
    const r = await this.#l1.$get<TxRef>(`/transactions/last-reference/${this.address}`);
    return { hash: r.hash, ordinal: r.ordinal };
  }

  /**
   * Sign transfers chained from `parent`. The transactions are dag4's: with the default `native` signer each is
   * built by dag4's `keyStore.prepareTx` (amount conversion, salt, v2 encoding and hash) and its hash signed
   * with libsecp256k1 exactly as dag4's `keyStore.sign` does it (ECDSA over SHA-512 of the hash text), about
   * 40 times faster than dag4's JavaScript sign-and-verify; the `dag4` signer calls
   * `generateBatchTransactions` itself. Either way the result is checked against what we meant.
   */
  async signTransfers(
    transfers: readonly { destination: string; amount: bigint }[],
    parent: TxRef,
  ): Promise<SignedTransfer[]> {
    if (transfers.length === 0) return [];
    const items = transfers.map((x) => ({ address: x.destination, amount: toDag4Amount(x.amount), fee: 0 }));
    const txs = this.#signer === 'dag4' ? await this.#signWithDag4(items, parent) : this.#signNative(items, parent);
    let prev = parent;
    return txs.map((signed, i) => {
      const want = transfers[i] as { destination: string; amount: bigint };
      const v = signed.value;
      // Check what dag4 built against what we meant, to the base unit, and that the chain is ours.
      if (BigInt(v.amount) !== want.amount || v.destination !== want.destination || v.source !== this.address) {
        throw new ProtocolError(
          'GW_REWARD_AMOUNT_UNREPRESENTABLE',
          `dag4 built ${v.amount} for ${want.amount} base units`,
        );
      }
      if (v.parent.hash !== prev.hash || v.parent.ordinal !== prev.ordinal)
        throw new ProtocolError('GW_INTERNAL', 'a batch transaction is chained to an unexpected parent');
      const hash = dag4TransactionHash(signed);
      prev = { hash, ordinal: prev.ordinal + 1 };
      return {
        destination: want.destination,
        amount: want.amount,
        hash,
        parent: v.parent,
        ordinal: prev.ordinal,
        signed,
      };
    });
  }

  async #signWithDag4(
    items: { address: string; amount: number; fee: number }[],
    parent: TxRef,
  ): Promise<PostTransactionV2[]> {
    return (await this.#client.generateBatchTransactions(items, { ...parent })) as PostTransactionV2[];
  }

  // dag4's generateBatchTransactions, step for step (prepareTx, sign the hash, chain ordinal + 1), with the
  // signature made natively.
  #signNative(items: { address: string; amount: number; fee: number }[], parent: TxRef): PostTransactionV2[] {
    const out: PostTransactionV2[] = [];
    let ref = { ...parent };
    for (const item of items) {
      const { tx, hash } = keyStore.prepareTx(item.amount, item.address, this.address, ref, item.fee, '2.0');
      const digest = createHash('sha512').update(hash, 'utf8').digest().subarray(0, 32);
      const { signature } = secp256k1.ecdsaSign(digest, this.#privateKey);
      const v2 = txEncode.getV2TxFromPostTransaction(tx as PostTransactionV2);
      v2.addSignature({
        id: this.#publicKeyId,
        signature: Buffer.from(secp256k1.signatureExport(signature)).toString('hex'),
      });
      out.push(v2.getPostTransaction() as PostTransactionV2);
      ref = { hash, ordinal: ref.ordinal + 1 };
    }
    return out;
  }

  async status(hash: string): Promise<TxStatus> {
    // Pending first, then confirmed: a transaction moving from one to the other between the two questions is
    // then seen as confirmed, never as unknown.
    try {
      await this.#l1.$get(`/transactions/${hash}`);
      return 'pending';
    } catch (e) {
      if (!(e instanceof NotFound)) throw e;
    }
    try {
      const r = await this.#be.$get<{ data?: { hash?: string } }>(
        `/currency/${this.#metagraphId}/transactions/${hash}`,
      );
      if (r?.data?.hash === hash) return 'confirmed';
      throw new ProtocolError('GW_LEDGER_UNAVAILABLE', `block explorer answered an unexpected body for ${hash}`);
    } catch (e) {
      if (e instanceof NotFound) return 'unknown';
      throw e;
    }
  }

  async post(signed: PostTransactionV2): Promise<string> {
    try {
      const [hash] = await this.#client.sendBatchTransactions([signed]);
      return hash as string;
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      const message = e instanceof Error ? e.message : String(e);
      if (/INSUFFICIENT_BALANCE|insufficient/i.test(message))
        throw new ProtocolError('GW_TREASURY_SHORT', message.slice(0, 300), { cause: e });
      throw new ProtocolError('GW_REWARD_TX_REJECTED', message.slice(0, 300), { cause: e });
    }
  }
}
