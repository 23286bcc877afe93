// Child processes for the demo: each `datagraph` service runs as an operator would run it, its log in .demo/logs.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'datagraph.mjs');

export class Services {
  readonly #children: { name: string; child: ChildProcess }[] = [];
  constructor(readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
  }

  /** Start `datagraph ...args` in the background; stdout and stderr go to logs/<name>.log. */
  start(name: string, args: string[], env: Record<string, string> = {}): ChildProcess {
    return this.startCommand(name, process.execPath, [BIN, ...args], env);
  }

  /** Start any command (a built artifact's launcher) in the background, logged like `start`. */
  startCommand(name: string, command: string, args: string[], env: Record<string, string> = {}): ChildProcess {
    const log = createWriteStream(join(this.logDir, `${name}.log`));
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    child.on('exit', (code, signal) => {
      if (!this.#stopping && code !== 0)
        console.error(`  ! ${name} exited (${code ?? signal}); see ${join(this.logDir, `${name}.log`)}`);
    });
    this.#children.push({ name, child });
    return child;
  }

  #stopping = false;

  async stopAll(): Promise<void> {
    this.#stopping = true;
    await Promise.all(
      this.#children.reverse().map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const t = setTimeout(() => child.kill('SIGKILL'), 8000);
            child.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}

/** Run `datagraph ...args` to completion and return its stdout (throws with its output on failure). */
export async function runDatagraph(args: string[], env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  if (code !== 0) throw new Error(`datagraph ${args.join(' ')} failed (${code}):\n${out}${err}`);
  return out;
}

/** Poll until `fn` gives a truthy value. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function getJson<T = unknown>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}
