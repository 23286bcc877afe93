// Ready-made simulated devices: each is a peripheral with the services a real product of its kind exposes.
import type { Clock } from '@datagraph/protocol';
import { SimulatedPeripheral } from '../radio/SimulatedPeripheral.ts';
import type { SimulatedRadio } from '../radio/SimulatedRadio.ts';
import { AcmeBandService } from './AcmeBandService.ts';
import { BatteryService } from './BatteryService.ts';
import { BloodPressureService } from './BloodPressureService.ts';
import { CurrentTimeService } from './CurrentTimeService.ts';
import { HealthThermometerService } from './HealthThermometerService.ts';
import { HeartRateService } from './HeartRateService.ts';
import { PulseOximeterService } from './PulseOximeterService.ts';
import { RunningSpeedCadenceService } from './RunningSpeedCadenceService.ts';
import { UserDataService } from './UserDataService.ts';
import { WeightScaleService } from './WeightScaleService.ts';

export interface DeviceOptions {
  radio: SimulatedRadio;
  clock: Clock;
  address: string;
  name?: string;
}

/** Acme Band wrist wearable: heart rate, battery, the vendor step/sleep service, SpO2, clock and user data. */
export function createAcmeBand(
  o: DeviceOptions & { user: { age: number; gender: 'female' | 'male' | 'unspecified' } },
) {
  const peripheral = new SimulatedPeripheral({ address: o.address, name: o.name ?? 'Acme Band' });
  const device = {
    peripheral,
    heartRate: new HeartRateService(peripheral),
    acme: new AcmeBandService(peripheral),
    pulseOximeter: new PulseOximeterService(peripheral, { advertise: false }),
    battery: new BatteryService(peripheral),
    time: new CurrentTimeService(peripheral, o.clock),
    user: new UserDataService(peripheral, o.user),
  };
  o.radio.add(peripheral);
  return device;
}

export function createScale(o: DeviceOptions) {
  const peripheral = new SimulatedPeripheral({ address: o.address, name: o.name ?? 'Body Scale' });
  const device = {
    peripheral,
    weight: new WeightScaleService(peripheral),
    time: new CurrentTimeService(peripheral, o.clock),
    battery: new BatteryService(peripheral, { level: 90 }),
  };
  o.radio.add(peripheral);
  return device;
}

export function createBloodPressureCuff(o: DeviceOptions) {
  const peripheral = new SimulatedPeripheral({ address: o.address, name: o.name ?? 'BP Cuff' });
  const device = {
    peripheral,
    bloodPressure: new BloodPressureService(peripheral),
    time: new CurrentTimeService(peripheral, o.clock),
  };
  o.radio.add(peripheral);
  return device;
}

export function createThermometer(o: DeviceOptions) {
  const peripheral = new SimulatedPeripheral({ address: o.address, name: o.name ?? 'Thermometer' });
  const device = {
    peripheral,
    thermometer: new HealthThermometerService(peripheral),
    time: new CurrentTimeService(peripheral, o.clock),
  };
  o.radio.add(peripheral);
  return device;
}

export function createFootPod(o: DeviceOptions) {
  const peripheral = new SimulatedPeripheral({ address: o.address, name: o.name ?? 'Foot Pod' });
  const device = {
    peripheral,
    rsc: new RunningSpeedCadenceService(peripheral),
    battery: new BatteryService(peripheral, { level: 75 }),
  };
  o.radio.add(peripheral);
  return device;
}

export type AcmeBandDevice = ReturnType<typeof createAcmeBand>;
export type ScaleDevice = ReturnType<typeof createScale>;
export type BloodPressureCuffDevice = ReturnType<typeof createBloodPressureCuff>;
export type ThermometerDevice = ReturnType<typeof createThermometer>;
export type FootPodDevice = ReturnType<typeof createFootPod>;
