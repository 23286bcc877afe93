// Drivers for the standard GATT health services: each is a descriptor over the pure decoders.

import { decodeBatteryLevel } from './decoders/battery.ts';
import { decodeBloodPressureMeasurement, decodeIntermediateCuffPressure } from './decoders/bloodPressure.ts';
import { encodeCurrentTime } from './decoders/currentTime.ts';
import { decodeHeartRate } from './decoders/heartRate.ts';
import { decodePlxContinuous, decodePlxSpotCheck } from './decoders/pulseOximeter.ts';
import { decodeRscMeasurement } from './decoders/runningSpeedCadence.ts';
import { decodeTemperatureMeasurement } from './decoders/temperature.ts';
import { decodeAge, decodeGender } from './decoders/userData.ts';
import { decodeWeightMeasurement } from './decoders/weight.ts';
import { defineSensor, type SensorDescriptor } from './defineSensor.ts';

export const heartRateSensor = defineSensor({
  id: 'heart-rate',
  match: { services: ['180d'] },
  characteristics: { '2a37': decodeHeartRate },
});

export const runningSpeedCadenceSensor = defineSensor({
  id: 'running-speed-cadence',
  match: { services: ['1814'] },
  characteristics: { '2a53': decodeRscMeasurement },
});

export const batterySensor = defineSensor({
  id: 'battery',
  match: { services: ['180f'] },
  characteristics: { '2a19': decodeBatteryLevel },
});

export const weightScaleSensor = defineSensor({
  id: 'weight-scale',
  match: { services: ['181d'] },
  characteristics: { '2a9d': decodeWeightMeasurement },
});

export const healthThermometerSensor = defineSensor({
  id: 'health-thermometer',
  match: { services: ['1809'] },
  // Intermediate Temperature (0x2A1E) is a live preview while measuring: not subscribed.
  characteristics: { '2a1c': decodeTemperatureMeasurement },
});

export const bloodPressureSensor = defineSensor({
  id: 'blood-pressure',
  match: { services: ['1810'] },
  characteristics: { '2a35': decodeBloodPressureMeasurement, '2a36': decodeIntermediateCuffPressure },
});

export const pulseOximeterSensor = defineSensor({
  id: 'pulse-oximeter',
  match: { services: ['1822'] },
  characteristics: { '2a5e': decodePlxSpotCheck, '2a5f': decodePlxContinuous },
});

export const userDataSensor = defineSensor({
  id: 'user-data',
  match: { services: ['181c'] },
  characteristics: { '2a80': decodeAge, '2a8c': decodeGender },
});

/**
 * Writes the agent's clock (UTC) to Current Time 0x2A2B on every device that exposes it as writable, so
 * scales, thermometers and cuffs stamp their stored measurements correctly (gatt.md B.14).
 */
export const currentTimeSensor = defineSensor({
  id: 'current-time',
  match: { services: ['1805'] },
  characteristics: {},
  async setup(device) {
    if (device.has('1805', '2a2b', 'write')) await device.write('1805', '2a2b', encodeCurrentTime(device.now()));
  },
});

/** Every standard driver, in the order the BLE layer sets them up on a device (time first). */
export const builtinSensors: readonly SensorDescriptor[] = Object.freeze([
  currentTimeSensor,
  heartRateSensor,
  runningSpeedCadenceSensor,
  batterySensor,
  weightScaleSensor,
  healthThermometerSensor,
  bloodPressureSensor,
  pulseOximeterSensor,
  userDataSensor,
]);
