// `datagraph rewards` without a gateway to talk to: usage and exit codes, a clear message when the gateway does
// not answer, refusals before any request when credentials are missing. (With a gateway: rewards.e2e.test.ts.)
import t from 'tap';
import { runRewardsCommand } from '../../src/cli/rewards/runRewardsCommand.ts';
import { tempDir } from './helpers.ts';

async function cli(argv: string[], env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runRewardsCommand(argv, env, { log: (s) => out.push(s), error: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

t.test('usage and exit codes', async (t) => {
  const none = await cli([]);
  t.equal(none.code, 2);
  t.match(none.out, /usage: datagraph rewards/);
  t.equal((await cli(['--help'])).code, 2, 'no command');
  t.equal((await cli(['run', '--help'])).code, 0);
  const unknown = await cli(['pay-everyone', '--gateway', 'http://127.0.0.1:1']);
  t.equal(unknown.code, 2);
  t.match(unknown.err, /unknown command pay-everyone/);
});

t.test('a gateway that does not answer: exit 1, says so', async (t) => {
  const r = await cli(['status', '--gateway', 'http://127.0.0.1:1', '--token', 'x'.repeat(20)]);
  t.equal(r.code, 1);
  t.match(r.err, /the gateway at http:\/\/127\.0\.0\.1:1\/v1\/rewards\/status did not answer/);
});

t.test('missing credentials are refused before any request', async (t) => {
  const tmp = await tempDir('dg-rewards-cli-');
  t.teardown(tmp.remove);
  const run = await cli(['run', '--gateway', 'http://127.0.0.1:1', '--data-dir', tmp.dir]);
  t.equal(run.code, 1);
  t.match(run.err, /GW_OPERATOR_UNAUTHORIZED: no operator token/);
  const st = await cli(['statement', '--gateway', 'http://127.0.0.1:1', '--keystore', `${tmp.dir}/none.json`]);
  t.equal(st.code, 1);
  t.match(st.err, /PR_KEYSTORE_PASSWORD/, 'no passphrase');
  const nokey = await cli(['statement', '--gateway', 'http://127.0.0.1:1', '--keystore', `${tmp.dir}/none.json`], {
    DG_PASSPHRASE: 'whatever-pass',
  });
  t.equal(nokey.code, 1);
  t.match(nokey.err, /PR_KEYSTORE_INVALID: .*none\.json does not exist/);
});
