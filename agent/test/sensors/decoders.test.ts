// Acceptance 2: decoder tables over recorded byte fixtures, for every profile: both unit systems, every
// IEEE-11073 special value, device time stamps, and truncated or garbage payloads rejected with an AG_ code.
import { isProtocolError } from '@datagraph/protocol';
import fc from 'fast-check';
import t, { type Test } from 'tap';
import { Sample } from '../../src/sample.ts';
import {
  type Decoder,
  decodeAcmeSleep,
  decodeAcmeSteps,
  decodeAge,
  decodeBatteryLevel,
  decodeBloodPressureMeasurement,
  decodeGender,
  decodeHeartRate,
  decodeIntermediateCuffPressure,
  decodePlxContinuous,
  decodePlxSpotCheck,
  decodeRscMeasurement,
  decodeTemperatureMeasurement,
  decodeWeightMeasurement,
} from '../../src/sensors/index.ts';

const AT = Date.UTC(2026, 0, 5, 12, 0, 0);
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
// Date Time 2026-01-05 07:30:00 UTC
const STAMP = 'ea07 01 05 07 1e 00';
const STAMP_MS = Date.UTC(2026, 0, 5, 7, 30, 0);

type Expect = Array<[kind: string, value: number | string | { none: string }, unit?: string, at?: number]>;
interface Row {
  name: string;
  bytes: string;
  expect?: Expect;
  error?: 'AG_BLE_TRUNCATED' | 'AG_BLE_MALFORMED';
}

function runTable(t: Test, decoder: Decoder, rows: Row[]): void {
  for (const row of rows) {
    t.test(row.name, async (t) => {
      if (row.error) {
        t.throws(() => decoder(hex(row.bytes), { at: AT }), { code: row.error }, `${row.bytes} -> ${row.error}`);
        return;
      }
      const out = decoder(hex(row.bytes), { at: AT });
      const want = (row.expect ?? []).map(([kind, value, unit, at]) =>
        typeof value === 'object'
          ? { hasValue: false, kind, reason: value.none, ...(unit !== undefined ? { unit } : {}), at: at ?? AT }
          : { hasValue: true, kind, value, ...(unit !== undefined ? { unit } : {}), at: at ?? AT },
      );
      t.match(out, want);
      t.equal(out.length, want.length, 'no extra samples');
      for (const s of out) t.ok(Sample.safeParse(s).success, `${s.kind} is a valid Sample`);
    });
  }
}

t.test('Heart Rate Measurement 0x2A37', async (t) =>
  runTable(t, decodeHeartRate, [
    { name: 'uint8 bpm', bytes: '00 48', expect: [['heart_rate', 72, 'bpm']] },
    { name: 'uint16 bpm', bytes: '01 2c01', expect: [['heart_rate', 300, 'bpm']] },
    {
      name: 'contact detected, energy kJ, two RR in 1/1024 s',
      bytes: '1e 48 1000 0004 0002',
      expect: [
        ['heart_rate', 72],
        ['energy_expended', 16, 'kJ'],
        ['rr_interval', 1000, 'ms'],
        ['rr_interval', 500, 'ms'],
      ],
    },
    {
      name: 'RR 1/1024 s to ms',
      bytes: '10 3c 0104',
      expect: [
        ['heart_rate', 60],
        ['rr_interval', 1000.9765625, 'ms'],
      ],
    },
    { name: 'contact supported, not detected', bytes: '04 00', expect: [['heart_rate', { none: 'no-contact' }]] },
    { name: 'no contact drops RR', bytes: '14 00 0004', expect: [['heart_rate', { none: 'no-contact' }]] },
    { name: 'zero bpm is no value', bytes: '00 00', expect: [['heart_rate', { none: 'unsuccessful' }]] },
    { name: 'empty', bytes: '', error: 'AG_BLE_TRUNCATED' },
    { name: 'uint16 format cut short', bytes: '01 48', error: 'AG_BLE_TRUNCATED' },
    { name: 'energy flag without energy', bytes: '08 48 10', error: 'AG_BLE_TRUNCATED' },
    { name: 'RR flag without RR', bytes: '10 48', error: 'AG_BLE_MALFORMED' },
    { name: 'odd RR bytes', bytes: '10 48 0004 01', error: 'AG_BLE_MALFORMED' },
    { name: 'reserved flags', bytes: 'e0 48', error: 'AG_BLE_MALFORMED' },
    { name: 'trailing byte', bytes: '00 48 00', error: 'AG_BLE_MALFORMED' },
  ]),
);

