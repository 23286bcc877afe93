// Public sensor SDK: defineSensor, the pure decoders, the built-in drivers and the helpers a device maker needs.
export { type NoValueReason, type Sample, SampleKind } from '../sample.ts';
export { ByteReader } from './ByteReader.ts';
export * from './builtinSensors.ts';
export { readDateTime } from './dateTime.ts';
export { decodeBatteryLevel } from './decoders/battery.ts';
export { decodeBloodPressureMeasurement, decodeIntermediateCuffPressure } from './decoders/bloodPressure.ts';
export {
  ADJUST_EXTERNAL_REFERENCE,
  type CurrentTime,
  decodeCurrentTime,
  encodeCurrentTime,
} from './decoders/currentTime.ts';
export { decodeHeartRate } from './decoders/heartRate.ts';
export { decodePlxContinuous, decodePlxSpotCheck } from './decoders/pulseOximeter.ts';
export { decodeRscMeasurement } from './decoders/runningSpeedCadence.ts';
export { decodeTemperatureMeasurement } from './decoders/temperature.ts';
export { decodeAge, decodeGender } from './decoders/userData.ts';
export { decodeWeightMeasurement } from './decoders/weight.ts';
export {
  type DecodeContext,
  type Decoder,
  defineSensor,
  type SensorDefinition,
  type SensorDescriptor,
  type SensorDevice,
  type SensorMatch,
} from './defineSensor.ts';
export { decodeFloat, decodeSfloat, type MedFloat } from './ieee11073.ts';
export { normalizeUuid } from './uuid.ts';
export { ACME_BAND, ACME_SLEEP_STAGES, acmeBandSensor, decodeAcmeSleep, decodeAcmeSteps } from './vendor/acmeBand.ts';
