// AG_: codes owned by the agent package. Add a code here, with its HTTP status and a short message a
// person can act on; never rename or reuse one (codes are public API).
export const agentCodes = {
  AG_INTERNAL: { status: 500, message: 'unexpected internal error' },
  // agent pipeline (aggregation, consent, outbox, MQTT, keys, CLI: agent/src outside ble and sensors)
  AG_SAMPLE_INVALID: { status: 400, message: 'sample does not match the Sample schema (kind, value, unit, at)' },
  AG_POLICY_INVALID: {
    status: 400,
    message: 'consent policy message is not a valid SignedPolicy; sharing stays as it was',
  },
  AG_POLICY_BAD_SIGNATURE: { status: 400, message: 'consent policy signature does not verify; ignored' },
  AG_POLICY_WRONG_PROVIDER: {
    status: 403,
    message: 'consent policy is not signed by the provider this device is paired with; ignored',
  },
  AG_POLICY_STALE: { status: 409, message: 'consent policy is older than the one in force; ignored' },
  AG_UPDATE_INVALID: {
    status: 500,
    message: 'an update failed the outbound schema after the privacy steps and was not sent',
  },
  AG_UPDATE_REJECTED: { status: 400, message: 'the gateway rejected an update; it is kept in the dead-letter store' },
  AG_OUTBOX_OVERFLOW: { status: 507, message: 'outbox reached its disk cap; oldest hourly updates were dropped' },
  AG_OUTBOX_ENTRY_INVALID: {
    status: 500,
    message: 'an outbox entry is not a signed update; it was not made again under the new consent policy',
  },
  AG_KEYSTORE_MISSING: { status: 400, message: 'no device keystore: run `datagraph agent init` first' },
  AG_KEYSTORE_EXISTS: { status: 409, message: 'a device keystore already exists here; refusing to overwrite it' },
  AG_PASSPHRASE_MISSING: {
    status: 400,
    message: 'set DG_PASSPHRASE or pass --passphrase-file (at least 8 characters)',
  },
  AG_CONFIG_INVALID: { status: 400, message: 'agent options are invalid' },
  AG_AGENT_LOCKED: { status: 409, message: 'agent data directory is in use by another agent process' },
  AG_STATUS_MISSING: { status: 404, message: 'no agent status yet: run `datagraph agent run` first' },
  // BLE and decoders (agent/src/ble, agent/src/sensors)
  AG_BLE_TRUNCATED: { status: 400, message: 'BLE payload is shorter than its flags announce' },
  AG_BLE_MALFORMED: {
    status: 400,
    message: 'BLE payload has trailing bytes or values outside the characteristic spec',
  },
  AG_BLE_DECODER_FAILED: { status: 500, message: 'a sensor decoder failed unexpectedly on a BLE payload' },
  AG_SENSOR_INVALID: {
    status: 400,
    message: 'sensor descriptor is invalid (check id, match.services and characteristic UUIDs)',
  },
  AG_BLE_UNAVAILABLE: {
    status: 503,
    message: 'Bluetooth adapter is unavailable (unsupported, unauthorized or the noble module failed to load)',
  },
  AG_BLE_ADAPTER_OFF: { status: 503, message: 'Bluetooth adapter is powered off; waiting for it to come back' },
  AG_BLE_CONNECT_FAILED: { status: 502, message: 'could not connect to the BLE device; will retry with backoff' },
  AG_BLE_DISCONNECTED: { status: 502, message: 'BLE device disconnected; will reconnect with backoff' },
  AG_BLE_TIMEOUT: { status: 504, message: 'BLE device did not answer in time; will reconnect with backoff' },
  AG_BLE_GATT_FAILED: { status: 502, message: 'a GATT operation (discover, read, write, subscribe) failed' },
} as const;
