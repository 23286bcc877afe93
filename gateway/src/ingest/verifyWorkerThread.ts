// Worker side of VerifyWorker: the CPU-heavy stateless ingest steps (JSON parse and schema, the commitment hash
// and the device signature) for many payloads per message, off the thread that runs MQTT and the store.
import { parentPort } from 'node:worker_threads';
import { type SignedUpdate, verifyUpdateSignature } from '@datagraph/protocol';
import { type IngestContext, type IngestOutcome, parseUpdate } from './ingestSteps.ts';

export interface VerifyJob {
  id: number;
  payloads: Uint8Array[];
}

/** Per payload: the parse step's refusal, or the parsed update and its signature verdict. */
export type VerifyResult =
  | { outcome: IngestOutcome }
  | { update: SignedUpdate; verdict: ReturnType<typeof verifyUpdateSignature> };

const port = parentPort;
if (!port) throw new Error('verifyWorkerThread runs as a worker thread');
port.on('message', (job: VerifyJob) => {
  const results: VerifyResult[] = job.payloads.map((payload) => {
    const ctx: IngestContext = { deviceId: '', payload: Buffer.from(payload), receivedAt: 0 };
    const outcome = parseUpdate(ctx, undefined as never) as IngestOutcome | null;
    if (outcome) return { outcome };
    const update = ctx.update as SignedUpdate;
    return { update, verdict: verifyUpdateSignature(update) };
  });
  port.postMessage({ id: job.id, results });
});
