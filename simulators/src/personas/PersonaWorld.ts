// A persona living with their devices: on every tick of the injected clock, the persona's minute states are
// turned into real GATT traffic on simulated peripherals, and every reading is also written to `truth`, the raw
// record a test aggregates independently of the agent.
import { EventEmitter } from 'node:events';
import type { Sample, SampleKind } from '@datagraph/agent/sensors';
import type { Clock, TimerHandle } from '@datagraph/protocol';
import {
  type AcmeBandDevice,
  type BloodPressureCuffDevice,
  createAcmeBand,
  createBloodPressureCuff,
  createFootPod,
  createScale,
  createThermometer,
  type FootPodDevice,
  type ScaleDevice,
  type ThermometerDevice,
} from '../peripherals/devices.ts';
import { float, sfloat } from '../peripherals/gattEncoding.ts';
import type { SimulatedPeripheral } from '../radio/SimulatedPeripheral.ts';
import type { SimulatedRadio } from '../radio/SimulatedRadio.ts';
import { PersonaModel, type SleepStage } from './PersonaModel.ts';
import { draw, hash32 } from './prng.ts';
import { getPersona, type PersonaProfile } from './profiles.ts';

const MIN = 60_000;
const DAY_MIN = 1440;

export interface TruthRecord {
  /** The agent-side sensor id that decodes it ('heart-rate', 'acme-band', ...) or 'meal-log' for app entries. */
  sensorId: string;
  deviceAddress: string;
  /** The sample exactly as a correct decoder yields it. */
  sample: Sample;
  /** notify: lost if nobody listens; stored: indicated now or after reconnect; app: pushed by the SDK, not BLE. */
  via: 'notify' | 'stored' | 'app';
  /** For notify: whether it went on air (a subscribed central existed). Stored and app records are always true. */
  onAir: boolean;
}

export interface PersonaWorldOptions {
  persona: string | PersonaProfile;
  seed?: number;
  clock: Clock;
  radio: SimulatedRadio;
  /** Simulated time between two rounds of notifications (default 60 s; 1000 for a 1 Hz strap). */
  tickMs?: number;
  /** Keep `truth` and the peripherals' delivery logs (default true); false for unbounded runs (events still fire). */
  keepLogs?: boolean;
}

export interface PersonaWorldEvents {
  /** A meal the persona logs in a phone app (not BLE): feed it to the agent's `record()`. */
  meal: [TruthRecord];
  truth: [TruthRecord];
}

export class PersonaWorld extends EventEmitter<PersonaWorldEvents> {
  readonly profile: PersonaProfile;
  readonly model: PersonaModel;
  readonly truth: TruthRecord[] = [];
  readonly band: AcmeBandDevice;
  readonly scale: ScaleDevice | undefined;
  readonly cuff: BloodPressureCuffDevice | undefined;
  readonly thermometer: ThermometerDevice | undefined;
  readonly footPod: FootPodDevice | undefined;
  readonly #clock: Clock;
  readonly #tick: number;
  readonly #keepLogs: boolean;
  #timer: TimerHandle | undefined;
  #last = 0;
  #stepCarry = 0;
  #kcalToday = 0;
  #energyDay = -1;
  #distanceDm = 0;

