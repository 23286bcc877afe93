// `make demo`: the main job on the embedded defaults, end to end, each service run as an operator would run it.
//   1. a local metagraph node (datagraph node) with genesis-funded wallets; a dag4 transfer between two of them
//   2. the gateway (datagraph gateway): MQTT broker, ingest, vault, batcher, REST
//   3. providers pair simulated wearables (datagraph agent init / provider register) and share a day of data
//   4. the ledger holds commitments only: Merkle proofs check out, no raw value appears in any snapshot
//   5. a researcher quotes, pays with dag4, downloads and verifies a dataset (a tampered copy fails)
//   6. a rewards cycle pays the providers; their statements equal their ledger balances
// DEMO_KEEP=1 make demo leaves the node and gateway running afterwards (portal at http://127.0.0.1:8080/portal/).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encryptKeystore, generateKeyPair, type KeyPair } from '@datagraph/protocol';
import { ingestDemo } from './ingest.ts';
import { DEFAULT_NODE, transferDemo } from './ledger.ts';
import { ROOT, Services, waitFor } from './processes.ts';
import { researchDemo } from './research.ts';

export const DEMO_DIR = join(ROOT, '.demo');
export const PASSPHRASE = 'demo passphrase, not for production';

export function step(n: number, title: string): void {
  console.log(`\n[${n}] ${title}`);
}

async function writeKeystore(path: string, key: KeyPair): Promise<void> {
  writeFileSync(path, `${JSON.stringify(await encryptKeystore(key.privateKey, PASSPHRASE), null, 2)}\n`, {
    mode: 0o600,
  });
}

async function main(): Promise<void> {
  rmSync(DEMO_DIR, { recursive: true, force: true });
  mkdirSync(join(DEMO_DIR, 'keys'), { recursive: true });
  const services = new Services(join(DEMO_DIR, 'logs'));
  const stop = async () => {
    await services.stopAll();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    step(1, 'Ledger: a local metagraph node with genesis-funded wallets');
    const alice = generateKeyPair();
    const bob = generateKeyPair();
    const researcher = generateKeyPair();
    const gateway = generateKeyPair();
    const treasury = generateKeyPair();
    const keys = join(DEMO_DIR, 'keys');
    await Promise.all([
      writeKeystore(join(keys, 'researcher.json'), researcher),
      writeKeystore(join(keys, 'gateway.json'), gateway),
      writeKeystore(join(keys, 'treasury.json'), treasury),
    ]);
    writeFileSync(join(keys, 'passphrase'), `${PASSPHRASE}\n`, { mode: 0o600 });
    const genesis = join(DEMO_DIR, 'genesis.json');
    const balances = {
      [alice.address]: '100000000000',
      [bob.address]: '5000000000',
      [researcher.address]: '500000000000',
      [treasury.address]: '1000000000',
    };
    writeFileSync(genesis, `${JSON.stringify({ balances }, null, 2)}\n`);
    services.start('node', [
      'node',
      '--data-dir',
      join(DEMO_DIR, 'node'),
      '--genesis',
      genesis,
      '--snapshot-interval',
      '1000',
      '--authorised-gateway',
      gateway.address,
    ]);
    await waitFor('the node', async () => (await fetch(`${DEFAULT_NODE.l0}/cluster/info`)).ok);
    console.log(`  node up: L0 ${DEFAULT_NODE.l0}, currency L1 ${DEFAULT_NODE.l1}, data L1 ${DEFAULT_NODE.dataL1}`);
    console.log(`  genesis: alice 1000, bob 50, researcher 5000, treasury 10 tokens`);
    await transferDemo(DEFAULT_NODE, alice, bob, 25);

    const ctx = { services, keys, researcher, gateway, treasury, dir: DEMO_DIR, passphrase: PASSPHRASE, step };
    const providers = await ingestDemo(ctx);
    await researchDemo(ctx, providers);
    console.log(`\nDemo finished. Logs: ${join(DEMO_DIR, 'logs')}; data: ${DEMO_DIR}`);
    if (process.env.DEMO_KEEP) {
      console.log('DEMO_KEEP is set: the node and gateway keep running; press Ctrl-C to stop them.');
      await new Promise(() => {});
    }
  } finally {
    await stop();
  }
}

await main();
