// Talking to the gateway: JSON in and out, errors turned into one type with the gateway's stable code and
// message (or a clear one when the gateway cannot be reached), so every page can show what went wrong.
export class PortalError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }
}

export async function call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new PortalError('NETWORK', 'The gateway cannot be reached. Check your connection and try again.');
  }
  const text = await res.text();
  const json = text ? safeJson(text) : null;
  if (!res.ok) {
    const e = (json ?? {}) as { code?: string; message?: string };
    throw new PortalError(
      e.code ?? `HTTP_${res.status}`,
      e.message ?? `The gateway answered ${res.status}.`,
      res.status,
    );
  }
  return json as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A message a person can act on, for any error a page catches. */
export function describe(e: unknown): string {
  if (e instanceof PortalError) return `${e.message} (${e.code})`;
  const p = e as { code?: string; message?: string };
  if (p && typeof p.code === 'string') return `${p.message} (${p.code})`;
  return `Something went wrong: ${(e as Error)?.message ?? String(e)}`;
}
