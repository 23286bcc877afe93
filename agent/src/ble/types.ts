// What the BLE layer tells the rest of the agent: samples with provenance, faults with AG_ codes, and status.
import type { ErrorCode } from '@datagraph/protocol';
import type { Sample } from '../sample.ts';

export interface BleSampleEvent {
  sample: Sample;
  /** The device's address (MAC on Linux), or noble's id when the platform hides it. */
  deviceAddress: string;
  sensorId: string;
}

export interface BleFault {
  code: ErrorCode;
  message: string;
  /** Unix ms from the agent's clock. */
  at: number;
  deviceAddress?: string;
  sensorId?: string;
}

/** 'ignored': the device offers none of the drivers' characteristics; it is left alone. */
export type DeviceLinkState = 'connecting' | 'setting-up' | 'streaming' | 'waiting' | 'ignored' | 'closed';

export interface BleDeviceStatus {
  id: string;
  address: string;
  name: string | undefined;
  state: DeviceLinkState;
  /** Sensors active on this device since the last connection. */
  sensors: string[];
  /** Successful connections so far (reconnects = connections - 1). */
  connections: number;
  /** Unix ms of the next reconnect attempt while `state` is 'waiting'. */
  retryAt: number | undefined;
  lastError: BleFault | undefined;
}

export interface BleSensorStatus {
  sensorId: string;
  deviceAddress: string;
  samples: number;
  lastSampleAt: number | undefined;
}

export interface BleStatus {
  adapter: string;
  scanning: boolean;
  devices: BleDeviceStatus[];
  sensors: BleSensorStatus[];
  /** Most recent faults, newest last (bounded). */
  faults: BleFault[];
}
