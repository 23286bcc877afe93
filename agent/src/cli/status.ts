// `datagraph agent status`: what the running (or last run) agent reported in DIR/status.json. The agent's
// LevelDB is locked while it runs, so the running agent writes its status there after every change.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProtocolError } from '@datagraph/protocol';
import type { AgentStatus } from '../AgentStatus.ts';
import type { CliIo } from './index.ts';

export const STATUS_FILE = 'status.json';

export async function runStatus(dir: string, values: Record<string, unknown>, io: CliIo): Promise<number> {
  let s: AgentStatus;
  try {
    s = JSON.parse(await readFile(join(dir, STATUS_FILE), 'utf8')) as AgentStatus;
  } catch (cause) {
    throw new ProtocolError(
      'AG_STATUS_MISSING',
      `no agent status in ${dir}: has \`datagraph agent run --dir ${dir}\` run yet?`,
      { cause },
    );
  }
  if (values.json) {
    io.out(JSON.stringify(s, null, 2));
    return 0;
  }
  const ack = s.acks.lastAck;
  io.out(
    `device     ${s.deviceId}  (agent ${s.agentVersion}, ${s.running ? 'running' : 'stopped'}, ${s.connected ? 'connected' : 'not connected'})`,
  );
  io.out(`provider   ${s.provider ?? '(not paired yet: waiting for a signed policy)'}`);
  io.out(
    s.policy
      ? `policy     v${s.policy.version}: ${Object.entries(s.policy.fields)
          .map(([f, c]) => `${f}@${c.join('+')}`)
          .join(', ')}${s.policy.expiresAt ? ` (expires ${new Date(s.policy.expiresAt * 1000).toISOString()})` : ''}`
      : "policy     none: nothing is shared until the provider's signed policy arrives",
  );
  if (s.policyProblem) io.out(`           last policy message refused: ${s.policyProblem.code}`);
  io.out(
    `outbox     ${s.outbox.depth} waiting (${s.outbox.bytes} bytes), ${s.outbox.inFlight} in flight, ${s.outbox.heldForPolicy ?? 0} held for a newer policy; dropped over the cap: hourly ${s.outbox.dropped.hourly ?? 0}, daily ${s.outbox.dropped.daily ?? 0}`,
  );
  io.out(
    `acks       ${s.acks.accepted} accepted, ${s.acks.duplicate} duplicate, ${s.acks.rejected} rejected, ${s.acks.committed} committed; ${s.acks.delivered ?? 0} updates delivered`,
  );
  io.out(
    `last ack   ${ack ? `${ack.status}${ack.code ? ` ${ack.code}` : ''} seq ${ack.seq ?? '?'} at ${new Date(ack.at).toISOString()}` : 'none yet'}`,
  );
  io.out(`dead       ${s.deadLetters} update(s) rejected by the gateway`);
  io.out(
    `windows    ${s.windows.emitted} updates made; withheld: ${s.windows.withheldNoPolicy} (no policy), ${s.windows.withheldByPolicy} (by policy), ${s.windows.invalid} invalid`,
  );
  io.out(`samples    ${s.samples.samples} (${s.samples.noValue} without a value, ${s.samples.late} late)`);
  io.out(`sensors    ${JSON.stringify(s.sensors)}`);
  return 0;
}