t.test('RSC Measurement 0x2A53', async (t) =>
  runTable(t, decodeRscMeasurement, [
    {
      name: 'speed 1/256 m/s and cadence',
      bytes: '00 0003 aa',
      expect: [
        ['speed', 3, 'm/s'],
        ['cadence', 170, 'steps/min'],
      ],
    },
    {
      name: 'stride cm and total distance 1/10 m, running',
      bytes: '07 8002 aa 8c00 e8030000',
      expect: [
        ['speed', 2.5],
        ['cadence', 170],
        ['stride_length', 1.4, 'm'],
        ['distance', 100, 'm'],
      ],
    },
    { name: 'distance flag without distance', bytes: '02 0003 aa', error: 'AG_BLE_TRUNCATED' },
    { name: 'reserved flags', bytes: '08 0003 aa', error: 'AG_BLE_MALFORMED' },
  ]),
);

t.test('Battery Level 0x2A19', async (t) =>
  runTable(t, decodeBatteryLevel, [
    { name: '87 %', bytes: '57', expect: [['battery', 87, '%']] },
    { name: '0 %', bytes: '00', expect: [['battery', 0, '%']] },
    { name: '101 is reserved', bytes: '65', error: 'AG_BLE_MALFORMED' },
    { name: 'empty', bytes: '', error: 'AG_BLE_TRUNCATED' },
    { name: 'two bytes', bytes: '6400', error: 'AG_BLE_MALFORMED' },
  ]),
);

t.test('Weight Measurement 0x2A9D', async (t) =>
  runTable(t, decodeWeightMeasurement, [
    { name: 'SI: 0.005 kg units', bytes: '00 1437', expect: [['weight', 70.5, 'kg']] },
    { name: 'Imperial: 0.01 lb units -> kg', bytes: '01 8c3c', expect: [['weight', 70.307, 'kg']] },
    { name: 'device time stamp becomes at', bytes: `02 1437 ${STAMP}`, expect: [['weight', 70.5, 'kg', STAMP_MS]] },
    { name: 'unknown date falls back to arrival', bytes: '02 1437 0000 00 00 00 00 00', expect: [['weight', 70.5]] },
    { name: 'user id is read and not kept', bytes: '04 1437 ff', expect: [['weight', 70.5]] },
    {
      name: 'SI height 0.001 m',
      bytes: '08 1437 e100 d606',
      expect: [
        ['weight', 70.5],
        ['height', 1.75, 'm'],
      ],
    },
    {
      name: 'Imperial height 0.1 in',
      bytes: '09 8c3c e100 b202',
      expect: [
        ['weight', 70.307],
        ['height', 1.7526, 'm'],
      ],
    },
    { name: '0xFFFF measurement unsuccessful', bytes: '00 ffff', expect: [['weight', { none: 'unsuccessful' }, 'kg']] },
    { name: 'time stamp flag, stamp cut', bytes: '02 1437 ea07 01', error: 'AG_BLE_TRUNCATED' },
    { name: 'month 13', bytes: '02 1437 ea07 0d 05 07 1e 00', error: 'AG_BLE_MALFORMED' },
    { name: 'February 30', bytes: '02 1437 ea07 02 1e 07 1e 00', error: 'AG_BLE_MALFORMED' },
    { name: 'BMI without height', bytes: '08 1437 e100', error: 'AG_BLE_TRUNCATED' },
  ]),
);

t.test('Temperature Measurement 0x2A1C (FLOAT)', async (t) =>
  runTable(t, decodeTemperatureMeasurement, [
    { name: 'Celsius 366e-1', bytes: '00 6e0100ff', expect: [['temperature', 36.6, 'degC']] },
    { name: 'Fahrenheit 986e-1 -> 37 degC', bytes: '01 da0300ff', expect: [['temperature', 37, 'degC']] },
    { name: 'HL7 FLOAT 0xFF000014 = 2.0', bytes: '00 140000ff', expect: [['temperature', 2]] },
    { name: 'HL7 FLOAT 0x00FFFB2E = -1234', bytes: '00 2efbff00', expect: [['temperature', -1234]] },
    { name: 'FLOAT NaN', bytes: '00 ffff7f00', expect: [['temperature', { none: 'not-a-number' }, 'degC']] },
    { name: 'FLOAT NRes', bytes: '00 00008000', expect: [['temperature', { none: 'error' }]] },
    { name: 'FLOAT +INFINITY', bytes: '00 feff7f00', expect: [['temperature', { none: 'positive-infinity' }]] },
    { name: 'FLOAT -INFINITY', bytes: '00 02008000', expect: [['temperature', { none: 'negative-infinity' }]] },
    { name: 'FLOAT reserved', bytes: '00 01008000', expect: [['temperature', { none: 'error' }]] },
    {
      name: 'special in Fahrenheit stays no-value',
      bytes: '01 ffff7f00',
      expect: [['temperature', { none: 'not-a-number' }]],
    },
    {
      name: 'time stamp and type',
      bytes: `06 6e0100ff ${STAMP} 06`,
      expect: [['temperature', 36.6, 'degC', STAMP_MS]],
    },
    { name: 'type 0 is reserved', bytes: '04 6e0100ff 00', error: 'AG_BLE_MALFORMED' },
    { name: 'FLOAT cut', bytes: '00 6e0100', error: 'AG_BLE_TRUNCATED' },
  ]),
);

