// The one file that wraps mqtt.js for the agent: connect as the device (DESIGN.md section 7), keep the retained
// status with its last will, subscribe to acks and the policy, and hand their payloads to the agent.
// mqtt.js's own offline queue is never relied on: the agent publishes only while connected, from its outbox.
import { type Clock, connectPassword, type DeviceStatus, type KeyPair, topics } from '@datagraph/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

export interface MqttLinkOptions {
  url: string;
  device: Pick<KeyPair, 'privateKey' | 'address'>;
  clock: Pick<Clock, 'now'>;
  logger: Logger;
  agentVersion: string;
  /** Real-time ms between reconnect attempts (mqtt.js uses wall time for this). */
  reconnectPeriodMs?: number;
  onPolicy(payload: Buffer): void;
  onAck(payload: Buffer): void;
  onConnect(): void;
  onDisconnect(): void;
  /** Battery % to report in the status, if known. */
  battery?: () => number | undefined;
  /** Extra mqtt.js options (TLS material for mqtts://, for instance). */
  clientOptions?: mqtt.IClientOptions;
}

export class MqttLink {
  readonly #client: MqttClient;
  readonly #opts: MqttLinkOptions;
  #ready = false;

  constructor(opts: MqttLinkOptions) {
    this.#opts = opts;
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
      reconnectPeriod: opts.reconnectPeriodMs ?? 2000,
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
    });
    this.#client.on('error', (err) => opts.logger.warn({ err: err.message }, 'mqtt error'));
    this.#client.on('message', (topic, payload) => {
      if (topic === topics.ack(device.address)) opts.onAck(payload);
      else if (topic === topics.policy(device.address)) opts.onPolicy(payload);
    });
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
