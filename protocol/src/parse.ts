// Parsing at trust boundaries: bytes or unknown values in, typed values or a ProtocolError with a code out.
import type { z } from 'zod';
import { ProtocolError } from './errors/ProtocolError.ts';

/** Human-readable list of every problem zod found, each with its path. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown, what = 'payload'): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = describeIssues(r.error);
  throw new ProtocolError('PR_SCHEMA', `${what} is invalid: ${problems.slice(0, 5).join('; ')}`, {
    details: { problems },
  });
}

/** JSON text or bytes -> value, or PR_INVALID_JSON. */
export function parseJson(text: string | Uint8Array, what = 'payload'): unknown {
  try {
    return JSON.parse(typeof text === 'string' ? text : Buffer.from(text).toString('utf8'));
  } catch (cause) {
    throw new ProtocolError('PR_INVALID_JSON', `${what} is not valid JSON`, { cause });
  }
}

export function parseJsonWith<T extends z.ZodType>(schema: T, text: string | Uint8Array, what = 'payload'): z.infer<T> {
  return parseWith(schema, parseJson(text, what), what);
}
