import { z } from 'zod';

/** An error code on the wire (a code from a newer peer is still carried, so it is not an enum here). */
export const ErrorCodeString = z.string().regex(/^(PR|MG|AG|GW)_[A-Z0-9_]+$/);
