// `datagraph rewards <run|status|statement>` (docs/rewards.md "CLI"). Every command talks to a running gateway
// over REST: `run` and `status` use the operator routes (the token from --token, DG_OPERATOR_TOKEN, or the
// `operator.token` file the gateway generated in its data dir), `statement` the provider statement routes, signed
// with the provider's keystore (earnings are private: http/rewards/providerAuth.ts). A run
// goes through the gateway's own engine, so it can never overlap the interval timer's: a run already going is
// refused with GW_REWARD_CYCLE_BUSY (exit 1), and so is a deferral such as GW_TREASURY_SHORT.
import { existsSync, readFileSync } from 'node:fs';
import { decryptKeystore, ProtocolError, systemClock } from '@datagraph/protocol';
import { earningsAuthorization } from '../../http/rewards/providerAuth.ts';
import { operatorTokenPath } from '../../rewards/loadOperatorToken.ts';
import type { RewardsStatus } from '../../rewards/RewardsStatus.ts';
import { parseFlags } from '../parseFlags.ts';

const USAGE = `usage: datagraph rewards <command> [options]

commands:
  run                      run a rewards cycle now on the gateway (settle open cycles, plan and pay a new one)
  status                   treasury, parameters, the last run and its error, the latest cycles
  statement [ADDRESS]      your earnings per cycle and per query (--csv for the CSV export), signed with your
                           provider keystore; ADDRESS defaults to the keystore's

options:
  --gateway URL            gateway REST API (default http://127.0.0.1:8080, or DG_GATEWAY_URL)
  --token TOKEN            operator token for run and status (or DG_OPERATOR_TOKEN)
  --data-dir DIR           read the operator token from DIR/operator.token (default .datagraph/gateway)
  --keystore FILE          provider keystore for statement (default .datagraph/provider-keystore.json)
  --passphrase-file F      its passphrase (or DG_PASSPHRASE)
  --from-cycle N, --to-cycle N   statement range
  --csv                    statement as CSV
  --json                   status as JSON

exit codes: 0 done, 1 refused by the gateway (code printed), 2 usage
`;

interface Out {
  log: (s: string) => void;
  error: (s: string) => void;
}

// biome-ignore lint/suspicious/noExplicitAny: answers are printed, or read field by field
async function call(url: string, init: RequestInit): Promise<{ status: number; text: string; json?: any }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(300_000) });
  } catch (e) {
    throw new Error(`the gateway at ${url} did not answer (${(e as Error).message}): is it running? (--gateway)`, {
      cause: e,
    });
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, text, json };
}

function operatorToken(flags: Record<string, string>, env: Record<string, string | undefined>): string {
  if (flags['--token']) return flags['--token'];
  if (env.DG_OPERATOR_TOKEN) return env.DG_OPERATOR_TOKEN;
  const file = operatorTokenPath(flags['--data-dir'] ?? env.DG_DATA_DIR ?? '.datagraph/gateway');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new ProtocolError(
    'GW_OPERATOR_UNAUTHORIZED',
    `no operator token: give --token, DG_OPERATOR_TOKEN or --data-dir (${file} not found)`,
  );
}

function formatStatus(s: RewardsStatus): string {
  const lines = [
    `treasury ${s.treasury}  balance ${s.treasuryBalance ?? '(ledger did not answer)'}`,
    `interval ${s.intervalMs} ms  fee ${s.feeBps} bps  min payout ${s.minPayout}  carried ${s.carried}  ${s.running ? 'RUNNING' : 'idle'}`,
  ];
  if (s.lastRun) {
    const r = s.lastRun;
    lines.push(
      `last run ${new Date(r.finishedAt).toISOString()}: ${r.error ? `${r.error.code} ${r.error.message}` : 'ok'}` +
        (r.cycles.length ? ` (cycles ${r.cycles.map((c) => `${c.cycle} ${c.state}`).join(', ')})` : ' (nothing to do)'),
    );
  } else lines.push('last run: none since the gateway started');
  lines.push('cycle  state       queries  payments  payouts  fees  carried  error');
  for (const c of s.cycles)
    lines.push(
      [
        c.cycle,
        c.state,
        c.queries,
        c.payments,
        c.payouts,
        c.fees,
        c.carriedOut,
        c.halted ? `HALTED ${c.halted}` : (c.lastError?.code ?? ''),
      ].join('  '),
    );
  return lines.join('\n');
}

export async function runRewardsCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  out: Out = { log: (s) => console.log(s), error: (s) => console.error(s) },
): Promise<number> {
  const args = parseFlags(argv, ['--help', '-h', '--csv', '--json']);
  const [command, address] = args.positional;
  if (!command || args.flags['--help'] || args.flags['-h']) {
    out.log(USAGE);
    return command ? 0 : 2;
  }
  const gateway = (args.flags['--gateway'] ?? env.DG_GATEWAY_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
  try {
    let r: Awaited<ReturnType<typeof call>>;
    if (command === 'run' || command === 'status') {
      const headers = { authorization: `Bearer ${operatorToken(args.flags, env)}` };
      r =
        command === 'run'
          ? await call(`${gateway}/v1/rewards/cycles`, { method: 'POST', headers })
          : await call(`${gateway}/v1/rewards/status`, { headers });
      if (r.status === 200) {
        out.log(command === 'status' && !args.flags['--json'] ? formatStatus(r.json) : JSON.stringify(r.json, null, 2));
        return 0;
      }
    } else if (command === 'statement') {
      const keystore = args.flags['--keystore'] ?? '.datagraph/provider-keystore.json';
      const passphrase = args.flags['--passphrase-file']
        ? readFileSync(args.flags['--passphrase-file'], 'utf8').trim()
        : env.DG_PASSPHRASE;
      if (!passphrase) throw new ProtocolError('PR_KEYSTORE_PASSWORD', 'set DG_PASSPHRASE or --passphrase-file');
      if (!existsSync(keystore)) throw new ProtocolError('PR_KEYSTORE_INVALID', `${keystore} does not exist`);
      const key = await decryptKeystore(JSON.parse(readFileSync(keystore, 'utf8')), passphrase);
      const who = address ?? key.address;
      const q = new URLSearchParams();
      if (args.flags['--from-cycle']) q.set('fromCycle', args.flags['--from-cycle']);
      if (args.flags['--to-cycle']) q.set('toCycle', args.flags['--to-cycle']);
      const qs = q.size ? `?${q}` : '';
      const path = `${gateway}/v1/providers/${encodeURIComponent(who)}/earnings${args.flags['--csv'] ? '.csv' : ''}${qs}`;
      r = await call(path, { headers: { authorization: earningsAuthorization(key, systemClock) } });
      if (r.status === 200) {
        out.log(args.flags['--csv'] ? r.text.trimEnd() : JSON.stringify(r.json, null, 2));
        return 0;
      }
    } else {
      out.error(`unknown command ${command}\n${USAGE}`);
      return 2;
    }
    out.error(
      r.json?.code ? `${r.json.code}: ${r.json.message}` : `gateway answered ${r.status}: ${r.text.slice(0, 200)}`,
    );
    return 1;
  } catch (e) {
    const err = e as Partial<ProtocolError> & Error;
    out.error(err.code ? `${err.code}: ${err.message}` : err.message);
    return 1;
  }
}