  constructor(o: PersonaWorldOptions) {
    super();
    this.profile = typeof o.persona === 'string' ? getPersona(o.persona) : o.persona;
    this.model = new PersonaModel(this.profile, o.seed ?? 1);
    this.#clock = o.clock;
    this.#tick = o.tickMs ?? MIN;
    const h = hash32(this.model.seed, this.profile.name);
    const mac = (n: number) =>
      ['c0', (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff, 0, n]
        .map((x) => (typeof x === 'string' ? x : x.toString(16).padStart(2, '0')))
        .join(':');
    const base = { radio: o.radio, clock: o.clock };
    this.band = createAcmeBand({
      ...base,
      address: mac(1),
      user: { age: this.profile.age, gender: this.profile.gender },
    });
    const has = (d: string) => this.profile.devices.includes(d as never);
    this.scale = has('scale') ? createScale({ ...base, address: mac(2) }) : undefined;
    this.cuff = has('bp-cuff') ? createBloodPressureCuff({ ...base, address: mac(3) }) : undefined;
    this.thermometer = has('thermometer') ? createThermometer({ ...base, address: mac(4) }) : undefined;
    this.footPod = has('foot-pod') ? createFootPod({ ...base, address: mac(5) }) : undefined;
    this.#keepLogs = o.keepLogs ?? true;
    for (const d of this.devices()) d.logDeliveries = this.#keepLogs;
  }

  /** Begin living: ticks at every multiple of tickMs of the clock. */
  start(): void {
    const now = this.#clock.now();
    this.#last = now;
    const m0 = Math.floor(now / MIN);
    const stage = this.model.stageAt(m0);
    // Already asleep: the band knows the current stage. A change exactly at `now` is recorded by the first tick.
    const changesNow = now === m0 * MIN && this.model.stageAt(m0 - 1) !== stage;
    if (stage !== 'awake' && !changesNow) this.#sleep(stage, m0 * MIN);
    this.#schedule();
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** The persona's simulated peripherals (band first). */
  devices(): SimulatedPeripheral[] {
    return [this.band, this.scale, this.cuff, this.thermometer, this.footPod].flatMap((d) => (d ? [d.peripheral] : []));
  }

  /** Truth records of one kind, in emission order. */
  samplesOf(kind: SampleKind): TruthRecord[] {
    return this.truth.filter((r) => r.sample.kind === kind);
  }

  #schedule(): void {
    const now = this.#clock.now();
    const next = (Math.floor(now / this.#tick) + 1) * this.#tick;
    this.#timer = this.#clock.setTimeout(() => this.#onTick(), next - now);
  }

  #onTick(): void {
    const t = this.#clock.now();
    this.#advance(this.#last, t);
    this.#last = t;
    this.#schedule();
  }

  #record(sensorId: string, address: string, sample: Sample, via: TruthRecord['via'], onAir: boolean): void {
    const r: TruthRecord = { sensorId, deviceAddress: address, sample, via, onAir };
    if (this.#keepLogs) this.truth.push(r);
    this.emit('truth', r);
    if (sensorId === 'meal-log') this.emit('meal', r);
  }

  #v(kind: SampleKind, value: number | string, unit: string, at: number): Sample {
    return { hasValue: true, kind, value, unit, at };
  }

  /** Everything that happened in [from, to). */
  #advance(from: number, to: number): void {
    const band = this.band;
    const addr = band.peripheral.address;
    // minute-level events (stage changes, morning checks, meals) at their own time
    let steps = 0;
    let kcal = 0;
    for (let m = Math.floor(from / MIN); m * MIN < to; m++) {
      const overlap = Math.min(to, (m + 1) * MIN) - Math.max(from, m * MIN);
      if (overlap <= 0) continue;
      const s = this.model.minute(m);
      steps += (s.steps * overlap) / MIN;
      kcal += (s.kcal * overlap) / MIN;
      if (m * MIN >= from) this.#minuteEvents(m);
    }
    // energy expended resets at 00:00 UTC, as a companion app resetting 0x2A39 would
    const day = Math.floor(to / (DAY_MIN * MIN));
    if (day !== this.#energyDay) {
      this.#energyDay = day;
      this.#kcalToday = 0;
    }
    this.#kcalToday += kcal;
    const state = this.model.minute(Math.floor(to / MIN));
    const energyKj = Math.min(0xffff, Math.round(this.#kcalToday * 4.184));
    const rr = Math.round((60000 / state.heartRate) * 1.024);
    const onAir = band.heartRate.measure({ bpm: state.heartRate, energyKj, rr1024: [rr, rr] });
    this.#record('heart-rate', addr, this.#v('heart_rate', state.heartRate, 'bpm', to), 'notify', onAir);
    this.#record('heart-rate', addr, this.#v('energy_expended', energyKj, 'kJ', to), 'notify', onAir);
    for (let i = 0; i < 2; i++)
      this.#record('heart-rate', addr, this.#v('rr_interval', (rr * 1000) / 1024, 'ms', to), 'notify', onAir);

    this.#stepCarry += steps;
    const whole = Math.floor(this.#stepCarry + 1e-9);
    this.#stepCarry -= whole;
    if (whole > 0) {
      const sent = band.acme.addSteps(whole);
      this.#record('acme-band', addr, this.#v('step_count', band.acme.steps, 'steps', to), 'notify', sent);
    }
    if (state.activity === 'sleep') {
      const sent = band.pulseOximeter.continuous({ spo2: sfloat(state.spo2), pulse: sfloat(state.heartRate) });
      this.#record('pulse-oximeter', addr, this.#v('spo2', state.spo2, '%', to), 'notify', sent);
      this.#record('pulse-oximeter', addr, this.#v('pulse_rate', state.heartRate, 'bpm', to), 'notify', sent);
    }
    this.#battery(to);
    if (this.footPod && state.activity === 'run') this.#run(state.steps, to - from, to);
  }

  #minuteEvents(m: number): void {
    const prev = this.model.stageAt(m - 1);
    const stage = this.model.stageAt(m);
    if (stage !== prev) this.#sleep(stage, m * MIN);
    const day = Math.floor(m / DAY_MIN);
    for (const wake of this.model.wakesOn(day)) {
      if (m === wake + this.profile.morningCheckAfterWake) this.#morningChecks(m);
    }
    for (const [i, meal] of this.profile.meals.entries()) {
      const at = day * DAY_MIN + meal.minute + Math.round((draw(this.model.seed, `meal-time-${i}`, day) - 0.5) * 40);
      if (m === at) {
        const kcal = Math.round(meal.kcal * (0.85 + 0.3 * draw(this.model.seed, `meal-kcal-${i}`, day)));
        this.#record('meal-log', 'app', this.#v('calories_consumed', kcal, 'kcal', m * MIN), 'app', true);
      }
    }
  }

  #sleep(stage: SleepStage, at: number): void {
    this.band.acme.sleepStage(stage, at);
    this.#record('acme-band', this.band.peripheral.address, this.#v('sleep_stage', stage, '', at), 'stored', true);
  }

  #morningChecks(m: number): void {
    const at = m * MIN;
    const device = (clockNow: number) => Math.floor((clockNow - this.#clock.now() + at) / 1000) * 1000;
    const d = (what: string) => draw(this.model.seed, what, m);
    if (this.scale) {
      const kg = this.profile.weightKg + Math.round((d('weight') - 0.5) * 12) * 0.05;
      const raw = Math.round(kg / 0.005);
      const ts = device(this.scale.time.now());
      this.scale.weight.measure({ weightRaw: raw, timestamp: ts });
      this.#record(
        'weight-scale',
        this.scale.peripheral.address,
        this.#v('weight', (raw * 5) / 1000, 'kg', ts),
        'stored',
        true,
      );
    }
    if (this.cuff) {
      const sys = 112 + Math.floor(d('sys') * 20) + Math.max(0, this.profile.age - 40);
      const dia = 70 + Math.floor(d('dia') * 12);
      const map = Math.round(dia + (sys - dia) / 3);
      const pulse = this.profile.restingHr + 6;
      const ts = device(this.cuff.time.now());
      this.cuff.bloodPressure.measure({
        systolic: sfloat(sys),
        diastolic: sfloat(dia),
        map: sfloat(map),
        pulse: sfloat(pulse),
        timestamp: ts,
      });
      const addr = this.cuff.peripheral.address;
      this.#record('blood-pressure', addr, this.#v('bp_systolic', sys, 'mmHg', ts), 'stored', true);
      this.#record('blood-pressure', addr, this.#v('bp_diastolic', dia, 'mmHg', ts), 'stored', true);
      this.#record('blood-pressure', addr, this.#v('bp_map', map, 'mmHg', ts), 'stored', true);
      this.#record('blood-pressure', addr, this.#v('pulse_rate', pulse, 'bpm', ts), 'stored', true);
    }
    if (this.thermometer) {
      const tenths = 364 + Math.floor(d('temp') * 6);
      const ts = device(this.thermometer.time.now());
      this.thermometer.thermometer.measure({ floatRaw: float(tenths / 10, -1), timestamp: ts, type: 6 });
      this.#record(
        'health-thermometer',
        this.thermometer.peripheral.address,
        this.#v('temperature', tenths / 10, 'degC', ts),
        'stored',
        true,
      );
    }
  }

