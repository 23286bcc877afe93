// The one file that wraps dag4 for the gateway: data updates go to the data L1 through dag4's
// MetagraphTokenClient.sendDataTransaction (POST /data), snapshots are read from the metagraph L0 through
// dag4's REST client. The gateway never imports the metagraph package (DESIGN.md "The house").

import { ProtocolError, type SignedDataUpdate } from '@datagraph/protocol';
import { dag4 } from '@stardust-collective/dag4';
// dag4-core's fetch client, given our own fetch so that every call has a timeout (a frozen node must not
// hang the batcher). It is not re-exported by dag4's index, hence the deep import.
import { FetchRestService } from '@stardust-collective/dag4-core/dist/cjs/cross-platform/clients/fetch.http.js';

export interface LedgerUrls {
  l0Url: string;
  l1Url: string;
  dataL1Url: string;
  beUrl?: string;
}

/** A data update found in a snapshot. */
export interface SnapshotData {
  ordinal: number;
  updates: SignedDataUpdate[];
}

/** Why a POST /data failed: the node was unreachable (retry), or it refused the update (with its reason). */
export class LedgerError extends ProtocolError {
  readonly kind: 'unavailable' | 'rejected' | 'duplicate';
  constructor(kind: 'unavailable' | 'rejected' | 'duplicate', message: string, cause?: unknown) {
    super(kind === 'unavailable' ? 'GW_LEDGER_UNAVAILABLE' : 'GW_LEDGER_REJECTED', message, { cause });
    this.kind = kind;
  }
}

interface RestService {
  $get<T>(url: string): Promise<T>;
  configure(): { protocolClient(c: unknown): unknown };
}

export class LedgerClient {
  readonly #client: ReturnType<typeof dag4.createMetagraphTokenClient>;
  readonly #l0: RestService;
  readonly urls: LedgerUrls;

  /** `signerPrivateKey` is the gateway key: dag4's client needs a logged-in account. */
  constructor(urls: LedgerUrls, signerPrivateKey: string, opts: { timeoutMs?: number } = {}) {
    this.urls = urls;
    const account = dag4.createAccount(signerPrivateKey);
    this.#client = dag4.createMetagraphTokenClient(account, {
      id: 'datagraph',
      metagraphId: 'datagraph',
      l0Url: urls.l0Url,
      l1Url: urls.l1Url,
      dl1Url: urls.dataL1Url,
      beUrl: urls.beUrl ?? urls.l0Url,
    } as never);
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const http = new FetchRestService(async (url: string, init: RequestInit) => {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      // dag4 keeps only the body of a failed answer; a 5xx or 429 means "try again later", not "refused".
      if (res.status >= 500 || res.status === 429)
        throw new LedgerError('unavailable', `${url} answered ${res.status}`);
      return res;
    });
    const network = this.#client.networkInstance as unknown as {
      l0Api: { service: RestService };
      dl1Api: { service: RestService };
    };
    network.l0Api.service.configure().protocolClient(http);
    network.dl1Api.service.configure().protocolClient(http);
    this.#l0 = network.l0Api.service;
  }

  /** POST /data. Resolves when the data L1 took the update; a resend of one it already holds is `duplicate`. */
  async submit(update: SignedDataUpdate): Promise<'accepted' | 'duplicate'> {
    try {
      await this.#client.sendDataTransaction(update as never);
      return 'accepted';
    } catch (e) {
      throw classify(e);
    }
  }

  async latestOrdinal(): Promise<number> {
    try {
      const r = await this.#l0.$get<unknown>('/snapshots/latest/ordinal');
      const n =
        typeof r === 'number'
          ? r
          : ((r as { value?: unknown; ordinal?: unknown }).value ?? (r as { ordinal?: unknown }).ordinal);
      if (typeof n !== 'number')
        throw new Error(`unexpected /snapshots/latest/ordinal body: ${JSON.stringify(r).slice(0, 100)}`);
      return n;
    } catch (e) {
      throw e instanceof LedgerError
        ? e
        : new LedgerError('unavailable', `metagraph L0 did not answer: ${(e as Error).message}`, e);
    }
  }

  /** The data updates a snapshot carries (Tessellation's dataApplication.blocks). */
  async snapshotData(ordinal: number): Promise<SnapshotData> {
    try {
      const s = await this.#l0.$get<{ value?: { ordinal?: number; dataApplication?: { blocks?: unknown[] } | null } }>(
        `/snapshots/${ordinal}`,
      );
      const blocks = s.value?.dataApplication?.blocks ?? [];
      return { ordinal, updates: blocks as SignedDataUpdate[] };
    } catch (e) {
      throw new LedgerError(
        'unavailable',
        `metagraph L0 did not return snapshot ${ordinal}: ${(e as Error).message}`,
        e,
      );
    }
  }
}

function classify(e: unknown): LedgerError {
  if (e instanceof LedgerError) return e;
  const message = e instanceof Error ? e.message : String(e);
  // dag4's fetch client throws the response body for a non-200 answer, and a TypeError / AbortError when
  // there was no answer at all.
  if (
    e instanceof TypeError ||
    (e as { name?: string }).name === 'AbortError' ||
    (e as { name?: string }).name === 'TimeoutError' ||
    /ECONNREFUSED|fetch failed/i.test(message)
  ) {
    return new LedgerError('unavailable', `data L1 did not answer: ${message}`, e);
  }
  if (/already|duplicate|EXISTS/i.test(message) && !/DUPLICATE_IN_BATCH|DUPLICATE_DEVICE/.test(message))
    return new LedgerError('duplicate', message.slice(0, 300), e);
  if (/^\s*</.test(message) || message === '')
    return new LedgerError('unavailable', `data L1 answered with an error page: ${message.slice(0, 100)}`, e);
  return new LedgerError('rejected', message.slice(0, 500), e);
}
