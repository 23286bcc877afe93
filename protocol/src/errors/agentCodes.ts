// AG_: codes owned by the agent package. Add a code here, with its HTTP status and a short message a
// person can act on; never rename or reuse one (codes are public API).
export const agentCodes = {
  AG_INTERNAL: { status: 500, message: 'unexpected internal error' },
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
