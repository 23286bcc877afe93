// Bound a GATT operation by the injected clock: noble itself never times out, and a peripheral that stops
// answering must not hang the agent.
import { type Clock, ProtocolError } from '@datagraph/protocol';

export function withTimeout<T>(
  clock: Clock,
  ms: number,
  op: Promise<T>,
  what: string,
  onTimeout?: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = clock.setTimeout(() => {
      if (done) return;
      done = true;
      try {
        onTimeout?.();
      } catch {
        // best effort: the caller reconnects anyway
      }
      reject(new ProtocolError('AG_BLE_TIMEOUT', `${what}: no answer within ${ms} ms`));
    }, ms);
    op.then(
      (v) => {
        if (done) return;
        done = true;
        timer.cancel();
        resolve(v);
      },
      (e) => {
        if (done) return;
        done = true;
        timer.cancel();
        reject(e);
      },
    );
  });
}
