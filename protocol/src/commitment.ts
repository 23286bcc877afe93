// Salted commitments: SHA-256 over the RFC 8785 form of the update body, with a 128-bit random salt inside,
// so that a commitment to {"gender":"female"} or a step count cannot be reversed by trying every value.
import { randomBytes } from 'node:crypto';
import { hashCanonical } from './canonical.ts';
import { FIELD_NAMES, type FieldName } from './catalogue.ts';
import type { KeyPair } from './keys.ts';
import type { IngestEntry } from './schemas/DataUpdate.ts';
import type { SignedUpdate, UpdateBody } from './schemas/Update.ts';
import { dataSignFast, verifyDataFast } from './signing.ts';

export function makeSalt(): string {
  return randomBytes(16).toString('hex');
}

export function commitmentOf(body: UpdateBody): string {
  return hashCanonical(body);
}

/** Sign a body with the device key: the signature covers the commitment (dag4 data signing). */
export function signUpdate(body: UpdateBody, device: Pick<KeyPair, 'privateKey' | 'publicKey'>): SignedUpdate {
  const commitment = commitmentOf(body);
  return { body, commitment, proof: { id: device.publicKey, signature: dataSignFast(device.privateKey, commitment) } };
}

/** Whether the commitment matches the body and the device key signed it. */
export function verifyUpdateSignature(update: SignedUpdate): 'ok' | 'PR_COMMITMENT_MISMATCH' | 'PR_BAD_SIGNATURE' {
  if (commitmentOf(update.body) !== update.commitment) return 'PR_COMMITMENT_MISMATCH';
  return verifyDataFast(update.proof.id, update.commitment, update.proof.signature) ? 'ok' : 'PR_BAD_SIGNATURE';
}

/** What the ledger gets of an update: everything but the values and the salt. */
export function toIngestEntry(update: SignedUpdate): IngestEntry {
  const { body } = update;
  const fields = FIELD_NAMES.filter((f): f is FieldName => Object.hasOwn(body.fields, f));
  // Members in canonical (RFC 8785) order, the window's too: a batch of such entries is written by plain
  // JSON.stringify in canonicalJson (five times faster), by the gateway that signs it and the node that checks it.
  return {
    cadence: body.cadence,
    commitment: update.commitment,
    device: body.device,
    fields,
    id: body.id,
    policyVersion: body.policyVersion,
    proof: { id: update.proof.id, signature: update.proof.signature },
    provider: body.provider,
    seq: body.seq,
    window: { end: body.window.end, start: body.window.start },
  };
}
