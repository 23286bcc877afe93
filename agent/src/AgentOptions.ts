// What `createAgent` takes. The agent reads no environment or files of its own: the CLI (or a device maker's
// main) loads config and passes it here.
import type { Clock, KeyPair } from '@datagraph/protocol';
import type { Logger } from 'pino';
import type { AgentStatus } from './AgentStatus.ts';
import type { PrivacyStep } from './consent/privacySteps.ts';
import type { Sample } from './sample.ts';

/** What the agent needs of a sample source (BleSampleSource has this shape). */
export interface SampleSource {
  on(event: 'sample', listener: (e: { sample: Sample }) => void): unknown;
  off(event: 'sample', listener: (e: { sample: Sample }) => void): unknown;
  start(): Promise<void>;
  stop(): Promise<void>;
  status?(): unknown;
}

export interface AgentOptions {
  /** The device key (see `loadDeviceKey` / `datagraph agent init`). */
  device: KeyPair;
  /** Directory of the agent's LevelDB (aggregates, outbox, policy, seq). One agent per directory. */
  dataDir: string;
  /**
   * MQTT broker, e.g. `mqtt://gateway:1883` or `mqtts://...`; omit to run offline (updates wait in the outbox). After a disconnect or a refused CONNECT the agent retries after `reconnectPeriodMs`
   * (default 2,000), doubling on each failure up to `reconnectMaxMs` (default 60,000), each delay jittered.
   */
  broker?: {
    url: string;
    reconnectPeriodMs?: number;
    reconnectMaxMs?: number;
    clientOptions?: Record<string, unknown>;
  };
  /** The provider this device is paired with. Omitted: the first valid signed policy pins it (trust on first use). */
  provider?: string;
  clock?: Clock;
  logger?: Logger;
  /** How long after a window's end late samples are still taken before it closes. Default 2 minutes. */
  graceMs?: number;
  /** How often (clock ms) due windows are closed and aggregate state is saved. Default 30 s. */
  tickMs?: number;
  /** How often (clock ms) aggregate state is saved between window closes. Default 5 minutes. */
  saveEveryMs?: number;
  /** Outbox disk cap in payload bytes. Default 16 MiB (about 25,000 updates). */
  outboxCapBytes?: number;
  /** Updates published but not yet acked, at most. Default 16. */
  inFlightWindow?: number;
  /** Ms to wait for an application ack before sending again. Default 60 s, on `networkClock`. */
  ackTimeoutMs?: number;
  /** Clock for network timeouts (ack retry). Default: the system clock, even when `clock` is simulated, since a
   * round trip to the gateway takes real time however fast a test moves the device's day. */
  networkClock?: Clock;
  /** Replace the default privacy steps (they must stay pure; the result is still parsed against UpdateBody). */
  privacySteps?: readonly PrivacyStep[];
  /**
   * Sample sources the agent starts and stops with itself, e.g. a `BleSampleSource` (real noble, or noble over
   * the simulated radio). Their samples go through the same path as `record()`.
   */
  sources?: SampleSource[];
  /** Extra entries for `status().sensors`, for sources the agent does not start itself. */
  sensorStatus?: () => unknown[];
  /** Called with a fresh status after every change worth reporting (the CLI writes it to status.json). */
  onStatus?: (status: AgentStatus) => void;
}
