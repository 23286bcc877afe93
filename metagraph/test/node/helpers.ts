// Shared by the node tests: a node on ephemeral ports in a temp dir, funded wallets, and condition polling.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, type KeyPair } from '@datagraph/protocol';
import { pino } from 'pino';
import { type RunningNode, type StartNodeOptions, startNode } from '../../src/index.ts';

export async function tempDir(prefix = 'dg-node-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface TestNode {
  node: RunningNode;
  dataDir: string;
  funded: KeyPair[];
  close(): Promise<void>;
}

/** A node funded with `wallets` genesis wallets of `each` base units; temp data dir removed on close. */
export async function startTestNode(
  opts: {
    wallets?: number;
    each?: bigint;
    snapshotIntervalMs?: number;
    rules?: StartNodeOptions['rules'];
    dataDir?: string;
    funded?: KeyPair[];
  } = {},
): Promise<TestNode> {
  const funded = opts.funded ?? Array.from({ length: opts.wallets ?? 2 }, () => generateKeyPair());
  const each = (opts.each ?? 1_000_000_000_000n).toString();
  const tmp = opts.dataDir ? undefined : await tempDir();
  const dataDir = opts.dataDir ?? (tmp?.dir as string);
  const node = await startNode({
    dataDir,
    genesis: { balances: Object.fromEntries(funded.map((k) => [k.address, each])) },
    snapshotIntervalMs: opts.snapshotIntervalMs ?? 0,
    ports: { l0: 0, l1: 0, dataL1: 0 },
    logger: pino({ level: 'silent' }),
    ...(opts.rules ? { rules: opts.rules } : {}),
  });
  return {
    node,
    dataDir,
    funded,
    async close() {
      await node.close();
      await tmp?.remove();
    },
  };
}

/** Poll `check` until it returns a value that is not undefined/false, or fail after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== null && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// biome-ignore lint/suspicious/noExplicitAny: test bodies are checked field by field
export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

// biome-ignore lint/suspicious/noExplicitAny: test bodies are checked field by field
export async function postJson(url: string, body: unknown, raw?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
