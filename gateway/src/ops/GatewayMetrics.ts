// Prometheus metrics of one gateway, on a registry of its own (no prom-client global), served at /metrics.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly ingested = new Counter({
    name: 'dg_gateway_updates_total',
    help: 'device updates by outcome',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly rejects = new Counter({
    name: 'dg_gateway_rejects_total',
    help: 'refused updates, connects and subscriptions by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly pendingEntries = new Gauge({
    name: 'dg_gateway_pending_entries',
    help: 'accepted entries not yet in a batch',
    registers: [this.registry],
  });
  readonly outboxDepth = new Gauge({
    name: 'dg_gateway_ledger_outbox',
    help: 'ledger updates not yet in a snapshot, by state',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly ingestSeconds = new Histogram({
    name: 'dg_gateway_ingest_seconds',
    help: 'time from PUBLISH received to application ack',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly batchEntries = new Histogram({
    name: 'dg_gateway_batch_entries',
    help: 'entries per IngestBatch',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
    registers: [this.registry],
  });
  readonly batchSendSeconds = new Histogram({
    name: 'dg_gateway_batch_send_seconds',
    help: 'data L1 POST /data latency',
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly commitSeconds = new Histogram({
    name: 'dg_gateway_commit_seconds',
    help: 'time from batch creation to the snapshot that includes it',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly datasetDownloads = new Counter({
    name: 'dg_gateway_dataset_downloads_total',
    help: 'dataset downloads started, by where the rows are read (prepared dataset or vault) and format',
    labelNames: ['source', 'format'] as const,
    registers: [this.registry],
  });
  readonly datasetsPrepared = new Counter({
    name: 'dg_gateway_datasets_prepared_total',
    help: 'dataset preparations finished, by outcome (prepared, failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly ledgerErrors = new Counter({
    name: 'dg_gateway_ledger_errors_total',
    help: 'failed metagraph calls',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly connected = new Gauge({
    name: 'dg_gateway_connected_devices',
    help: 'devices connected over MQTT',
    registers: [this.registry],
  });
  /** Whether each worker thread is ready, read at each scrape (startGateway sets them). */
  readonly workerProbes: Partial<Record<'download' | 'verify', () => boolean>> = {};
  readonly workersUp = new Gauge({
    name: 'dg_gateway_worker_up',
    help: 'worker threads ready (1) or not (0: starting, failed or unavailable, and the main thread does their work)',
    labelNames: ['worker'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [worker, up] of Object.entries(this.workerProbes)) this.workersUp.set({ worker }, up() ? 1 : 0);
    },
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }
}
