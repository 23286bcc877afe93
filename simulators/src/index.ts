// @datagraph/simulators: a simulated BLE radio for the real noble, simulated GATT peripherals and wearable personas.

export {
  ACME_BAND_UUIDS,
  ACME_STAGE_CODES,
  AcmeBandService,
  type AcmeStage,
  encodeAcmeSleep,
  encodeAcmeSteps,
} from './peripherals/AcmeBandService.ts';
export { BatteryService } from './peripherals/BatteryService.ts';
export {
  type BloodPressureMeasurement,
  BloodPressureService,
  encodeBloodPressure,
} from './peripherals/BloodPressureService.ts';
export { CurrentTimeService, parseCurrentTime } from './peripherals/CurrentTimeService.ts';
export * from './peripherals/devices.ts';
export { Bytes, dateTimeBytes, FLOAT, float, SFLOAT, sfloat } from './peripherals/gattEncoding.ts';
export {
  encodeTemperatureMeasurement,
  HealthThermometerService,
  type TemperatureMeasurement,
} from './peripherals/HealthThermometerService.ts';
export {
  encodeHeartRateMeasurement,
  type HeartRateMeasurement,
  HeartRateService,
} from './peripherals/HeartRateService.ts';
export {
  encodePlxContinuous,
  encodePlxSpotCheck,
  type PlxContinuous,
  type PlxSpotCheck,
  PulseOximeterService,
} from './peripherals/PulseOximeterService.ts';
export {
  encodeRscMeasurement,
  type RscMeasurement,
  RunningSpeedCadenceService,
} from './peripherals/RunningSpeedCadenceService.ts';
export { GENDER_CODES, UserDataService } from './peripherals/UserDataService.ts';
export {
  encodeWeightMeasurement,
  type WeightMeasurement,
  WeightScaleService,
} from './peripherals/WeightScaleService.ts';
export { createPersonaSimulation, type PersonaSimulation } from './personas/createPersonaSimulation.ts';
export { type MinuteState, PersonaModel, type SleepStage } from './personas/PersonaModel.ts';
export {
  PersonaWorld,
  type PersonaWorldEvents,
  type PersonaWorldOptions,
  type TruthRecord,
} from './personas/PersonaWorld.ts';
export { draw, hash32, mulberry32 } from './personas/prng.ts';
export { type Activity, getPersona, listPersonas, PERSONAS, type PersonaProfile } from './personas/profiles.ts';
export { RadioFaultPlan, type RadioFaults } from './radio/RadioFaultPlan.ts';
export {
  type CharacteristicDef,
  type DeliveredPayload,
  type GattProperty,
  SimulatedPeripheral,
  type SimulatedPeripheralOptions,
} from './radio/SimulatedPeripheral.ts';
export {
  type AdapterState,
  HCI,
  type RadioCounters,
  SimulatedRadio,
  type SimulatedRadioOptions,
} from './radio/SimulatedRadio.ts';
