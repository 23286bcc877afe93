// Public BLE surface of the agent: the only code that touches noble.
export { Backoff, type BackoffOptions } from './Backoff.ts';
export { type BleLogger, BleSampleSource, type BleSampleSourceOptions } from './BleSampleSource.ts';
export {
  createNobleWithBindings,
  installedNobleVersion,
  loadSystemNoble,
  NOBLE_VERSION,
  type Noble,
} from './loadNoble.ts';
export type {
  BleDeviceStatus,
  BleFault,
  BleSampleEvent,
  BleSensorStatus,
  BleStatus,
  DeviceLinkState,
} from './types.ts';
