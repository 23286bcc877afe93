// The gateway's configuration: one zod schema, read from defaults < config file < environment < flags,
// validated once at start. Every invalid path is reported at once (STYLE.md "Errors").
import { readFileSync } from 'node:fs';
import { BaseUnits, DagAddress, ProtocolError } from '@datagraph/protocol';
import { z } from 'zod';

const Port = z.number().int().min(0).max(65535);
const Url = z.url();

export const GatewayConfig = z
  .object({
    dataDir: z.string().min(1).default('.datagraph/gateway'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    host: z.string().default('0.0.0.0'),
    mqtt: z
      .object({ port: Port.default(1883), maxPayloadBytes: z.number().int().min(256).max(1_048_576).default(16_384) })
      .strict()
      .default({ port: 1883, maxPayloadBytes: 16_384 }),
    mqtts: z
      .object({ port: Port.nullable().default(8883), certFile: z.string().optional(), keyFile: z.string().optional() })
      .strict()
      .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), {
        message: 'give both certFile and keyFile, or neither',
      })
      .default({ port: 8883 }),
    http: z
      .object({
        port: Port.default(8080),
        /** Per client IP, over the REST API (not /mqtt, /healthz, /metrics). */
        rateLimit: z
          .object({
            max: z.number().int().positive().default(600),
            windowMs: z.number().int().positive().default(60_000),
          })
          .strict()
          .default({ max: 600, windowMs: 60_000 }),
        /** How long a provider portal session lasts before the provider signs in again. */
        portalSessionTtlMs: z
          .number()
          .int()
          .min(10_000)
          .max(86_400_000)
          .default(15 * 60_000),
      })
      .strict()
      .default({ port: 8080, rateLimit: { max: 600, windowMs: 60_000 }, portalSessionTtlMs: 15 * 60_000 }),
    /** The researcher API (DESIGN.md section 3). */
    research: z
      .object({
        /** k: no quote or query releases rows from fewer providers (invariant 7). */
        minProviders: z.number().int().min(1).default(10),
        quoteTtlSeconds: z.number().int().min(10).default(900),
        /** Most rows one quote may hold. */
        maxRows: z.number().int().positive().default(1_000_000),
        /** How long POST /v1/queries waits for a snapshot to confirm the payment before answering 202 pending. */
        paymentWaitMs: z.number().int().nonnegative().default(20_000),
        paymentPollMs: z.number().int().positive().default(1000),
        /** A pending query is retried in the background for this long, then refused (GW_PAYMENT_PENDING stays). */
        paymentGiveUpMs: z.number().int().positive().default(3_600_000),
        /** Write each paid query's dataset to dataDir/datasets for fast downloads (DatasetPreparer). */
        prepareDatasets: z.boolean().default(true),
        /** Prepared datasets are removed this many days after they were written (downloads then read the vault). */
        preparedRetentionDays: z.number().int().positive().default(30),
      })
      .strict()
      .default({
        minProviders: 10,
        quoteTtlSeconds: 900,
        maxRows: 1_000_000,
        paymentWaitMs: 20_000,
        paymentPollMs: 1000,
        paymentGiveUpMs: 3_600_000,
        prepareDatasets: true,
        preparedRetentionDays: 30,
      }),
    pricing: z
      .object({ perRowBaseUnits: BaseUnits.default('100000') })
      .strict()
      .default({ perRowBaseUnits: '100000' }),
    /** The treasury: research payments go to `address` (the quotes' payTo); rewards pay out from it. */
    treasury: z
      .object({
        /** Optional cross-check: when set, it must be the address of the treasury key below. */
        address: DagAddress.optional(),
        /** dag4 V3 keystore of the treasury key (docs/rewards.md "Configuration"); generated in dataDir when absent. */
        keystoreFile: z.string().optional(),
        passphrase: z.string().optional(),
        passphraseFile: z.string().optional(),
      })
      .strict()
      .default({}),
    /** The rewards engine (DESIGN.md section 4, docs/rewards.md). */
    rewards: z
      .object({
        /** How often a cycle runs (default 10 minutes); 0 turns the timer off (cycles only on demand). */
        intervalMs: z.number().int().nonnegative().default(600_000),
        /** The platform fee of each paid query, in basis points (0..10000). */
        feeBps: z.number().int().min(0).max(10_000).default(500),
        /** Providers owed less than this (base units) are carried to the next cycle. */
        minPayoutBaseUnits: BaseUnits.refine((v) => BigInt(v) >= 1n, 'must be at least 1').default('100000'),
        /** How long one run waits for snapshots to confirm its transfers (the cycle stays open after). */
        confirmTimeoutMs: z.number().int().positive().default(120_000),
        pollMs: z.number().int().positive().default(1000),
        /** Bearer token of the operator routes (/v1/rewards/...); prefer DG_OPERATOR_TOKEN or a file. */
        operatorToken: z.string().min(16).optional(),
        operatorTokenFile: z.string().optional(),
      })
      .strict()
      .default({
        intervalMs: 600_000,
        feeBps: 500,
        minPayoutBaseUnits: '100000',
        confirmTimeoutMs: 120_000,
        pollMs: 1000,
      }),
    ledger: z
      .object({
        l0Url: Url.default('http://127.0.0.1:9200'),
        l1Url: Url.default('http://127.0.0.1:9300'),
        dataL1Url: Url.default('http://127.0.0.1:9400'),
        beUrl: Url.optional(),
        timeoutMs: z.number().int().positive().default(10_000),
      })
      .strict()
      .default({
        l0Url: 'http://127.0.0.1:9200',
        l1Url: 'http://127.0.0.1:9300',
        dataL1Url: 'http://127.0.0.1:9400',
        timeoutMs: 10_000,
      }),
    batch: z
      .object({
        maxEntries: z.number().int().min(1).max(5000).default(1000),
        maxDelayMs: z.number().int().min(1).default(1000),
        retryBaseMs: z.number().int().min(1).default(500),
        retryMaxMs: z.number().int().min(1).default(30_000),
        commitPollMs: z.number().int().min(1).default(1000),
        resendAfterSnapshots: z.number().int().min(1).default(5),
        maxSends: z.number().int().min(1).default(10),
      })
      .strict()
      .default({
        maxEntries: 1000,
        maxDelayMs: 1000,
        retryBaseMs: 500,
        retryMaxMs: 30_000,
        commitPollMs: 1000,
        resendAfterSnapshots: 5,
        maxSends: 10,
      }),
    auth: z
      .object({ clockSkewSeconds: z.number().int().min(1).max(3600).default(300) })
      .strict()
      .default({ clockSkewSeconds: 300 }),
    vault: z
      .object({
        /** 64 hex chars; prefer the env var DG_VAULT_MASTER_KEY or a file. */
        masterKeyHex: z
          .string()
          .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex chars')
          .optional(),
        masterKeyFile: z.string().optional(),
        /** fsync every write (survives power loss, slower); without it writes survive a process crash. */
        syncWrites: z.boolean().default(false),
        /**
         * LevelDB's table cache (open table files). Tables are memory-mapped and pages read count in the RSS while
         * a table is open: this bounds that part to about (maxOpenFiles - 10) x 1 MB, the gateway's table size
         * (docs/gateway.md "Memory"). 74 is LevelDB's floor (it raises a smaller value to it): at most 64 tables.
         */
        maxOpenFiles: z.number().int().min(74).max(100_000).default(74),
        /**
         * LevelDB's write buffer in MB: bigger means less compaction work per update at high ingest rates, for up
         * to twice this in memory while writes run (docs/gateway.md "Memory").
         */
        writeBufferMb: z.number().int().min(1).max(1024).default(32),
      })
      .strict()
      .default({ syncWrites: false, maxOpenFiles: 74, writeBufferMb: 32 }),
    gatewayKey: z
      .object({
        keystoreFile: z.string().optional(),
        passphrase: z.string().optional(),
        passphraseFile: z.string().optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type GatewayConfig = z.infer<typeof GatewayConfig>;

/** Environment variables and the config path each one sets. */
export const ENV_OVERRIDES: Record<string, { path: string[]; type: 'string' | 'number' | 'boolean' }> = {
  DG_DATA_DIR: { path: ['dataDir'], type: 'string' },
  DG_LOG_LEVEL: { path: ['logLevel'], type: 'string' },
  DG_MQTT_PORT: { path: ['mqtt', 'port'], type: 'number' },
  DG_MQTTS_PORT: { path: ['mqtts', 'port'], type: 'number' },
  DG_HTTP_PORT: { path: ['http', 'port'], type: 'number' },
  DG_L0_URL: { path: ['ledger', 'l0Url'], type: 'string' },
  DG_L1_URL: { path: ['ledger', 'l1Url'], type: 'string' },
  DG_DATA_L1_URL: { path: ['ledger', 'dataL1Url'], type: 'string' },
  DG_VAULT_MASTER_KEY: { path: ['vault', 'masterKeyHex'], type: 'string' },
  DG_VAULT_MASTER_KEY_FILE: { path: ['vault', 'masterKeyFile'], type: 'string' },
  DG_GATEWAY_KEYSTORE: { path: ['gatewayKey', 'keystoreFile'], type: 'string' },
  DG_GATEWAY_PASSPHRASE: { path: ['gatewayKey', 'passphrase'], type: 'string' },
  DG_GATEWAY_PASSPHRASE_FILE: { path: ['gatewayKey', 'passphraseFile'], type: 'string' },
  DG_TREASURY_ADDRESS: { path: ['treasury', 'address'], type: 'string' },
  DG_TREASURY_KEYSTORE: { path: ['treasury', 'keystoreFile'], type: 'string' },
  DG_TREASURY_PASSPHRASE: { path: ['treasury', 'passphrase'], type: 'string' },
  DG_TREASURY_PASSPHRASE_FILE: { path: ['treasury', 'passphraseFile'], type: 'string' },
  DG_REWARDS_INTERVAL_MS: { path: ['rewards', 'intervalMs'], type: 'number' },
  DG_REWARDS_FEE_BPS: { path: ['rewards', 'feeBps'], type: 'number' },
  DG_REWARDS_MIN_PAYOUT: { path: ['rewards', 'minPayoutBaseUnits'], type: 'string' },
  DG_OPERATOR_TOKEN: { path: ['rewards', 'operatorToken'], type: 'string' },
  DG_MIN_PROVIDERS: { path: ['research', 'minProviders'], type: 'number' },
  DG_PRICE_PER_ROW: { path: ['pricing', 'perRowBaseUnits'], type: 'string' },
};

/** Command-line flags and the config path each one sets. */
export const FLAG_OVERRIDES: Record<string, { path: string[]; type: 'string' | 'number' }> = {
  '--mqtt-port': { path: ['mqtt', 'port'], type: 'number' },
  '--mqtts-port': { path: ['mqtts', 'port'], type: 'number' },
  '--http-port': { path: ['http', 'port'], type: 'number' },
  '--l0-url': { path: ['ledger', 'l0Url'], type: 'string' },
  '--l1-url': { path: ['ledger', 'l1Url'], type: 'string' },
  '--data-l1-url': { path: ['ledger', 'dataL1Url'], type: 'string' },
  '--data-dir': { path: ['dataDir'], type: 'string' },
};

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let o = target;
  for (const p of path.slice(0, -1)) {
    if (typeof o[p] !== 'object' || o[p] === null) o[p] = {};
    o = o[p] as Record<string, unknown>;
  }
  o[path.at(-1) as string] = value;
}

function coerce(text: string, type: 'string' | 'number' | 'boolean'): unknown {
  if (type === 'number') return /^-?\d+$/.test(text.trim()) ? Number(text) : text;
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

/**
 * Build the config from a file (JSON), the environment and parsed flags (`{'--mqtt-port': '0', ...}`).
 * Throws GW_CONFIG_INVALID listing every invalid path.
 */
export function loadGatewayConfig(
  opts: { file?: string; env?: Record<string, string | undefined>; flags?: Record<string, string> } = {},
): GatewayConfig {
  let raw: Record<string, unknown> = {};
  const problems: string[] = [];
  if (opts.file) {
    try {
      raw = JSON.parse(readFileSync(opts.file, 'utf8')) as Record<string, unknown>;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        problems.push(`(file ${opts.file}): must hold a JSON object`);
    } catch (e) {
      problems.push(`(file ${opts.file}): ${(e as Error).message}`);
    }
  }
  if (problems.length > 0)
    throw new ProtocolError('GW_CONFIG_INVALID', `configuration is invalid:\n  ${problems.join('\n  ')}`, {
      details: { problems },
    });
  for (const [name, o] of Object.entries(ENV_OVERRIDES)) {
    const v = opts.env?.[name];
    if (v !== undefined && v !== '') setPath(raw, o.path, coerce(v, o.type));
  }
  for (const [flag, v] of Object.entries(opts.flags ?? {})) {
    const o = FLAG_OVERRIDES[flag];
    if (o) setPath(raw, o.path, coerce(v, o.type));
  }
  const r = GatewayConfig.safeParse(raw);
  if (!r.success) {
    for (const i of r.error.issues) problems.push(`${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new ProtocolError('GW_CONFIG_INVALID', `configuration is invalid:\n  ${problems.join('\n  ')}`, {
      details: { problems },
    });
  }
  return r.data;
}
