// The gateway's researcher REST API (DESIGN.md section 3) from the researcher's side. Answers are parsed with the
// protocol schemas; an error answer becomes a ProtocolError carrying the gateway's stable code.
import {
  ApiError,
  type DatasetFormat,
  isErrorCode,
  ProtocolError,
  QueryStatus,
  Quote,
  type QuoteRequest,
} from '@datagraph/protocol';

export class ResearchApi {
  readonly base: string;

  constructor(gateway: string) {
    this.base = gateway.replace(/\/+$/, '');
  }

  async quote(req: QuoteRequest): Promise<Quote> {
    return Quote.parse(await this.#json('POST', '/v1/quotes', req));
  }

  /** POST /v1/queries: 201 complete, 202 pending (both carry the token the first time), or a refusal thrown. */
  async createQuery(quoteId: string, txHash: string): Promise<QueryStatus> {
    return QueryStatus.parse(await this.#json('POST', '/v1/queries', { quoteId, txHash }));
  }

  async query(queryId: string, token: string): Promise<QueryStatus> {
    return QueryStatus.parse(await this.#json('GET', `/v1/queries/${queryId}`, undefined, token));
  }

  /** The data route's response, body unread: the caller streams it. */
  async data(
    queryId: string,
    token: string,
    format: DatasetFormat,
    offset: number,
    signal?: AbortSignal,
  ): Promise<Response> {
    const url = `${this.base}/v1/queries/${queryId}/data?format=${format}&offset=${offset}`;
    const res = await this.#fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  async #json(method: string, path: string, body?: unknown, token?: string): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await this.#fetch(`${this.base}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw await errorOf(res);
    return res.json();
  }

  async #fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (cause) {
      throw new Error(`the gateway at ${this.base} did not answer (${(cause as Error).message})`, { cause });
    }
  }
}

async function errorOf(res: Response): Promise<ProtocolError> {
  const text = await res.text();
  let parsed: ApiError | undefined;
  try {
    parsed = ApiError.parse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (parsed && isErrorCode(parsed.code))
    return new ProtocolError(parsed.code, parsed.message, parsed.details ? { details: parsed.details } : {});
  return new ProtocolError('GW_INTERNAL', `gateway answered ${res.status}: ${text.slice(0, 200)}`);
}
