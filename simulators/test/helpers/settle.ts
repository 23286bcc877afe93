// Wait for a condition without fixed sleeps: yield to the event loop (and optionally move a ManualClock) until
// the condition holds, failing after a generous wall-clock deadline.
import type { ManualClock } from '@datagraph/protocol';

export async function settle(
  cond: () => boolean,
  opts: { clock?: ManualClock; stepMs?: number; deadlineMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.deadlineMs ?? 60_000);
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}`);
    if (opts.clock && opts.stepMs) opts.clock.advance(opts.stepMs);
    await new Promise((r) => setImmediate(r));
  }
}

/** Let queued setImmediate work run (radio answers and noble's handlers) without moving the clock. */
export async function drain(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
