// MG_: codes owned by the metagraph package. Add a code here, with its HTTP status and a short message a
// person can act on; never rename or reuse one (codes are public API). The rule codes are documented, with
// the check that raises each, in docs/data-application.md; metagraph/vectors/ exercises every one of them.
export const metagraphCodes = {
  MG_INTERNAL: { status: 500, message: 'unexpected internal error' },

  // validateUpdate (stateless: the update itself and the node's config)
  MG_MALFORMED: { status: 400, message: 'data update does not match the SignedDataUpdate schema' },
  MG_BAD_PROOF: { status: 400, message: 'a proof on the data update does not verify' },
  MG_WRONG_SIGNER: { status: 400, message: 'data update is not signed by the required signer alone' },
  MG_GATEWAY_NOT_AUTHORISED: { status: 400, message: 'gateway is not authorised to submit data updates' },
  MG_BAD_DEVICE_SIGNATURE: { status: 400, message: "entry's device signature over its commitment does not verify" },
  MG_DEVICE_KEY_MISMATCH: { status: 400, message: 'public key does not belong to the device address' },
  MG_FIELDS_NOT_SORTED: { status: 400, message: 'field names must be sorted and unique' },
  MG_FIELD_CADENCE: { status: 400, message: 'field is not offered at this cadence' },
  MG_BAD_WINDOW: { status: 400, message: 'window is not aligned to its cadence' },
  MG_DUPLICATE_IN_BATCH: { status: 400, message: 'batch carries the same entry id, commitment or device seq twice' },
  MG_DUPLICATE_DEVICE: { status: 400, message: 'registration lists the same device twice' },
  MG_POLICY_PROVIDER_MISMATCH: { status: 400, message: 'consent policy belongs to another provider' },
  MG_BAD_RECEIPT: { status: 400, message: 'query receipt counts are inconsistent' },

  // validateData (stateful: against the calculated state)
  MG_PROVIDER_UNKNOWN: { status: 400, message: 'provider is not registered' },
  MG_DEVICE_NOT_REGISTERED: { status: 400, message: 'device is not registered to this provider' },
  MG_CONSENT_REVOKED: { status: 400, message: 'provider has revoked consent' },
  MG_PROVIDER_ERASED: { status: 400, message: 'provider has erased their data' },
  MG_POLICY_VERSION_MISMATCH: { status: 400, message: "entry's policy version is not the provider's current one" },
  MG_FIELD_NOT_CONSENTED: { status: 400, message: 'field is not consented at this cadence' },
  MG_CONSENT_EXPIRED: { status: 400, message: 'window ends after the consent policy expired' },
  MG_SEQ_REPLAYED: { status: 400, message: 'entry was already accepted (replay)' },
  MG_SEQ_OUT_OF_ORDER: { status: 400, message: "seq is not greater than the device's last accepted seq" },
  MG_COMMITMENT_EXISTS: { status: 400, message: 'commitment is already on chain under another seq' },
  MG_ENTRY_ID_EXISTS: { status: 400, message: 'entry id is already on chain' },
  MG_POLICY_VERSION_NOT_INCREASING: {
    status: 400,
    message: "policy version must be greater than the provider's current one",
  },
  MG_DEVICE_OWNED: { status: 400, message: 'device is registered to another provider' },
  MG_REVOKE_VERSION_STALE: {
    status: 400,
    message: "revocation names a policy version older than the provider's current one",
  },
  MG_RECEIPT_EXISTS: { status: 400, message: 'a receipt for this query is already on chain' },
  MG_PAYMENT_REUSED: { status: 400, message: 'this payment already funded another query' },
  MG_CYCLE_EXISTS: { status: 400, message: 'this gateway already recorded this reward cycle' },

  // ---- local node (metagraph/src/node): currency L1, HTTP and configuration. Owned by the node's engineer. ----
  MG_TX_MALFORMED: { status: 400, message: 'transaction does not match the Signed[Transaction] shape' },
  MG_TX_BAD_AMOUNT: { status: 400, message: 'amount must be a positive integer number of base units' },
  MG_TX_BAD_FEE: { status: 400, message: 'fee must be a non-negative integer number of base units' },
  MG_TX_SELF_SEND: { status: 400, message: 'source and destination are the same address' },
  MG_TX_BAD_SIGNATURE: { status: 400, message: 'transaction signature does not verify over its hash' },
  MG_TX_SIGNER_MISMATCH: { status: 400, message: "transaction is not signed by the source address's key" },
  MG_TX_STALE_PARENT: { status: 400, message: "parent reference is older than the source's last transaction" },
  MG_TX_PARENT_MISMATCH: {
    status: 400,
    message: "parent reference is not the source's last transaction; fetch /transactions/last-reference",
  },
  MG_TX_INSUFFICIENT_BALANCE: { status: 400, message: 'balance (minus pending spends) does not cover amount plus fee' },
  MG_BODY_TOO_LARGE: { status: 413, message: 'request body is larger than this endpoint accepts' },
  MG_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'send the body as application/json' },
  MG_NOT_FOUND: { status: 404, message: 'no such resource' },
  MG_BAD_REQUEST: { status: 400, message: 'request parameters are invalid' },
  MG_NODE_CLOSING: { status: 503, message: 'node is shutting down' },
  MG_BAD_GENESIS: { status: 400, message: 'genesis file is invalid' },
  MG_GENESIS_MISMATCH: { status: 409, message: 'data directory was initialised from a different genesis file' },
  MG_BAD_CONFIG: { status: 400, message: 'node configuration is invalid' },
} as const;