t.test('Blood Pressure Measurement 0x2A35 (SFLOAT)', async (t) =>
  runTable(t, decodeBloodPressureMeasurement, [
    {
      name: 'mmHg 120/80/93',
      bytes: '00 7800 5000 5d00',
      expect: [
        ['bp_systolic', 120, 'mmHg'],
        ['bp_diastolic', 80, 'mmHg'],
        ['bp_map', 93, 'mmHg'],
      ],
    },
    {
      name: 'kPa 16.0/10.7/12.5 -> mmHg',
      bytes: '01 a0f0 6bf0 7df0',
      expect: [
        ['bp_systolic', 120, 'mmHg'],
        ['bp_diastolic', 80.3, 'mmHg'],
        ['bp_map', 93.8, 'mmHg'],
      ],
    },
    {
      name: 'time stamp, pulse, user, status',
      bytes: `1e 7800 5000 5d00 ${STAMP} 4800 01 0000`,
      expect: [
        ['bp_systolic', 120, 'mmHg', STAMP_MS],
        ['bp_diastolic', 80, 'mmHg', STAMP_MS],
        ['bp_map', 93, 'mmHg', STAMP_MS],
        ['pulse_rate', 72, 'bpm', STAMP_MS],
      ],
    },
    {
      name: 'HL7 SFLOAT vectors in the three slots: 0xF014=2.0, 0xE0C8=2.00, 0x1002=20',
      bytes: '00 14f0 c8e0 0210',
      expect: [
        ['bp_systolic', 2],
        ['bp_diastolic', 2],
        ['bp_map', 20],
      ],
    },
    {
      name: 'SFLOAT specials: NaN, NRes, +INF',
      bytes: '00 ff07 0008 fe07',
      expect: [
        ['bp_systolic', { none: 'not-a-number' }, 'mmHg'],
        ['bp_diastolic', { none: 'error' }, 'mmHg'],
        ['bp_map', { none: 'positive-infinity' }, 'mmHg'],
      ],
    },
    {
      name: 'SFLOAT specials: -INF, reserved; pulse NaN',
      bytes: '04 0208 0108 5d00 ff07',
      expect: [
        ['bp_systolic', { none: 'negative-infinity' }],
        ['bp_diastolic', { none: 'error' }],
        ['bp_map', 93],
        ['pulse_rate', { none: 'not-a-number' }, 'bpm'],
      ],
    },
    {
      name: '0x0FFF is -1, not NaN',
      bytes: '00 ff0f 0080 5d00',
      expect: [
        ['bp_systolic', -1],
        ['bp_diastolic', 0],
        ['bp_map', 93],
      ],
    },
    { name: 'minimal packet cut', bytes: '00 7800 5000', error: 'AG_BLE_TRUNCATED' },
    { name: 'pulse flag without pulse', bytes: '04 7800 5000 5d00', error: 'AG_BLE_TRUNCATED' },
    { name: 'reserved flags', bytes: '20 7800 5000 5d00', error: 'AG_BLE_MALFORMED' },
  ]),
);

t.test('Intermediate Cuff Pressure 0x2A36', async (t) =>
  runTable(t, decodeIntermediateCuffPressure, [
    { name: 'cuff 150 mmHg, diastolic/MAP NaN', bytes: '00 9600 ff07 ff07', expect: [['cuff_pressure', 150, 'mmHg']] },
    { name: 'cuff in kPa', bytes: '01 a0f0 ff07 ff07', expect: [['cuff_pressure', 120, 'mmHg']] },
    { name: 'cut', bytes: '00 9600', error: 'AG_BLE_TRUNCATED' },
  ]),
);

