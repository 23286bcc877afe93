import { z } from 'zod';

export const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex chars');
/** 128-bit random salt, hex. */
export const Salt = z.string().regex(/^[0-9a-f]{32}$/, 'expected a 128-bit salt as 32 lowercase hex chars');
/** Unix time in whole seconds. */
export const UnixSeconds = z.number().int().nonnegative().max(253402300799);
export const Uuid = z.string().uuid();
