// defineSensor validates and normalises descriptors; the built-in and vendor drivers are plain descriptors.
import t from 'tap';
import {
  ACME_BAND,
  acmeBandSensor,
  builtinSensors,
  decodeCurrentTime,
  decodeHeartRate,
  defineSensor,
  encodeCurrentTime,
  normalizeUuid,
} from '../../src/sensors/index.ts';

t.test('UUIDs are normalised to noble form', async (t) => {
  t.equal(normalizeUuid('0x180D'), '180d');
  t.equal(normalizeUuid('0000180D-0000-1000-8000-00805F9B34FB'), '180d');
  t.equal(normalizeUuid('A8F20001-6E5D-4B8C-9F3A-1D2C3B4A5F60'), ACME_BAND.service);
  t.throws(() => normalizeUuid('18d'), { code: 'AG_SENSOR_INVALID' });
});

t.test('a descriptor maps characteristic UUIDs to decoders', async (t) => {
  const s = defineSensor({
    id: 'my-strap',
    match: { services: ['0x180D'] },
    characteristics: { '2A37': decodeHeartRate },
  });
  t.same(s.match.services, ['180d']);
  const decode = s.characteristics.get('2a37');
  t.ok(decode);
  t.match(decode?.(Buffer.from([0, 64]), { at: 5 }), [{ kind: 'heart_rate', value: 64, at: 5 }]);
  t.ok(Object.isFrozen(s));
});

t.test('invalid descriptors are refused with AG_SENSOR_INVALID', async (t) => {
  const bad: unknown[] = [
    { id: 'Bad Id', match: { services: ['180d'] }, characteristics: { '2a37': decodeHeartRate } },
    { id: 'x', match: { services: [] }, characteristics: { '2a37': decodeHeartRate } },
    { id: 'x', match: { services: ['180d'] }, characteristics: {} },
    { id: 'x', match: { services: ['180d'] }, characteristics: { '2a37': 'nope' } },
    { id: 'x', match: { services: ['zz'] }, characteristics: { '2a37': decodeHeartRate } },
  ];
  for (const def of bad) t.throws(() => defineSensor(def as never), { code: 'AG_SENSOR_INVALID' });
});

t.test('built-in drivers cover every standard service, plus the Acme Band', async (t) => {
  const services = builtinSensors.flatMap((s) => s.match.services).sort();
  t.same(services, ['1805', '1809', '180d', '180f', '1810', '1814', '181c', '181d', '1822']);
  t.same([...acmeBandSensor.characteristics.keys()].sort(), [ACME_BAND.steps, ACME_BAND.sleep].sort());
});

t.test('the Current Time driver writes UTC time to a device that accepts it', async (t) => {
  const now = Date.UTC(2026, 0, 5, 8, 30, 15, 500);
  const written: Buffer[] = [];
  const device = {
    address: 'aa',
    name: undefined,
    now: () => now,
    has: (svc: string, chr: string, prop?: string) => svc === '1805' && chr === '2a2b' && prop === 'write',
    read: async () => Buffer.alloc(0),
    write: async (_s: string, _c: string, data: Buffer) => void written.push(data),
  };
  const sensor = builtinSensors.find((s) => s.id === 'current-time');
  await sensor?.setup?.(device);
  t.equal(written.length, 1);
  t.same([...(written[0] ?? [])], [0xea, 0x07, 0x01, 0x05, 0x08, 0x1e, 0x0f, 0x01, 0x80, 0x02]);
  t.equal(decodeCurrentTime(written[0] as Buffer).at, now);
  await sensor?.setup?.({ ...device, has: () => false });
  t.equal(written.length, 1, 'read-only clocks are left alone');
});

t.test('Current Time decode rejects bad payloads', async (t) => {
  const ok = encodeCurrentTime(Date.UTC(2026, 5, 7, 23, 59, 59));
  t.equal(decodeCurrentTime(ok).dayOfWeek, 7, '2026-06-07 is a Sunday');
  t.throws(() => decodeCurrentTime(ok.subarray(0, 9)), { code: 'AG_BLE_TRUNCATED' });
  const badDay = Buffer.from(ok);
  badDay[7] = 8;
  t.throws(() => decodeCurrentTime(badDay), { code: 'AG_BLE_MALFORMED' });
  t.throws(() => decodeCurrentTime(Buffer.alloc(10)), { code: 'AG_BLE_MALFORMED' }, 'unknown date');
});
