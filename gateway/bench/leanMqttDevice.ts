// The ingest bench's load generator: a minimal MQTT 3.1.1 client over a plain TCP socket, built on mqtt-packet
// (the packet codec that mqtt.js and aedes themselves use). It does what the bench needs and no more: CONNECT with
// a username and password, SUBSCRIBE, QoS 1 PUBLISH that resolves on its PUBACK, and QoS 1 delivery of what the
// broker sends (each one PUBACKed, then handed to `onMessage`). Packets written in one event-loop turn leave in
// one socket write. Broker benchmarks use lean generators like this so that the clients, which are separate
// hardware in reality, do not eat the CPU the broker is measured on; the agent's real client stays mqtt.js.
import { connect as netConnect, type Socket } from 'node:net';
import { generate, type Packet, parser } from 'mqtt-packet';

export class LeanMqttDevice {
  /** Called for every PUBLISH the broker delivers (after it is PUBACKed). */
  onMessage: (topic: string, payload: Buffer) => void = () => {};
  readonly #socket: Socket;
  readonly #waiting = new Map<number, () => void>();
  #nextId = 0;
  #out: Buffer[] = [];
  #connack: ((rc: number) => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    const p = parser({ protocolVersion: 4 });
    p.on('packet', (packet) => this.#received(packet));
    p.on('error', (e: Error) => socket.destroy(e));
    socket.on('data', (chunk: Buffer) => p.parse(chunk));
    socket.on('error', () => {});
  }

  static async connect(
    port: number,
    o: { clientId: string; username?: string; password?: string; subscribe?: string[] },
  ): Promise<LeanMqttDevice> {
    const socket = netConnect({ port, host: '127.0.0.1', noDelay: true });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const d = new LeanMqttDevice(socket);
    const rc = await new Promise<number>((resolve) => {
      d.#connack = resolve;
      d.#send({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        keepalive: 0,
        clientId: o.clientId,
        ...(o.username === undefined ? {} : { username: o.username }),
        ...(o.password === undefined ? {} : { password: Buffer.from(o.password) }),
      });
    });
    if (rc !== 0) throw new Error(`CONNACK return code ${rc}`);
    if (o.subscribe && o.subscribe.length > 0) {
      const messageId = d.#id();
      await new Promise<void>((resolve) => {
        d.#waiting.set(messageId, resolve);
        d.#send({
          cmd: 'subscribe',
          messageId,
          subscriptions: o.subscribe?.map((topic) => ({ topic, qos: 1 as const })) ?? [],
        });
      });
    }
    return d;
  }

  /** QoS 1 PUBLISH; resolves when the broker's PUBACK arrives. */
  publish(topic: string, payload: Buffer): Promise<void> {
    const messageId = this.#id();
    return new Promise((resolve) => {
      this.#waiting.set(messageId, resolve);
      this.#send({ cmd: 'publish', topic, payload, qos: 1, messageId, retain: false, dup: false });
    });
  }

  close(): Promise<void> {
    this.#send({ cmd: 'disconnect' });
    this.#flush();
    return new Promise((resolve) => this.#socket.end(resolve));
  }

  #received(packet: Packet): void {
    switch (packet.cmd) {
      case 'connack':
        this.#connack?.(packet.returnCode ?? 0);
        return;
      case 'puback':
      case 'suback': {
        const done = this.#waiting.get(packet.messageId as number);
        this.#waiting.delete(packet.messageId as number);
        done?.();
        return;
      }
      case 'publish':
        if (packet.qos === 1) this.#send({ cmd: 'puback', messageId: packet.messageId as number });
        this.onMessage(packet.topic, packet.payload as Buffer);
        return;
      default:
        return;
    }
  }

  #id(): number {
    this.#nextId = (this.#nextId % 65535) + 1;
    return this.#nextId;
  }

  #send(packet: Packet): void {
    if (this.#out.length === 0) setImmediate(() => this.#flush());
    this.#out.push(generate(packet));
  }

  #flush(): void {
    if (this.#out.length === 0) return;
    const out = this.#out;
    this.#out = [];
    this.#socket.write(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out));
  }
}
