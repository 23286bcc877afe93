// The gateway's configuration: one zod schema, read from defaults < config file < environment < flags,
// validated once at start. Every invalid path is reported at once (STYLE.md "Errors").
import { readFileSync } from 'node:fs';
import { ProtocolError } from '@datagraph/protocol';
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
      .object({ port: Port.default(8080) })
      .strict()
      .default({ port: 8080 }),
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
      })
      .strict()
      .default({ syncWrites: false }),
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
