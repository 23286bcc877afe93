// Tessellation's `validateUpdate`: the stateless checks a data L1 runs before an update enters a block.
// Depends on the update and the node's config only; pure, deterministic, and returns every problem found.
import {
  canonicalJson,
  type DataUpdate,
  describeIssues,
  requiredSigner,
  SignedDataUpdate,
  sha256Hex,
  signedDataUpdateText,
  verifyDataFast,
} from '@datagraph/protocol';
import { z } from 'zod';
import { addressOfKey, checkIngestEntries } from './checkIngestEntries.ts';
import { checkRegistration } from './checkRegistration.ts';
import { type Problem, problem } from './Problem.ts';
import type { RulesConfig } from './RulesConfig.ts';
import { sameCanonicalJson } from './sameJson.ts';
import { strippedKeys } from './strippedKeys.ts';

// zod's ahead-of-time compiled parser of the same schema: same results and same issues (zod's own test suite runs
// compiled too), about twice as fast on a batch of thousands of entries.
const SignedDataUpdateCompiled = z.compile(SignedDataUpdate);

/** Every stateless problem with `input` (an untrusted `POST /data` body); an empty list means it may enter a block. */
export function validateUpdate(input: unknown, config: RulesConfig): Problem[] {
  return checkUpdate(input, config).problems;
}

/**
 * validateUpdate's problems, and when there are none the update's hash (updateHash of `input`) and its canonical
 * JSON text, both from the canonical form of the value that the proofs were checked over, so a large batch is
 * written out once.
 */
export function checkUpdate(
  input: unknown,
  config: RulesConfig,
): { problems: Problem[]; hash?: string; text?: string } {
  const parsed = SignedDataUpdateCompiled.safeParse(input);
  if (!parsed.success) {
    return {
      problems: [
        problem('MG_MALFORMED', 'data update does not match the SignedDataUpdate schema', {
          issues: describeIssues(parsed.error),
        }),
      ],
    };
  }
  const normal = notInNormalForm(input, parsed.data);
  if (normal) return { problems: [normal] };
  const signed = parsed.data;
  // In normal form: input and parse have this same canonical form, so one text serves the proofs and the hash.
  // It is written from the input, whose members a sender may have put in canonical order (faster to write out).
  const valueText = canonicalJson((input as SignedDataUpdate).value);
  const problems = [
    ...checkProofs(signed, Buffer.from(valueText, 'utf8').toString('base64')),
    ...checkGateway(signed.value, config),
    ...checkBody(signed.value),
  ];
  if (problems.length > 0) return { problems };
  const text = signedDataUpdateText(valueText, signed.proofs);
  return { problems, hash: sha256Hex(text), text };
}

// The node stores, hashes and relays the update as sent; it must be exactly what the schema yields, so that no
// unknown key can carry data into a snapshot and the update hash is the same before and after parsing.
function notInNormalForm(input: unknown, parsed: SignedDataUpdate): Problem | null {
  const stripped = strippedKeys(input, parsed);
  if (stripped.length > 0) {
    return problem('MG_MALFORMED', 'data update carries keys the schema does not know', {
      issues: stripped.map((p) => `${p}: unrecognised key`),
    });
  }
  return sameCanonicalJson(input, parsed)
    ? null
    : problem('MG_MALFORMED', 'data update omits members that have defaults; write them out');
}

// `message` is signedDataMessage(signed.value), what verifyValueProof checks each proof over.
function checkProofs(signed: SignedDataUpdate, message: string): Problem[] {
  const out: Problem[] = [];
  const required = requiredSigner(signed.value);
  let byRequired = false;
  signed.proofs.forEach((proof, i) => {
    if (!verifyDataFast(proof.id, message, proof.signature))
      out.push(problem('MG_BAD_PROOF', `proof ${i} does not verify over the update value`));
    const signer = addressOfKey(proof.id);
    if (signer === required) byRequired = true;
    else out.push(problem('MG_WRONG_SIGNER', `proof ${i} is by ${signer}, not the required signer ${required}`));
  });
  if (!byRequired) out.push(problem('MG_WRONG_SIGNER', `no proof by the required signer ${required}`));
  return out;
}

// Stateless by design: whether a gateway may submit is node configuration, like Tessellation's own config,
// and not ledger state, so an unauthorised gateway is refused at POST time with a 400.
function checkGateway(value: DataUpdate, config: RulesConfig): Problem[] {
  if (!('gateway' in value)) return [];
  return config.authorisedGateways.includes(value.gateway)
    ? []
    : [problem('MG_GATEWAY_NOT_AUTHORISED', `gateway ${value.gateway} is not authorised`)];
}

function checkBody(value: DataUpdate): Problem[] {
  switch (value.type) {
    case 'IngestBatch':
      return checkIngestEntries(value.entries);
    case 'RegisterProvider':
      return checkRegistration(value);
    case 'QueryReceipt':
      return value.providers > value.rows
        ? [problem('MG_BAD_RECEIPT', 'a query cannot use more providers than rows')]
        : [];
    case 'RevokeConsent':
    case 'EraseData':
    case 'RewardCycle':
      return [];
  }
}
