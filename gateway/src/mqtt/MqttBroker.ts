// The one file that wraps aedes: an in-process MQTT 3.1.1 broker whose hooks are the gateway's security
// and ingest (DESIGN.md sections 1 and 7). Listeners: TCP, TLS, and WebSocket at /mqtt on the HTTP server.
//
// MQTT 3.1.1 has no negative PUBACK (MQTT-3.3.5-2: a refused PUBLISH is acknowledged or the connection
// closed). So a refused publish is acknowledged at the transport level, re-pointed at a `$` topic nobody can
// subscribe to (MQTT-4.7.2-1: `$` topics never match wildcards), and the device is told why by an application
// ack on its own ack topic. Updates are ingested here, in-process, before the PUBACK: no MQTT subscriber.

import type { Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { type Ack, DeviceStatus, parseTopic, topics } from '@datagraph/protocol';
import { Aedes, type Client, type PublishPacket, type Subscription } from 'aedes';
import type { Logger } from 'pino';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { ConnectAuthenticator } from '../auth/ConnectAuthenticator.ts';
import type { IngestPipeline } from '../ingest/IngestPipeline.ts';
import type { GatewayMetrics } from '../ops/GatewayMetrics.ts';

const SINK_TOPIC = '$dg/refused';

export interface MqttBrokerOptions {
  auth: ConnectAuthenticator;
  pipeline: IngestPipeline;
  log: Logger;
  metrics: GatewayMetrics;
  maxPayloadBytes: number;
}

export class MqttBroker {
  readonly #aedes: Aedes;
  readonly #o: MqttBrokerOptions;
  readonly #deviceOf = new WeakMap<Client, string>();
  readonly #servers: (NetServer | TlsServer)[] = [];
  #wss: WebSocketServer | undefined;

  private constructor(aedes: Aedes, o: MqttBrokerOptions) {
    this.#aedes = aedes;
    this.#o = o;
  }

  static async create(o: MqttBrokerOptions): Promise<MqttBroker> {
    const aedes = await Aedes.createBroker({
      maxClientsIdLength: 64,
      heartbeatInterval: 60_000,
      connectTimeout: 10_000,
    });
    const b = new MqttBroker(aedes, o);
    aedes.authenticate = (client, username, password, done) => b.#authenticate(client, username, password, done);
    aedes.authorizePublish = (client, packet, done) => b.#authorizePublish(client, packet, done);
    aedes.authorizeSubscribe = (client, sub, done) => b.#authorizeSubscribe(client, sub, done);
    aedes.on('client', () => o.metrics.connected.inc());
    aedes.on('clientDisconnect', () => o.metrics.connected.dec());
    aedes.on('clientError', (client, err) =>
      o.log.debug({ client: client?.id, err: err.message }, 'mqtt: client error'),
    );
    aedes.on('connectionError', (client, err) =>
      o.log.debug({ client: client?.id, err: err.message }, 'mqtt: connection error'),
    );
    return b;
  }

  async listenTcp(port: number, host?: string): Promise<number> {
    return this.#listen(createNetServer(this.#handleCoalesced), port, host);
  }

  async listenTls(port: number, tls: { cert: Buffer; key: Buffer }, host?: string): Promise<number> {
    return this.#listen(createTlsServer(tls, this.#handleCoalesced), port, host);
  }

  readonly #handleCoalesced = (socket: Socket): void => {
    coalesceWrites(socket);
    this.#aedes.handle(socket);
  };

  /** MQTT over WebSocket at `path` on an existing HTTP server (the REST port). */
  attachWebSocket(server: HttpServer, path = '/mqtt'): void {
    this.#wss = new WebSocketServer({
      server,
      path,
      handleProtocols: (p) => (p.has('mqtt') ? 'mqtt' : p.has('mqttv3.1') ? 'mqttv3.1' : false),
    });
    this.#wss.on('connection', (ws, req) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => ws.terminate());
      this.#aedes.handle(stream as never, req as never);
    });
  }

  async #listen(server: NetServer | TlsServer, port: number, host?: string): Promise<number> {
    this.#servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address();
    return typeof addr === 'object' && addr ? addr.port : port;
  }

  /** Gateway -> device application ack, QoS 1. */
  sendAck(deviceId: string, ack: Ack): void {
    this.#aedes.publish(
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

  /** Retained message (the device's signed policy); an empty payload clears it (MQTT-3.3.1-10). */
  publishRetained(topic: string, payload: Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.#aedes.publish(
        { cmd: 'publish', topic, payload, qos: 1, retain: true, dup: false } as PublishPacket,
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }

  /** Close the connections of these devices (revocation). */
  disconnect(deviceIds: Set<string>): void {
    for (const client of Object.values((this.#aedes as unknown as { clients: Record<string, Client> }).clients)) {
      const d = this.#deviceOf.get(client);
      if (d !== undefined && deviceIds.has(d)) client.close();
    }
  }

  #refuse(code: string, client: Client | null, details: Record<string, unknown>): void {
    this.#o.metrics.rejects.inc({ code });
    this.#o.log.info({ client: client?.id, code, ...details }, 'mqtt: refused');
  }

  #authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: Parameters<Aedes['authenticate']>[3],
  ): void {
    const v = this.#o.auth.check(username, password);
    if (v.ok) {
      this.#deviceOf.set(client, username as string);
      done(null, true);
      return;
    }
    this.#refuse(v.code, client, { device: username?.slice(0, 64) });
    const err = Object.assign(new Error(v.code), { returnCode: v.returnCode });
    done(err as never, false);
  }

  #authorizePublish(client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void): void {
    const deviceId = client ? this.#deviceOf.get(client) : undefined;
    const topic = parseTopic(packet.topic);
    const sink = (): void => {
      packet.topic = SINK_TOPIC;
      packet.retain = false;
      packet.payload = Buffer.alloc(0);
      done(null);
    };
    // A last will (client null or already gone) may only be the device's own status.
    if (topic?.kind === 'status' && (deviceId === undefined || topic.deviceId === deviceId)) {
      if (packet.payload.length > this.#o.maxPayloadBytes || !isStatus(Buffer.from(packet.payload))) {
        if (deviceId)
          this.sendAck(deviceId, {
            id: '',
            status: 'rejected',
            code: 'GW_BAD_STATUS',
            message: 'status payload must be a DeviceStatus JSON object',
          });
        this.#refuse('GW_BAD_STATUS', client, { topic: packet.topic });
        sink();
        return;
      }
      done(null);
      return;
    }
    if (deviceId === undefined || topic === null || topic.deviceId !== deviceId || topic.kind !== 'up') {
      if (deviceId)
        this.sendAck(deviceId, {
          id: '',
          status: 'rejected',
          code: 'GW_TOPIC_FORBIDDEN',
          message: `may not publish on ${packet.topic.slice(0, 200)}`,
        });
      this.#refuse('GW_TOPIC_FORBIDDEN', client, { topic: packet.topic.slice(0, 200) });
      sink();
      return;
    }
    this.#o.pipeline.ingest(deviceId, Buffer.from(packet.payload)).then(
      (ack) => {
        this.sendAck(deviceId, ack);
        sink();
      },
      () => sink(),
    );
  }

  #authorizeSubscribe(
    client: Client,
    sub: Subscription,
    done: (err: Error | null, sub: Subscription | null) => void,
  ): void {
    const deviceId = this.#deviceOf.get(client);
    const topic = parseTopic(sub.topic);
    if (
      deviceId !== undefined &&
      topic !== null &&
      topic.deviceId === deviceId &&
      (topic.kind === 'ack' || topic.kind === 'policy')
    ) {
      done(null, sub);
      return;
    }
    this.#refuse('GW_SUBSCRIBE_FORBIDDEN', client, { topic: sub.topic.slice(0, 200) });
    if (deviceId)
      this.sendAck(deviceId, {
        id: '',
        status: 'rejected',
        code: 'GW_SUBSCRIBE_FORBIDDEN',
        message: `may not subscribe to ${sub.topic.slice(0, 200)}`,
      });
    done(null, null); // SUBACK return code 0x80 (MQTT-3.9.3)
  }

  async close(): Promise<void> {
    for (const c of this.#wss?.clients ?? []) c.terminate();
    this.#wss?.close();
    await new Promise<void>((r) => this.#aedes.close(() => r()));
    await Promise.all(
      this.#servers.map(
        (s) =>
          new Promise<void>((r) => {
            s.close(() => r());
          }),
      ),
    );
  }
}

function isStatus(payload: Buffer): boolean {
  try {
    return DeviceStatus.safeParse(JSON.parse(payload.toString('utf8'))).success;
  } catch {
    return false;
  }
}

/**
 * Every packet aedes writes goes out in a write of its own (mqtt-packet corks only until the next tick), and a
 * device gets three per update (PUBACK, accepted, committed), most of them in the same event-loop turn as other
 * devices' packets. Holding the socket corked until the end of the turn sends them in one writev: Nagle for one
 * turn, no timer. Backpressure is unchanged (write still returns false past the high-water mark).
 */
function coalesceWrites(socket: Socket): void {
  let held = false;
  const release = (): void => {
    held = false;
    socket.uncork();
  };
  const write = socket.write;
  socket.write = function (this: Socket, ...args: Parameters<Socket['write']>): boolean {
    if (!held) {
      held = true;
      this.cork();
      setImmediate(release);
    }
    return write.apply(this, args as never);
  } as Socket['write'];
}
