// Acceptance 3 (issue 3): kill -9 the node (a child process started as `datagraph node`) in the middle of a
// run, restart it on the same data directory: the same snapshots and balances, ordinals continue, and every
// transaction the node acknowledged with a 200 ends in a snapshot (nothing accepted is lost).
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair, type KeyPair } from '@datagraph/protocol';
import { keyStore } from '@stardust-collective/dag4-keystore';
import t from 'tap';
import { entry, hourWindow, ingestBatch, policy, registerProvider } from '../../src/rules/vectors/VectorWorld.ts';
import { getJson, postJson, tempDir, waitFor } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../../bin/datagraph.mjs', import.meta.url));

interface Child {
  proc: ChildProcess;
  urls: { l0: string; l1: string; dataL1: string };
}

async function spawnNode(dataDir: string, genesis: string, gateway: string): Promise<Child> {
  const proc = spawn(
    process.execPath,
    [
      BIN,
      'node',
      '--data-dir',
      dataDir,
      '--genesis',
      genesis,
      '--snapshot-interval',
      '150',
      '--l0-port',
      '0',
      '--l1-port',
      '0',
      '--data-l1-port',
      '0',
      '--log-level',
      'warn',
      '--authorised-gateway',
      gateway,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d) => (out += d));
  proc.stderr?.on('data', (d) => (err += d));
  const urls = await waitFor(() => {
    if (proc.exitCode !== null) throw new Error(`node exited ${proc.exitCode}: ${err}`);
    const m = /metagraph L0 (\S+)\s+currency L1 (\S+)\s+data L1 (\S+)/.exec(out);
    return m ? { l0: m[1] as string, l1: m[2] as string, dataL1: m[3] as string } : undefined;
  }, 'the node to print its URLs');
  return { proc, urls };
}

async function signedTx(from: KeyPair, to: string, units: number, parent: { hash: string; ordinal: number }) {
  return keyStore.generateTransactionWithHashV2(
    units / 1e8,
    to,
    { privateKey: from.privateKey, publicKey: `04${from.publicKey}`, address: from.address } as never,
    parent,
    0,
  );
}

