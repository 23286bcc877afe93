// AG_: codes owned by the agent package. Add a code here, with its HTTP status and a short message a
// person can act on; never rename or reuse one (codes are public API).
export const agentCodes = {
  AG_INTERNAL: { status: 500, message: 'unexpected internal error' },
} as const;
