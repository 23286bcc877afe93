// MG_: codes owned by the metagraph package. Add a code here, with its HTTP status and a short message a
// person can act on; never rename or reuse one (codes are public API).
export const metagraphCodes = {
  MG_INTERNAL: { status: 500, message: 'unexpected internal error' },
} as const;
