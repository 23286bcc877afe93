import t from 'tap';
import {
  commitmentOf,
  generateKeyPair,
  IngestBatch,
  IngestEntry,
  makeSalt,
  SignedUpdate,
  signUpdate,
  toIngestEntry,
  type UpdateBody,
  UpdateBody as UpdateBodySchema,
  verifyUpdateSignature,
} from '../src/index.ts';

const device = generateKeyPair();
const provider = generateKeyPair();

function body(fields: UpdateBody['fields'], over: Partial<UpdateBody> = {}): UpdateBody {
  return UpdateBodySchema.parse({
    v: 1,
    id: crypto.randomUUID(),
    provider: provider.address,
    device: device.address,
    seq: 1,
    cadence: 'hourly',
    window: { start: 1767571200, end: 1767574800 },
    policyVersion: 1,
    fields,
    salt: makeSalt(),
    ...over,
  });
}

t.test('salts are 128-bit and fresh, so equal values commit differently', async (t) => {
  const salts = new Set(Array.from({ length: 1000 }, makeSalt));
  t.equal(salts.size, 1000);
  for (const s of salts) t.match(s, /^[0-9a-f]{32}$/);
  const a = body({ steps: 100 });
  const b = { ...a, salt: makeSalt() };
  t.not(commitmentOf(a), commitmentOf(b));
});

t.test('a signed update verifies; any change to body, commitment or key does not', async (t) => {
  const u = signUpdate(body({ steps: 1234, heart_rate_avg: 71 }), device);
  t.equal(verifyUpdateSignature(u), 'ok');
  t.equal(
    verifyUpdateSignature({ ...u, body: { ...u.body, fields: { steps: 1235, heart_rate_avg: 71 } } }),
    'PR_COMMITMENT_MISMATCH',
  );
  const other = generateKeyPair();
  t.equal(verifyUpdateSignature({ ...u, proof: { ...u.proof, id: other.publicKey } }), 'PR_BAD_SIGNATURE');
  const forged = signUpdate(u.body, other);
  t.equal(
    verifyUpdateSignature({ ...u, proof: { id: u.proof.id, signature: forged.proof.signature } }),
    'PR_BAD_SIGNATURE',
  );
});

t.test('the ledger entry of an update carries names and the commitment, never values or the salt', async (t) => {
  const u = signUpdate(body({ steps: 29999, heart_rate_max: 187, calories_consumed: 743 }), device);
  const entry = toIngestEntry(u);
  t.same(entry.fields, ['calories_consumed', 'heart_rate_max', 'steps']);
  const text = JSON.stringify(entry);
  // as a token of its own: the random ids, keys and hashes in the entry may hold "187" inside them by chance
  const holds = (raw: string) => new RegExp(`(?<![0-9A-Za-z])${raw}(?![0-9A-Za-z])`).test(text);
  for (const raw of ['29999', '187', '743', u.body.salt]) t.notOk(holds(raw), `entry must not contain ${raw}`);
  t.notOk(text.includes(u.body.salt), 'nor the salt anywhere inside a string');
  t.ok(IngestEntry.safeParse(entry).success);
});

t.test('ledger schemas are strict: a value smuggled into an entry is refused', async (t) => {
  const entry = toIngestEntry(signUpdate(body({ steps: 10 }), device));
  t.notOk(IngestEntry.safeParse({ ...entry, values: { steps: 10 } }).success, 'extra key');
  t.notOk(IngestEntry.safeParse({ ...entry, fields: [{ steps: 10 }] }).success, 'object in fields');
  t.notOk(IngestEntry.safeParse({ ...entry, fields: ['steps=10'] }).success, 'value in a field name');
  t.notOk(IngestEntry.safeParse({ ...entry, proof: { ...entry.proof, value: 10 } }).success, 'extra key in proof');
  const batch = { type: 'IngestBatch', v: 1, gateway: provider.address, batch: crypto.randomUUID(), entries: [entry] };
  t.ok(IngestBatch.safeParse(batch).success);
  t.notOk(IngestBatch.safeParse({ ...batch, note: 'steps 10' }).success, 'extra key in batch');
});

t.test('update schema refuses unknown fields, bad salts and NaN', async (t) => {
  const good = body({ steps: 1 });
  t.notOk(UpdateBodySchema.safeParse({ ...good, fields: { stepz: 1 } }).success);
  t.notOk(UpdateBodySchema.safeParse({ ...good, salt: 'abc' }).success);
  t.notOk(UpdateBodySchema.safeParse({ ...good, fields: { steps: Number.NaN } }).success);
  t.notOk(UpdateBodySchema.safeParse({ ...good, fields: {} }).success);
  t.notOk(UpdateBodySchema.safeParse({ ...good, window: { start: 10, end: 5 } }).success);
  t.notOk(SignedUpdate.safeParse({ body: good, commitment: commitmentOf(good) }).success, 'proof required');
});
