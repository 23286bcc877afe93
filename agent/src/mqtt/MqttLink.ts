// The one file that wraps mqtt.js for the agent: connect as the device (DESIGN.md section 7), keep the retained
// status with its last will, subscribe to acks and the policy, and hand their payloads to the agent.
// mqtt.js's own offline queue is never relied on: the agent publishes only while connected, from its outbox.
// Reconnecting is the link's job, not mqtt.js's: mqtt.js retries at a fixed period (a fleet would come back to a
// restarted gateway all at once, every period) and stops for good after one refused CONNACK (a gateway that
// briefly refuses, or a device clock briefly off, would strand the device). The link retries after every close,
// refusals included, with exponential backoff and jitter.
import {
  type Clock,
  connectPassword,
  type DeviceStatus,
  type KeyPair,
  ProtocolError,
  topics,
} from '@datagraph/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { Backoff } from '../ble/Backoff.ts';

export interface MqttLinkOptions {
  url: string;
  device: Pick<KeyPair, 'privateKey' | 'address'>;
  clock: Pick<Clock, 'now'>;
  logger: Logger;
  agentVersion: string;
  /** Real-time ms before the first reconnect attempt (default 2000); each failed attempt doubles it. */
  reconnectPeriodMs?: number;
  /** The most real-time ms between reconnect attempts (default 60,000). */
  reconnectMaxMs?: number;
  onPolicy(payload: Buffer): void;
  onAck(payload: Buffer): void;
  onConnect(): void;
  onDisconnect(): void;
  /** Battery % to report in the status, if known. */
  battery?: () => number | undefined;
  /** Extra mqtt.js options (TLS material for mqtts://, for instance). */
  clientOptions?: mqtt.IClientOptions;
}

/** The first and the longest reconnect delay; AG_CONFIG_INVALID for values that would spin or never grow. */
export function reconnectDelays(o: { reconnectPeriodMs?: number; reconnectMaxMs?: number }): {
  first: number;
  most: number;
} {
  const first = o.reconnectPeriodMs ?? 2000;
  const most = o.reconnectMaxMs ?? 60_000;
  // 0 would retry in a tight loop (mqtt.js took it as "never reconnect": a device must always come back)
  if (!(Number.isFinite(first) && first > 0 && Number.isFinite(most) && most >= first))
    throw new ProtocolError(
      'AG_CONFIG_INVALID',
      `broker.reconnectPeriodMs must be a positive number of ms and reconnectMaxMs at least that (got ${first}, ${most})`,
    );
  return { first, most };
}

export class MqttLink {
  readonly #client: MqttClient;
  readonly #opts: MqttLinkOptions;
  readonly #backoff: Backoff;
  #retry: NodeJS.Timeout | undefined;
  #closing = false;
  #ready = false;

  constructor(opts: MqttLinkOptions) {
    this.#opts = opts;
    const { first, most } = reconnectDelays(opts);
    // Each delay drawn from [delay/2, delay]: devices that lost the gateway together do not retry together.
    this.#backoff = new Backoff({
      initialMs: first,
      maxMs: most,
      jitter: () => 0.5 + Math.random() / 2,
    });
    const { device } = opts;
    const offline: DeviceStatus = { state: 'offline' };
    this.#client = mqtt.connect(opts.url, {
      // Otherwise mqtt-packet pre-builds a Buffer for each of the 65,536 message ids at the first publish: about 6 MB
      // of heap, more than the rest of the agent's working set. A device publishes a few updates an hour.
      writeCache: false,
      ...opts.clientOptions,
      protocolVersion: 4, // MQTT 3.1.1: aedes 1.x has no MQTT 5
      clientId: device.address,
      username: device.address,
      password: connectPassword(device, opts.clock),
      clean: true,
      reconnectPeriod: 0, // the link schedules reconnects itself (above)
      connectTimeout: 10_000,
      queueQoSZero: false,
      will: {
        topic: topics.status(device.address),
        payload: Buffer.from(JSON.stringify(offline)),
        qos: 1,
        retain: true,
      },
    });
    // The password is signed over the current second: sign afresh for every attempt, or the gateway sees it stale.
    this.#client.on('reconnect', () => {
      this.#client.options.password = connectPassword(device, opts.clock);
    });
    this.#client.on('connect', () => this.#onConnect());
    this.#client.on('close', () => {
      if (this.#ready) {
        this.#ready = false;
        opts.onDisconnect();
      }
      this.#scheduleReconnect();
    });
    this.#client.on('error', (err) => opts.logger.warn({ err: err.message }, 'mqtt error'));
    this.#client.on('message', (topic, payload) => {
      if (topic === topics.ack(device.address)) opts.onAck(payload);
      else if (topic === topics.policy(device.address)) opts.onPolicy(payload);
    });
  }

  #scheduleReconnect(): void {
    if (this.#closing || this.#retry) return;
    const delay = this.#backoff.next();
    this.#opts.logger.debug({ delayMs: delay, attempt: this.#backoff.failures }, 'mqtt reconnect scheduled');
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (!this.#closing) this.#client.reconnect();
    }, delay);
  }

  /** Connected and subscribed: updates may go out. */
  get ready(): boolean {
    return this.#ready && this.#client.connected;
  }

  #onConnect(): void {
    const { device, logger } = this.#opts;
    this.#client.subscribe([topics.ack(device.address), topics.policy(device.address)], { qos: 1 }, (err) => {
      if (err) {
        logger.warn({ err: err.message }, 'mqtt subscribe failed');
        return;
      }
      this.#ready = true;
      this.#backoff.reset();
      this.publishStatus();
      logger.info('mqtt connected');
      this.#opts.onConnect();
    });
  }

  publishStatus(): void {
    const battery = this.#opts.battery?.();
    const status: DeviceStatus = {
      state: 'online',
      agentVersion: this.#opts.agentVersion,
      at: Math.floor(this.#opts.clock.now() / 1000),
      ...(battery === undefined ? {} : { battery }),
    };
    this.#client.publish(topics.status(this.#opts.device.address), JSON.stringify(status), { qos: 1, retain: true });
  }

  /** Publish one stored update, QoS 1. A PUBACK proves nothing: only the application ack removes it. */
  publishUpdate(payload: string): void {
    this.#client.publish(topics.up(this.#opts.device.address), payload, { qos: 1 });
  }

  /** Leave cleanly: retained status offline, then disconnect (no last will needed). */
  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    if (this.#client.connected) {
      const offline: DeviceStatus = { state: 'offline' };
      await new Promise<void>((resolve) => {
        // Bounded: a broker that stops answering must not hold the agent open.
        setTimeout(resolve, 2000).unref();
        this.#client.publish(
          topics.status(this.#opts.device.address),
          JSON.stringify(offline),
          { qos: 1, retain: true },
          () => resolve(),
        );
      });
    }
    await this.#client.endAsync(true);
  }
}
