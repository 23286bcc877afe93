// The test side of the MQTT contract: a real aedes broker on a loopback TCP port that authenticates devices by their
// CONNECT password (on wall time, as the agent signs it), acks each update by id (deduplicating, as the gateway does), and records every byte any client
// publishes. `down()` / `up()` make it unreachable and bring it back on the same port.
import { createServer, type Server, type Socket } from 'node:net';
import {
  type Ack,
  type Clock,
  type KeyPair,
  parseTopic,
  type SignedPolicy,
  SignedUpdate,
  topics,
  verifyConnectPassword,
  verifyUpdateSignature,
} from '@datagraph/protocol';
import { Aedes, type PublishPacket } from 'aedes';

export interface ReceivedUpdate {
  update: SignedUpdate;
  status: Ack['status'];
}

export class TestGateway {
  readonly aedes: Aedes;
  readonly devices = new Map<string, string>(); // address -> public key
  /** Every PUBLISH payload from a client, with its topic, in arrival order. */
  readonly published: { topic: string; payload: Buffer }[] = [];
  /** Every message through the broker, also its own (acks, retained policies) and last wills. */
  readonly allPublished: { topic: string; payload: Buffer; retain: boolean }[] = [];
  /** Every update received, in arrival order, with the ack it got. */
  readonly received: ReceivedUpdate[] = [];
  readonly accepted = new Map<string, SignedUpdate>();
  /** Decide an ack other than accepted/duplicate (e.g. reject some). */
  judge: (u: SignedUpdate) => Pick<Ack, 'status' | 'code' | 'message'> | null = () => null;
  /** When false, updates are taken but never acked (a gateway that stores nothing). */
  acking = true;
  connects = 0;
  refusedConnects = 0;
  #server: Server | null = null;
  #sockets = new Set<Socket>();
  port = 0;

  private constructor(
    aedes: Aedes,
    readonly clock: Clock,
  ) {
    this.aedes = aedes;
  }

  static async start(clock: Clock): Promise<TestGateway> {
    const aedes = await Aedes.createBroker();
    const gw = new TestGateway(aedes, clock);
    aedes.authenticate = (_client, username, password, done) => {
      const pub = username === undefined ? undefined : gw.devices.get(username);
      const ok = pub !== undefined && verifyConnectPassword(username as string, pub, password, Date.now()) === 'ok';
      if (!ok) {
        gw.refusedConnects++;
        return done(Object.assign(new Error('not authorized'), { returnCode: 5 }) as never, false);
      }
      gw.connects++;
      done(null, true);
    };
    aedes.on('publish', (packet, client) => {
      gw.allPublished.push({ topic: packet.topic, payload: Buffer.from(packet.payload), retain: packet.retain });
      if (!client) return;
      gw.published.push({ topic: packet.topic, payload: Buffer.from(packet.payload) });
      const t = parseTopic(packet.topic);
      if (t?.kind === 'up') gw.#ingest(t.deviceId, Buffer.from(packet.payload));
    });
    await gw.up();
    return gw;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  register(device: Pick<KeyPair, 'address' | 'publicKey'>): void {
    this.devices.set(device.address, device.publicKey);
  }

  #ingest(deviceId: string, payload: Buffer): void {
    const parsed = SignedUpdate.safeParse(JSON.parse(payload.toString('utf8')));
    if (!parsed.success || parsed.data.body.device !== deviceId || verifyUpdateSignature(parsed.data) !== 'ok') {
      throw new Error(`test gateway got an invalid update from ${deviceId}`);
    }
    const u = parsed.data;
    const verdict = this.judge(u);
    let ack: Ack;
    if (verdict) ack = { id: u.body.id, ...verdict } as Ack;
    else if (this.accepted.has(u.body.id)) ack = { id: u.body.id, status: 'duplicate' };
    else {
      this.accepted.set(u.body.id, u);
      ack = { id: u.body.id, status: 'accepted' };
    }
    this.received.push({ update: u, status: ack.status });
    if (this.acking) this.sendAck(deviceId, ack);
  }

  sendAck(deviceId: string, ack: Ack): void {
    this.aedes.publish(
      {
        cmd: 'publish',
        topic: topics.ack(deviceId),
        payload: Buffer.from(JSON.stringify(ack)),
        qos: 1,
        retain: false,
        dup: false,
      } as PublishPacket,
      () => {},
    );
  }

  publishPolicy(deviceId: string, signed: SignedPolicy | Buffer): Promise<void> {
    const payload = Buffer.isBuffer(signed) ? signed : Buffer.from(JSON.stringify(signed));
    return new Promise((resolve, reject) =>
      this.aedes.publish(
        { cmd: 'publish', topic: topics.policy(deviceId), payload, qos: 1, retain: true, dup: false } as PublishPacket,
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }

  /** Unreachable: stop listening and cut every connection. */
  async down(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  /** Reachable again, on the same port. */
  async up(): Promise<void> {
    const server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      this.aedes.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : this.port;
    this.#server = server;
  }

  async close(): Promise<void> {
    await this.down();
    await new Promise<void>((r) => this.aedes.close(() => r()));
  }
}

/** Poll until `cond` holds (no fixed sleeps): generous deadline for a loaded machine. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
