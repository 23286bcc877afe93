// GW_: codes owned by the gateway package. Add a code here, with its HTTP status and a short message a
// person can act on; never rename or reuse one (codes are public API).
export const gatewayCodes = {
  GW_INTERNAL: { status: 500, message: 'unexpected internal error' },
  // CONNECT (DESIGN.md section 7); the device sees CONNACK 4 or 5, the code is logged and counted
  GW_UNKNOWN_DEVICE: { status: 401, message: 'device is not registered with this gateway: pair it first' },
  GW_DEVICE_REVOKED: {
    status: 403,
    message: 'the provider revoked consent or erased data: the device may not connect',
  },
  GW_BAD_CONNECT_TOKEN: { status: 401, message: 'connect password is malformed or its signature does not verify' },
  GW_STALE_CONNECT_TOKEN: {
    status: 401,
    message: 'connect token is outside the allowed clock skew: check the device clock',
  },
  GW_REPLAYED_CONNECT_TOKEN: { status: 401, message: 'connect token was already used: sign a fresh one' },
  // topic ACL
  GW_TOPIC_FORBIDDEN: { status: 403, message: 'a device may publish only on its own up and status topics' },
  GW_SUBSCRIBE_FORBIDDEN: { status: 403, message: 'a device may subscribe only to its own ack and policy topics' },
  // ingest
  GW_PAYLOAD_TOO_LARGE: { status: 413, message: 'payload is over the size limit' },
  GW_DEVICE_MISMATCH: { status: 400, message: 'update names a device or provider other than the connected one' },
  GW_NO_CONSENT: { status: 403, message: 'the provider has no consent policy in force for this update' },
  GW_POLICY_VERSION: {
    status: 409,
    message: 'update was made under a consent policy version that is not the current one',
  },
  GW_FIELD_NOT_CONSENTED: { status: 403, message: 'field is not consented at this cadence' },
  GW_SEQ_REPLAYED: { status: 409, message: 'seq was already used by this device' },
  GW_SEQ_OUT_OF_ORDER: { status: 409, message: 'seq is lower than the last one accepted from this device' },
  GW_ID_REUSED: { status: 409, message: 'update id was already used for a different update' },
  GW_BAD_STATUS: { status: 400, message: 'status payload does not match the schema' },
  // registry (REST)
  GW_BAD_PROVIDER_SIGNATURE: { status: 401, message: 'update must be signed by the provider key it names' },
  GW_POLICY_NOT_NEWER: { status: 409, message: 'consent policy version must be higher than the registered one' },
  GW_DEVICE_TAKEN: { status: 409, message: 'device is already registered to another provider' },
  GW_UNKNOWN_PROVIDER: { status: 404, message: 'provider is not registered with this gateway' },
  GW_PROVIDER_ERASED: { status: 410, message: 'provider data was erased; register again to share anew' },
  GW_LEDGER_UNAVAILABLE: {
    status: 503,
    message: 'the metagraph did not answer; the request is queued or should be retried',
  },
  GW_LEDGER_REJECTED: { status: 502, message: 'the metagraph rejected the update' },
  // operations
  GW_CONFIG_INVALID: { status: 500, message: 'configuration is invalid' },
  GW_MASTER_KEY: { status: 500, message: 'vault master key is missing or malformed' },
  GW_VAULT_KEY_MISSING: { status: 410, message: 'provider data key is gone (erased)' },
  GW_DATASET_FILE: {
    status: 500,
    message: 'a prepared dataset file does not verify or is cut short: it is dropped and downloads read the vault',
  },
  // rewards (DESIGN.md section 4; gateway/src/rewards)
  GW_REWARD_BAD_INPUT: { status: 500, message: 'paid-query input to the rewards cycle is inconsistent' },
  GW_REWARD_AMOUNT_UNREPRESENTABLE: {
    status: 500,
    message: 'a payout cannot be expressed exactly as a dag4 token amount',
  },
  GW_TREASURY_SHORT: {
    status: 503,
    message: 'the treasury balance is below the cycle payouts: the cycle is deferred and retried, nothing is lost',
  },
  GW_REWARD_TX_REJECTED: { status: 502, message: 'the currency L1 refused a payout transaction' },
  GW_REWARD_CYCLE_BUSY: { status: 409, message: 'a rewards cycle is already running' },
  GW_REWARD_JOURNAL_CORRUPT: { status: 500, message: 'the rewards journal holds a record it cannot read' },
  GW_REWARD_CYCLE_NOT_FOUND: { status: 404, message: 'no such rewards cycle' },
  GW_REWARDS_DISABLED: {
    status: 503,
    message: 'this gateway holds no treasury key (treasury.address without treasury.keystoreFile): it pays no rewards',
  },
  GW_PROVIDER_AUTH_REQUIRED: {
    status: 401,
    message:
      'earnings are private: sign the request with the provider key (Authorization: DG-Provider <publicKey>:<unix seconds>:<signature>)',
  },
  GW_PROVIDER_FORBIDDEN: { status: 403, message: 'a provider may read only their own earnings' },
  GW_OPERATOR_UNAUTHORIZED: {
    status: 401,
    message: 'operator route: send the operator token as Authorization: Bearer <token> (DG_OPERATOR_TOKEN)',
  },
  // research (DESIGN.md section 3; gateway/src/research, gateway/src/http)
  GW_NOT_FOUND: { status: 404, message: 'no such route' },
  GW_RATE_LIMITED: { status: 429, message: 'too many requests from this address: slow down and retry later' },
  GW_QUOTE_BELOW_K: {
    status: 422,
    message: 'fewer providers than the minimum would be released: widen the query (fields, time range, filters)',
  },
  GW_QUOTE_NOT_FOUND: { status: 404, message: 'no such quote' },
  GW_QUOTE_EXPIRED: { status: 410, message: 'the quote expired before the payment confirmed: ask for a new quote' },
  // As a query's status code the answer is 202 {status: 'pending'}; 409 is what a download gets meanwhile.
  GW_PAYMENT_PENDING: {
    status: 409,
    message: 'the payment is not confirmed by a snapshot yet: ask again later (GET /v1/queries/{id})',
  },
  GW_PAYMENT_WRONG_DESTINATION: { status: 402, message: "the payment was not sent to the quote's payTo address" },
  GW_PAYMENT_SHORT: { status: 402, message: 'the payment is less than the quoted price' },
  GW_PAYMENT_REUSED: { status: 409, message: 'this transaction already funded another query' },
  GW_PAYMENT_REJECTED: { status: 400, message: 'the currency L1 refused the signed transaction' },
  GW_QUERY_NOT_FOUND: { status: 404, message: 'no such query' },
  GW_QUERY_UNAUTHORIZED: {
    status: 401,
    message: 'send the query token returned at creation as Authorization: Bearer <token>',
  },
  GW_QUERY_NOT_READY: { status: 409, message: 'the query has no data to release: it is pending or was refused' },
  // portal (issue 8): provider sessions in the web portal
  GW_PORTAL_CHALLENGE: {
    status: 400,
    message: 'the sign-in challenge is unknown, used or expired: start signing in again',
  },
  GW_PORTAL_BAD_SIGNATURE: {
    status: 401,
    message: 'the sign-in signature does not verify for this address: unlock the right keystore',
  },
  GW_PORTAL_SESSION_REQUIRED: { status: 401, message: 'sign in to the portal first (unlock your keystore)' },
  GW_PORTAL_SESSION_EXPIRED: { status: 401, message: 'your portal session expired: unlock your keystore again' },
  GW_PORTAL_NOT_BUILT: {
    status: 503,
    message: 'the portal front end is not built: run npx tsx gateway/portal/buildPortal.ts',
  },
} as const;
