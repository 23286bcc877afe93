// The ingest pipeline as one ordered list of steps (DESIGN.md section 1, step 6). Each step either passes
// (returns null, possibly filling the context) or ends the update with an outcome that carries a stable code.
// Order matters: cheap and stateless first, the signature before anything stateful, the durable write last.
import {
  type Ack,
  catalogue,
  checkFieldValue,
  describeIssues,
  FieldName,
  type IngestEntry,
  isProtocolError,
  parseJson,
  SignedUpdate,
  toIngestEntry,
  verifyUpdateSignature,
  WINDOW_SECONDS,
} from '@datagraph/protocol';
import type { DeviceRecord, ProviderRecord, Registry } from '../registry/Registry.ts';

export interface IngestContext {
  deviceId: string;
  payload: Buffer;
  /** Unix ms on the gateway clock when the PUBLISH arrived. */
  receivedAt: number;
  update?: SignedUpdate;
  device?: DeviceRecord;
  provider?: ProviderRecord;
  entry?: IngestEntry;
  /** Set by `persist`: resolves once the update is durable. */
  durable?: Promise<void>;
  /** verifyUpdateSignature(update), when `update` was parsed and checked on the verify worker. */
  signatureVerdict?: ReturnType<typeof verifyUpdateSignature>;
}

export type IngestOutcome = Ack;

export interface IngestDeps {
  registry: Registry;
  maxPayloadBytes: number;
  /** Last seq accepted from a device (0 when none). */
  lastSeq(deviceId: string): Promise<number>;
  /** What the gateway already holds under an update id. */
  knownId(id: string): Promise<{ commitment: string } | undefined>;
  /**
   * Store the update: vault row, dedup indexes, batch journal, atomically. Resolves once the write is queued
   * (after every earlier write of the device, so the next update of the device may be checked now); `durable`
   * resolves once it is in LevelDB's log, and only then is the update acked `accepted`.
   */
  persist(ctx: Required<Pick<IngestContext, 'update' | 'provider' | 'entry'>>): Promise<{ durable: Promise<void> }>;
}

export type IngestStep = (ctx: IngestContext, deps: IngestDeps) => IngestOutcome | null | Promise<IngestOutcome | null>;

const reject = (id: string, code: string, message: string): IngestOutcome => ({
  id,
  status: 'rejected',
  code,
  message: message.slice(0, 500),
});

export const checkSize: IngestStep = (ctx, deps) =>
  ctx.payload.length > deps.maxPayloadBytes
    ? reject('', 'GW_PAYLOAD_TOO_LARGE', `payload is ${ctx.payload.length} bytes; the limit is ${deps.maxPayloadBytes}`)
    : null;

export const parseUpdate: IngestStep = (ctx) => {
  if (ctx.update) return null; // parsed on the verify worker
  let json: unknown;
  try {
    json = parseJson(ctx.payload, 'update');
  } catch (e) {
    return reject('', isProtocolError(e) ? e.code : 'PR_INVALID_JSON', 'payload is not valid JSON');
  }
  const r = SignedUpdate.safeParse(json);
  if (!r.success) {
    const maybeId = (json as { body?: { id?: unknown } } | null)?.body?.id;
    const id = typeof maybeId === 'string' && maybeId.length <= 64 ? maybeId : '';
    return reject(id, 'PR_SCHEMA', `update is invalid: ${describeIssues(r.error).slice(0, 5).join('; ')}`);
  }
  ctx.update = r.data;
  return null;
};

export const checkIdentity: IngestStep = (ctx, deps) => {
  const body = (ctx.update as SignedUpdate).body;
  const device = deps.registry.device(ctx.deviceId);
  if (body.device !== ctx.deviceId || !device || device.provider !== body.provider) {
    return reject(
      body.id,
      'GW_DEVICE_MISMATCH',
      'update must name the connected device and the provider it is registered to',
    );
  }
  ctx.device = device;
  ctx.provider = deps.registry.provider(body.provider);
  return null;
};