  /** Band battery: charged to 100 % at 19:00 UTC, then -1 % every 80 minutes. */
  #battery(at: number): void {
    const m = Math.floor(at / MIN);
    const sinceCharge = (((m - 19 * 60) % DAY_MIN) + DAY_MIN) % DAY_MIN;
    const level = 100 - Math.floor(sinceCharge / 80);
    if (level !== this.band.battery.level) {
      const sent = this.band.battery.setLevel(level);
      this.#record('battery', this.band.peripheral.address, this.#v('battery', level, '%', at), 'notify', sent);
    }
  }

  #run(cadence: number, dtMs: number, at: number): void {
    const pod = this.footPod as FootPodDevice;
    const speed256 = Math.round((2.9 + 0.5 * draw(this.model.seed, 'pace', Math.floor(at / MIN))) * 256);
    const c = Math.min(255, cadence);
    const strideCm = c > 0 ? Math.round(((speed256 / 256) * 60 * 100) / c) : 0;
    this.#distanceDm += Math.round(((speed256 / 256) * dtMs) / 100);
    const sent = pod.rsc.measure({ speed256, cadence: c, strideCm, distanceDm: this.#distanceDm, running: true });
    const addr = pod.peripheral.address;
    this.#record('running-speed-cadence', addr, this.#v('speed', speed256 / 256, 'm/s', at), 'notify', sent);
    this.#record('running-speed-cadence', addr, this.#v('cadence', c, 'steps/min', at), 'notify', sent);
    this.#record('running-speed-cadence', addr, this.#v('stride_length', strideCm / 100, 'm', at), 'notify', sent);
    this.#record('running-speed-cadence', addr, this.#v('distance', this.#distanceDm / 10, 'm', at), 'notify', sent);
  }
}
