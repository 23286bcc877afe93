// Browser adapter for the part of `node:crypto` that @datagraph/protocol uses (createHash for SHA-256/512,
// randomBytes), so the portal bundle runs protocol's own modules (canonical JSON, pairing codes, commitments,
// signing) unchanged. The bundler aliases `node:crypto` to this file (gateway/portal/buildPortal.ts).
import { sha256, sha512 } from '@noble/hashes/sha2';
import { Buffer } from 'buffer';

type Input = string | Uint8Array;

function toBytes(data: Input, encoding?: string): Uint8Array {
  if (typeof data !== 'string') return data;
  return Buffer.from(data, (encoding ?? 'utf8') as BufferEncoding);
}

export function createHash(algorithm: string) {
  const h = algorithm === 'sha256' ? sha256.create() : algorithm === 'sha512' ? sha512.create() : undefined;
  if (!h) throw new Error(`hash ${algorithm} is not available in the browser adapter`);
  const api = {
    update(data: Input, encoding?: string) {
      h.update(toBytes(data, encoding));
      return api;
    },
    digest(encoding?: string): Buffer & string {
      const out = Buffer.from(h.digest());
      return (encoding ? out.toString(encoding as BufferEncoding) : out) as Buffer & string;
    },
  };
  return api;
}

export function randomBytes(size: number): Buffer {
  const out = new Uint8Array(size);
  globalThis.crypto.getRandomValues(out);
  return Buffer.from(out);
}

export function randomUUID(): string {
  return globalThis.crypto.randomUUID();
}

export default { createHash, randomBytes, randomUUID };
