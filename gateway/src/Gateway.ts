// Wiring in one place: builds every part of the gateway from a validated config and starts the listeners.
import { mkdirSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { join } from 'node:path';
import { type Clock, type KeyPair, systemClock } from '@datagraph/protocol';
import pino, { type Logger } from 'pino';
import { ConnectAuthenticator } from './auth/ConnectAuthenticator.ts';
import { Batcher } from './batcher/Batcher.ts';
import type { GatewayConfig } from './config/GatewayConfig.ts';
import { loadGatewayKey, loadMasterKey } from './config/loadSecrets.ts';
import { buildHttpServer } from './http/HttpServer.ts';
import { PortalSessions } from './http/portal/PortalSessions.ts';
import { providerAuthorizer } from './http/rewards/providerAuth.ts';
import { IngestPipeline } from './ingest/IngestPipeline.ts';
import { verifyWorker, verifyWorkerUp } from './ingest/VerifyWorker.ts';
import { LedgerClient } from './ledger/LedgerClient.ts';
import { LedgerOutbox } from './ledger/LedgerOutbox.ts';
import { loadTlsCertificate } from './mqtt/devCertificate.ts';
import { MqttBroker } from './mqtt/MqttBroker.ts';
import { GatewayMetrics } from './ops/GatewayMetrics.ts';
import { ProviderService } from './registry/ProviderService.ts';
import { Registry } from './registry/Registry.ts';
import { CatalogCounts } from './research/CatalogCounts.ts';
import { CommittedRowIndexer } from './research/committedRowOps.ts';
import { DatasetPreparer } from './research/DatasetPreparer.ts';
import { lineWorker, lineWorkerUp } from './research/LineWorker.ts';
import { PaymentLedger } from './research/PaymentLedger.ts';
import { QueryService } from './research/QueryService.ts';
import { QuoteService } from './research/QuoteService.ts';
import { ResearchStore } from './research/ResearchStore.ts';
import { loadOperatorToken } from './rewards/loadOperatorToken.ts';
import { loadTreasuryKey } from './rewards/loadTreasuryKey.ts';
import { RewardsService } from './rewards/RewardsService.ts';
import { GatewayStore } from './store/GatewayStore.ts';
import { Vault } from './vault/Vault.ts';

export interface RunningGateway {
  address: string;
  ports: { mqtt: number; mqtts: number | null; http: number };
  urls: { mqtt: string; mqtts: string | null; ws: string; http: string };
  vault: Vault;
  registry: Registry;
  outbox: LedgerOutbox;
  batcher: Batcher;
  store: GatewayStore;
  metrics: GatewayMetrics;
  /** Quotes, paid queries and their usage; the rewards engine's PaidQuerySource. */
  research: ResearchStore;
  queries: QueryService;
  /** Where research payments go (the quotes' payTo). */
  payTo: string;
  /** The rewards engine, its journal and treasury (docs/rewards.md). */
  rewards: RewardsService;
  close(): Promise<void>;
}

/** Logs are structured and never carry values, salts, keys or passphrases (DESIGN.md invariant 1). */
export function createGatewayLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'gateway' },
      redact: {
        paths: [
          'fields',
          '*.fields',
          'salt',
          '*.salt',
          'body',
          '*.body',
          'payload',
          '*.payload',
          'privateKey',
          '*.privateKey',
          'passphrase',
          '*.passphrase',
          'password',
          '*.password',
          'req.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export async function startGateway(
  config: GatewayConfig,
  opts: { clock?: Clock; log?: Logger; gatewayKey?: KeyPair; treasuryKey?: KeyPair } = {},
): Promise<RunningGateway> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createGatewayLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });
  const metrics = new GatewayMetrics();
  const key = opts.gatewayKey ?? (await loadGatewayKey(config, log));
  const store = await GatewayStore.open(join(config.dataDir, 'db'), {
    sync: config.vault.syncWrites,
    maxOpenFiles: config.vault.maxOpenFiles,
    writeBufferSize: config.vault.writeBufferMb << 20,
  });
  const vault = new Vault(store, loadMasterKey(config, log));
  const registry = await Registry.load(store);
  const ledger = new LedgerClient({ ...config.ledger }, key.privateKey, { timeoutMs: config.ledger.timeoutMs });
  const outbox = await LedgerOutbox.load(
    store,
    ledger,
    clock,
    log.child({ component: 'outbox' }),
    metrics,
    config.batch,
  );
  const batcher = await Batcher.load(store, outbox, key, clock, log.child({ component: 'batcher' }), metrics, {
    ...config.batch,
    currentPolicyVersion: (p) => registry.provider(p)?.policy.version,
  });
  const pipeline = new IngestPipeline({
    store,
    vault,
    registry,
    batcher,
    clock,
    log: log.child({ component: 'ingest' }),
    metrics,
    maxPayloadBytes: config.mqtt.maxPayloadBytes,
  });
  const broker = await MqttBroker.create({
    auth: new ConnectAuthenticator(registry, clock, config.auth.clockSkewSeconds),
    pipeline,
    log: log.child({ component: 'mqtt' }),
    metrics,
    maxPayloadBytes: config.mqtt.maxPayloadBytes,
  });
  const research = new ResearchStore(store);
  const catalog = new CatalogCounts(research, registry, {
    minProviders: config.research.minProviders,
    perRowBaseUnits: config.pricing.perRowBaseUnits,
  });
  const rowIndexer = new CommittedRowIndexer(research);
  // The treasury key: research payments arrive at its address (payTo) and rewards pay out from it, one chain
  // (docs/rewards.md "Configuration"); a configured treasury.address must match it.
  const treasuryKey = opts.treasuryKey ?? (await loadTreasuryKey(config, log));
  // loadTreasuryKey returns no key only when treasury.address is configured (the key is held elsewhere).
  const payTo = treasuryKey?.address ?? (config.treasury.address as string);
  const datasets = new DatasetPreparer(
    // the OS's clock, not the injected one: retention compares it with the files' modification times
    { research, vault, registry, log: log.child({ component: 'datasets' }), now: () => Date.now(), metrics },
    {
      dir: join(config.dataDir, 'datasets'),
      enabled: config.research.prepareDatasets,
      retentionDays: config.research.preparedRetentionDays,
    },
  );
  const queries = new QueryService({
    datasets,
    research,
    registry,
    payments: new PaymentLedger({
      l1Url: config.ledger.l1Url,
      beUrl: config.ledger.beUrl ?? config.ledger.l0Url,
      metagraphId: 'datagraph',
      timeoutMs: config.ledger.timeoutMs,
    }),
    outbox,
    gatewayKey: key,
    clock,
    log: log.child({ component: 'queries' }),
    opts: config.research,
  });
  outbox.onCommitted = async (item, ordinal, snapshotUpdates) => {
    const v = item.signed.value;
    if (v.type === 'QueryReceipt') await queries.receiptCommitted(v.query, ordinal);
    if (v.type !== 'IngestBatch') {
      log.info({ type: v.type, ordinal }, 'ledger: update committed');
      return;
    }
    const indexed = rowIndexer.ops(v, ordinal, snapshotUpdates);
    await store.write([
      ...v.entries.map((e) => ({
        type: 'put' as const,
        sub: 'committed' as const,
        key: e.id,
        value: { ordinal, batch: v.batch, commitment: e.commitment },
      })),
      // The researcher API's index of committed rows, with each row's Merkle proof (DESIGN.md section 3).
      ...indexed.ops,
    ]);
    catalog.add(indexed.rows);
    for (const e of v.entries) broker.sendAck(e.device, { id: e.id, status: 'committed', ordinal });
  };
  const providers = new ProviderService({
    store,
    registry,
    vault,
    outbox,
    batcher,
    broker,
    clock,
    log: log.child({ component: 'registry' }),
  });
  await providers.republishPolicies();

  const quotes = new QuoteService({
    research,
    registry,
    vault,
    clock,
    opts: {
      minProviders: config.research.minProviders,
      quoteTtlSeconds: config.research.quoteTtlSeconds,
      maxRows: config.research.maxRows,
      perRowBaseUnits: BigInt(config.pricing.perRowBaseUnits),
      payTo,
    },
  });
  const rewards = await RewardsService.open({
    config,
    queries: research,
    receipts: ledger,
    gatewayKey: key,
    treasuryKey,
    clock,
    log: log.child({ component: 'rewards' }),
  });
  // One session store: a provider signed in to the portal also reads their earnings with the same session.
  const portalSessions = new PortalSessions(clock, config.http.portalSessionTtlMs);
  const http = buildHttpServer({
    log,
    metrics,
    providers,
    registry,
    health: () => ({ gateway: key.address, pendingEntries: batcher.pending, ledger: outbox.pending() }),
    rateLimit: config.http.rateLimit,
    catalog: () => catalog.catalog(),
    quotes,
    queries: { queries, research, dataset: { research, vault, registry }, prepared: datasets, metrics },
    portal: {
      registry,
      vault,
      store,
      clock,
      log: log.child({ component: 'portal' }),
      earnings: (provider) => rewards.earnings(provider),
      sessions: portalSessions,
    },
    rewards: {
      rewards,
      operatorToken: loadOperatorToken(config, log),
      // Earnings are private: a request signed by the provider key, or a portal session (docs/rewards.md).
      authorizeProvider: providerAuthorizer({ clock, sessions: portalSessions }),
    },
  });
  // before the API answers: a complete query's dataset shows queued (or prepared), never off, from the first request
  await datasets.start();
  await http.listen({ port: config.http.port, host: config.host });
  broker.attachWebSocket(http.server as HttpServer);
  const httpPort = (http.server.address() as { port: number }).port;
  const mqttPort = await broker.listenTcp(config.mqtt.port, config.host);
  let mqttsPort: number | null = null;
  if (config.mqtts.port !== null) {
    const tls = loadTlsCertificate({
      certFile: config.mqtts.certFile,
      keyFile: config.mqtts.keyFile,
      dataDir: config.dataDir,
      log,
    });
    mqttsPort = await broker.listenTls(config.mqtts.port, tls, config.host);
  }
  // The ingest's verify worker and the download's line worker start now, not with the first update or download:
  // a worker takes a few hundred ms of CPU to load, which would otherwise fall on the first device's acks and the
  // first researcher's time to first byte. Until one is ready the main thread does its work.
  verifyWorker();
  lineWorker();
  metrics.workerProbes.verify = verifyWorkerUp;
  metrics.workerProbes.download = lineWorkerUp;
  outbox.start();
  await queries.start();
  rewards.start();
  log.info(
    { gateway: key.address, mqtt: mqttPort, mqtts: mqttsPort, http: httpPort, ledger: config.ledger },
    'gateway: listening',
  );

  return {
    address: key.address,
    ports: { mqtt: mqttPort, mqtts: mqttsPort, http: httpPort },
    urls: {
      mqtt: `mqtt://127.0.0.1:${mqttPort}`,
      mqtts: mqttsPort === null ? null : `mqtts://127.0.0.1:${mqttsPort}`,
      ws: `ws://127.0.0.1:${httpPort}/mqtt`,
      http: `http://127.0.0.1:${httpPort}`,
    },
    vault,
    registry,
    outbox,
    batcher,
    store,
    metrics,
    research,
    queries,
    payTo,
    rewards,
    async close() {
      queries.close();
      await datasets.close();
      await rewards.close();
      await broker.close();
      await http.close();
      await batcher.close();
      await outbox.close();
      await store.close();
    },
  };
}