t.test(
  'kill -9 mid-run and restart: same snapshots and balances, ordinals continue, nothing acknowledged is lost',
  async (t) => {
    const tmp = await tempDir();
    t.teardown(() => tmp.remove());
    const alice = generateKeyPair();
    const gateway = generateKeyPair();
    const provider = generateKeyPair();
    const device = generateKeyPair();
    const ackedUpdates: string[] = [];
    let seq = 0;
    const postBatch = async (url: string) => {
      seq += 1;
      const e = entry({
        device,
        provider: provider.address,
        seq,
        cadence: 'hourly',
        window: hourWindow(seq),
        policyVersion: 1,
        values: { steps: seq },
        seed: `crash-${seq}-${Math.random()}`,
      });
      const res = await postJson(`${url}/data`, ingestBatch(gateway, `crash-${seq}-${Math.random()}`, [e])).catch(
        () => undefined,
      );
      if (res?.status === 200) ackedUpdates.push(res.body.hash);
    };
    const receivers = Array.from({ length: 3 }, () => generateKeyPair().address);
    const genesisFile = join(tmp.dir, 'genesis.json');
    await writeFile(genesisFile, JSON.stringify({ balances: { [alice.address]: '100000000000' } }));
    const dataDir = join(tmp.dir, 'data');

    let node = await spawnNode(dataDir, genesisFile, gateway.address);
    t.teardown(() => {
      if (node.proc.exitCode === null) node.proc.kill('SIGKILL');
    });

    const reg = await postJson(
      `${node.urls.dataL1}/data`,
      registerProvider(provider, [device], policy(provider.address, 1, { steps: ['hourly'] })),
    );
    t.equal(reg.status, 200, 'registration accepted');
    ackedUpdates.push(reg.body.hash);

    // Send chained transfers (and now and then a data update) without pause; kill -9 once several snapshots have taken some and more are pending.
    const acked: { hash: string; to: string; units: number }[] = [];
    let parent = { hash: '0'.repeat(64), ordinal: 0 };
    let killedAt = -1;
    const before: unknown[] = [];
    let balanceBefore: unknown;
    // The POST in flight at the kill: the node may have stored it without its 200 reaching us.
    let unacked: { hash: string; to: string; units: number } | undefined;
    for (let i = 0; i < 400; i++) {
      const to = receivers[i % 3] as string;
      const units = 1000 + i;
      const { transaction, hash } = await signedTx(alice, to, units, parent);
      const res = await postJson(`${node.urls.l1}/transactions`, transaction).catch(() => undefined);
      if (res?.status === 200) {
        acked.push({ hash, to, units });
        parent = { hash, ordinal: parent.ordinal + 1 };
      }
      if (i % 10 === 5) await postBatch(node.urls.dataL1);
      const latest = (await getJson(`${node.urls.l0}/snapshots/latest/ordinal`)).body.value as number;
      if (latest >= 3 && acked.length >= 40 && i % 7 === 3) {
        for (let o = 0; o <= latest; o++) before.push((await getJson(`${node.urls.l0}/snapshots/${o}`)).body);
        balanceBefore = (await getJson(`${node.urls.l0}/currency/${latest}/${alice.address}/balance`)).body;
        // Fire one more POST and kill while it may be in flight.
        const next = await signedTx(alice, to, units + 1, parent);
        await postBatch(node.urls.dataL1);
        const inflight = postJson(`${node.urls.l1}/transactions`, next.transaction).catch(() => undefined);
        node.proc.kill('SIGKILL');
        const r = await inflight;
        if (r?.status === 200) acked.push({ hash: next.hash, to, units: units + 1 });
        else unacked = { hash: next.hash, to, units: units + 1 };
        killedAt = latest;
        break;
      }
    }
    t.ok(killedAt >= 3, `killed after snapshot ${killedAt} with ${acked.length} acknowledged transfers`);
    await waitFor(() => node.proc.exitCode !== null || node.proc.signalCode !== null, 'the killed node to exit');

    // Restart on the same data directory.
    node = await spawnNode(dataDir, genesisFile, gateway.address);
    const { l0, l1 } = node.urls;
    const restartedAt = (await getJson(`${l0}/snapshots/latest/ordinal`)).body.value as number;
    if (unacked) {
      // Stored but not acknowledged is allowed (a lost reply); count it if the restarted node holds it.
      const held =
        (await getJson(`${l1}/transactions/${unacked.hash}`)).status === 200 ||
        (await getJson(`${l0}/currency/x/transactions/${unacked.hash}`)).status === 200;
      if (held) acked.push(unacked);
    }
    t.ok(
      restartedAt >= killedAt,
      `latest ordinal after restart (${restartedAt}) is at least the one seen before the kill (${killedAt})`,
    );

    for (const [o, snap] of before.entries())
      t.same((await getJson(`${l0}/snapshots/${o}`)).body, snap, `snapshot ${o} is the same after the restart`);
    t.same(
      (await getJson(`${l0}/currency/${killedAt}/${alice.address}/balance`)).body,
      balanceBefore,
      'balance at that ordinal is the same',
    );

    // Snapshots chain from genesis with no gap, and ordinals continue past the restart.
    await waitFor(
      async () =>
        ((await getJson(`${l0}/snapshots/latest/ordinal`)).body.value as number) > restartedAt + 1 || undefined,
      'new snapshots after restart',
    );
    // Nothing acknowledged is lost: every acked transfer is confirmed by the block explorer.
    const confirmed = await waitFor(async () => {
      const all = await Promise.all(
        acked.map(async (a) => (await getJson(`${l0}/currency/x/transactions/${a.hash}`)).body?.data),
      );
      return all.every((x) => x) ? all : undefined;
    }, 'every acknowledged transfer to be confirmed');
    t.equal(confirmed.length, acked.length, 'all acknowledged transfers are in snapshots');
    for (const [i, c] of confirmed.entries()) t.equal(c.ordinal, i + 1, `transfer ${i} kept its place in the chain`);

    const latest = (await getJson(`${l0}/snapshots/latest/ordinal`)).body.value as number;
    let prevHash = '0'.repeat(64);
    const seenTx = new Set<string>();
    for (let o = 0; o <= latest; o++) {
      const s = (await getJson(`${l0}/snapshots/${o}`)).body;
      t.equal(s.value.ordinal, o);
      if (s.value.lastSnapshotHash !== prevHash) t.fail(`snapshot ${o} does not chain to ${o - 1}`);
      const info = await getJson(`${l0}/currency/${o}/total-supply`);
      t.equal(info.status, 200);
      for (const b of s.value.blocks) for (const tx of b.block.value.transactions) seenTx.add(JSON.stringify(tx.value));
      prevHash = (await import('../../src/node/Snapshot.ts')).snapshotHash(s.value);
    }
    t.equal(seenTx.size, acked.length, 'each acknowledged transfer is in exactly one snapshot');

    // Every acknowledged data update was taken by a snapshot, and no entry twice.
    t.ok(ackedUpdates.length >= 3, `${ackedUpdates.length} data updates acknowledged`);
    for (const h of ackedUpdates) {
      const st = await waitFor(async () => {
        const b = (await getJson(`${l0}/data-application/updates/${h}`)).body;
        return b?.status === 'pending' ? undefined : b;
      }, 'data update decided');
      t.equal(st.status, 'accepted', `data update ${h.slice(0, 8)} accepted in snapshot ${st.ordinal}`);
    }
    t.equal(
      (await getJson(`${l0}/data-application/state`)).body.totals.entries,
      ackedUpdates.length - 1,
      'each acknowledged entry once',
    );

    // Balances: genesis minus what alice sent, each receiver what it got.
    const sent = acked.reduce((s, a) => s + a.units, 0);
    t.equal(
      (await getJson(`${l0}/currency/${alice.address}/balance`)).body.balance,
      100_000_000_000 - sent,
      'sender balance',
    );
    for (const r of receivers) {
      const got = acked.filter((a) => a.to === r).reduce((s, a) => s + a.units, 0);
      t.equal((await getJson(`${l0}/currency/${r}/balance`)).body.balance, got, 'receiver balance');
    }
    // The chain continues: the next transfer uses the reference the restarted node reports.
    const ref = (await getJson(`${l1}/transactions/last-reference/${alice.address}`)).body;
    t.same(ref, { hash: acked[acked.length - 1]?.hash, ordinal: acked.length }, 'last reference survived');
    const more = await signedTx(alice, receivers[0] as string, 5, ref);
    t.equal((await postJson(`${l1}/transactions`, more.transaction)).status, 200, 'accepts the next transfer');

    // Clean shutdown on SIGTERM.
    node.proc.kill('SIGTERM');
    await waitFor(() => node.proc.exitCode !== null || undefined, 'clean exit on SIGTERM');
    t.equal(node.proc.exitCode, 0, 'exit code 0 after SIGTERM');
  },
);