t.test('PLX Spot-Check 0x2A5E', async (t) =>
  runTable(t, decodePlxSpotCheck, [
    {
      name: 'SpO2 and PR',
      bytes: '00 6100 3e00',
      expect: [
        ['spo2', 97, '%'],
        ['pulse_rate', 62, 'bpm'],
      ],
    },
    {
      name: 'time stamp',
      bytes: `01 6100 3e00 ${STAMP}`,
      expect: [
        ['spo2', 97, '%', STAMP_MS],
        ['pulse_rate', 62, 'bpm', STAMP_MS],
      ],
    },
    {
      name: 'all optional fields, status fine',
      bytes: '0e 6100 3e00 8000 000000 3200',
      expect: [
        ['spo2', 97],
        ['pulse_rate', 62],
      ],
    },
    {
      name: 'status: invalid measurement -> no value',
      bytes: '02 6100 3e00 0080',
      expect: [
        ['spo2', { none: 'unsuccessful' }],
        ['pulse_rate', { none: 'unsuccessful' }],
      ],
    },
    {
      name: 'SpO2 NaN',
      bytes: '00 ff07 3e00',
      expect: [
        ['spo2', { none: 'not-a-number' }],
        ['pulse_rate', 62],
      ],
    },
    { name: 'device status cut', bytes: '04 6100 3e00 0000', error: 'AG_BLE_TRUNCATED' },
  ]),
);

t.test('PLX Continuous 0x2A5F', async (t) =>
  runTable(t, decodePlxContinuous, [
    {
      name: 'normal pair',
      bytes: '00 6200 3700',
      expect: [
        ['spo2', 98, '%'],
        ['pulse_rate', 55, 'bpm'],
      ],
    },
    {
      name: 'fast and slow pairs skipped',
      bytes: '03 6200 3700 6100 3800 6300 3600',
      expect: [
        ['spo2', 98],
        ['pulse_rate', 55],
      ],
    },
    {
      name: 'status: measurement unavailable',
      bytes: '04 6200 3700 0020',
      expect: [
        ['spo2', { none: 'unsuccessful' }],
        ['pulse_rate', { none: 'unsuccessful' }],
      ],
    },
    { name: 'PAI flag, PAI cut', bytes: '10 6200 3700 32', error: 'AG_BLE_TRUNCATED' },
    { name: 'reserved flags', bytes: '80 6200 3700', error: 'AG_BLE_MALFORMED' },
  ]),
);

t.test('User Data: Age 0x2A80 and Gender 0x2A8C', async (t) => {
  runTable(t, decodeAge, [
    { name: 'age 42', bytes: '2a', expect: [['age', 42, 'years']] },
    { name: 'empty', bytes: '', error: 'AG_BLE_TRUNCATED' },
  ]);
  runTable(t, decodeGender, [
    { name: 'male', bytes: '00', expect: [['gender', 'male']] },
    { name: 'female', bytes: '01', expect: [['gender', 'female']] },
    { name: 'unspecified', bytes: '02', expect: [['gender', 'unspecified']] },
    { name: '3 is reserved', bytes: '03', error: 'AG_BLE_MALFORMED' },
  ]);
});

t.test('Acme Band vendor characteristics', async (t) => {
  runTable(t, decodeAcmeSteps, [
    { name: 'step counter', bytes: '10270000', expect: [['step_count', 10000, 'steps']] },
    { name: 'cut', bytes: '1027', error: 'AG_BLE_TRUNCATED' },
  ]);
  runTable(t, decodeAcmeSleep, [
    {
      name: 'deep sleep from its own start time',
      bytes: '02 50455b69',
      expect: [['sleep_stage', 'deep', '', Date.UTC(2026, 0, 5, 5)]],
    },
    { name: 'unknown stage', bytes: '09 50455b69', error: 'AG_BLE_MALFORMED' },
    { name: 'cut', bytes: '02 5045', error: 'AG_BLE_TRUNCATED' },
  ]);
});

const ALL: Array<[string, Decoder]> = [
  ['2a37', decodeHeartRate],
  ['2a53', decodeRscMeasurement],
  ['2a19', decodeBatteryLevel],
  ['2a9d', decodeWeightMeasurement],
  ['2a1c', decodeTemperatureMeasurement],
  ['2a35', decodeBloodPressureMeasurement],
  ['2a36', decodeIntermediateCuffPressure],
  ['2a5e', decodePlxSpotCheck],
  ['2a5f', decodePlxContinuous],
  ['2a80', decodeAge],
  ['2a8c', decodeGender],
  ['acme steps', decodeAcmeSteps],
  ['acme sleep', decodeAcmeSleep],
];

t.test('garbage: any bytes give valid samples or an AG_ code, never a number that is not finite', async (t) => {
  for (const [name, decode] of ALL) {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        try {
          const out = decode(Buffer.from(bytes), { at: AT });
          return out.every((s) => Sample.safeParse(s).success);
        } catch (e) {
          return isProtocolError(e) && (e.code === 'AG_BLE_TRUNCATED' || e.code === 'AG_BLE_MALFORMED');
        }
      }),
      { numRuns: 2000 },
    );
    t.pass(`${name}: 2000 random payloads`);
  }
});
