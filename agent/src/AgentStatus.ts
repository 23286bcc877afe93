// What `agent.status()` and `datagraph agent status` report. Counts and codes only: no health values, no keys.
import type { Cadence } from '@datagraph/protocol';
import type { PublisherStats } from './outbox/OutboxPublisher.ts';

export interface WindowStats {
  /** Updates written to the outbox. */
  emitted: number;
  /** Windows closed while no valid policy was in force: nothing shared. */
  withheldNoPolicy: number;
  /** Windows the policy withheld entirely (no consented field, or past expiry). */
  withheldByPolicy: number;
  /** Updates that failed the outbound schema after the privacy steps (AG_UPDATE_INVALID): not sent. */
  invalid: number;
}

export function emptyWindowStats(): WindowStats {
  return { emitted: 0, withheldNoPolicy: 0, withheldByPolicy: 0, invalid: 0 };
}

export interface AgentStatus {
  deviceId: string;
  provider: string | null;
  agentVersion: string;
  /** Unix ms (agent clock) when this status was taken. */
  at: number;
  connected: boolean;
  running: boolean;
  policy: {
    version: number;
    issuedAt: number;
    expiresAt: number | null;
    fields: Record<string, string[]>;
    generalisation: Record<string, string>;
  } | null;
  /** The last policy message that was refused, with its AG_ code. */
  policyProblem: { code: string; at: number } | null;
  /** Last seq given to an update. */
  seq: number;
  outbox: {
    depth: number;
    bytes: number;
    inFlight: number;
    /** Refused for naming a policy version the gateway no longer takes: waiting for the device to get the new one. */
    heldForPolicy: number;
    dropped: Record<Cadence, number>;
  };
  acks: PublisherStats;
  deadLetters: number;
  windows: WindowStats;
  /** late: for a closed window; future: stamped over 10 minutes ahead of the agent's clock (both ignored). */
  samples: { samples: number; late: number; noValue: number; outOfOrder: number; future: number };
  sensors: unknown[];
}