export const checkCatalogue: IngestStep = (ctx) => {
  const body = (ctx.update as SignedUpdate).body;
  for (const [name, value] of Object.entries(body.fields)) {
    const field = FieldName.parse(name);
    const wrong = checkFieldValue(field, value);
    if (wrong) return reject(body.id, 'PR_FIELD_RANGE', wrong);
  }
  for (const name of Object.keys(body.fields)) {
    const field = FieldName.parse(name);
    if (catalogue[field].cadence !== body.cadence)
      return reject(body.id, 'PR_FIELD_CADENCE', `${field} is not a ${body.cadence} field`);
  }
  if (body.cadence !== 'profile') {
    // Same rule as the metagraph's validateUpdate: one aligned UTC hour or day.
    const len = WINDOW_SECONDS[body.cadence];
    if (body.window.start % len !== 0 || body.window.end - body.window.start !== len) {
      return reject(
        body.id,
        'PR_BAD_WINDOW',
        `${body.cadence} window must be one aligned UTC ${body.cadence === 'hourly' ? 'hour' : 'day'}`,
      );
    }
  }
  return null;
};

export const checkConsent: IngestStep = (ctx) => {
  const body = (ctx.update as SignedUpdate).body;
  const p = ctx.provider;
  if (p?.status !== 'active' || !p)
    return reject(body.id, 'GW_NO_CONSENT', 'the provider has revoked consent or erased their data');
  if (body.policyVersion !== p.policy.version) {
    return reject(
      body.id,
      'GW_POLICY_VERSION',
      `update names policy version ${body.policyVersion}; the current one is ${p.policy.version}`,
    );
  }
  if (p.policy.expiresAt !== null && body.window.end > p.policy.expiresAt)
    return reject(body.id, 'PR_POLICY_EXPIRED', 'consent policy expired before this window ended');
  for (const name of Object.keys(body.fields)) {
    const cadences = p.policy.fields[name as FieldName];
    if (!cadences?.includes(body.cadence))
      return reject(body.id, 'GW_FIELD_NOT_CONSENTED', `${name} is not consented at ${body.cadence} cadence`);
  }
  return null;
};

export const checkSignature: IngestStep = (ctx) => {
  const update = ctx.update as SignedUpdate;
  if (update.proof.id !== ctx.device?.publicKey)
    return reject(update.body.id, 'PR_SIGNER_MISMATCH', 'update is not signed by the registered device key');
  const verdict = ctx.signatureVerdict ?? verifyUpdateSignature(update);
  if (verdict !== 'ok')
    return reject(
      update.body.id,
      verdict,
      verdict === 'PR_BAD_SIGNATURE' ? 'device signature does not verify' : 'commitment is not the hash of the body',
    );
  return null;
};

export const dedupe: IngestStep = async (ctx, deps) => {
  const { body, commitment } = ctx.update as SignedUpdate;
  const known = await deps.knownId(body.id);
  if (known)
    return known.commitment === commitment
      ? { id: body.id, status: 'duplicate' }
      : reject(body.id, 'GW_ID_REUSED', 'update id was already used for a different update');
  const last = await deps.lastSeq(ctx.deviceId);
  if (body.seq === last) return reject(body.id, 'GW_SEQ_REPLAYED', `seq ${body.seq} was already used by this device`);
  if (body.seq < last)
    return reject(body.id, 'GW_SEQ_OUT_OF_ORDER', `seq ${body.seq} is lower than the last accepted (${last})`);
  return null;
};

export const persist: IngestStep = async (ctx, deps) => {
  const update = ctx.update as SignedUpdate;
  ctx.entry = toIngestEntry(update);
  ctx.durable = (await deps.persist({ update, provider: ctx.provider as ProviderRecord, entry: ctx.entry })).durable;
  return { id: update.body.id, status: 'accepted' };
};

/**
 * The pipeline, in order. The signature and the dedup come before the catalogue and consent checks: an update the
 * gateway already holds is a `duplicate` whatever has changed since (a resend after a consent change must not turn
 * into a rejection, or the agent would dead-letter an update that is safely in the vault).
 */
export const INGEST_STEPS: readonly IngestStep[] = [
  checkSize,
  parseUpdate,
  checkIdentity,
  checkSignature,
  dedupe,
  checkCatalogue,
  checkConsent,
  persist,
];

/**
 * Steps before this index depend on the payload and the registry only, so they run as soon as a PUBLISH arrives,
 * for many updates of a device at once; from `dedupe` on, a device's updates go one at a time in arrival order.
 */
export const ORDERED_FROM = INGEST_STEPS.indexOf(dedupe);
