// Demo, part 1: the ledger. A local metagraph node, two genesis-funded wallets, a dag4 transfer.
import { formatTokens, type KeyPair } from '@datagraph/protocol';
import { dag4 } from '@stardust-collective/dag4';
import { getJson, waitFor } from './processes.ts';

export interface NodeUrls {
  l0: string;
  l1: string;
  dataL1: string;
}

export const DEFAULT_NODE: NodeUrls = {
  l0: 'http://127.0.0.1:9200',
  l1: 'http://127.0.0.1:9300',
  dataL1: 'http://127.0.0.1:9400',
};

/** dag4's metagraph token client, unchanged, pointed at the node (as docs/metagraph-node.md shows). */
export function tokenClient(key: KeyPair, urls: NodeUrls) {
  const account = dag4.createAccount();
  account.loginPrivateKey(key.privateKey);
  return account.createMetagraphTokenClient({
    id: 'datagraph-local',
    metagraphId: 'datagraph-local',
    l0Url: urls.l0,
    l1Url: urls.l1,
    dl1Url: urls.dataL1,
    beUrl: urls.l0,
  } as never);
}

export async function latestOrdinal(urls: NodeUrls): Promise<number> {
  return (await getJson<{ value: number }>(`${urls.l0}/snapshots/latest/ordinal`)).value;
}

export async function balanceOf(urls: NodeUrls, address: string): Promise<bigint> {
  return BigInt((await getJson<{ balance: number }>(`${urls.l0}/currency/${address}/balance`)).balance);
}

export async function transferDemo(urls: NodeUrls, from: KeyPair, to: KeyPair, tokens: number): Promise<void> {
  const client = tokenClient(from, urls);
  const before = await balanceOf(urls, to.address);
  const tx = (await client.transfer(to.address, tokens, 0)) as { hash: string } | string;
  const hash = typeof tx === 'string' ? tx : tx.hash;
  console.log(
    `  dag4 transfer ${tokens} tokens ${short(from.address)} -> ${short(to.address)}: tx ${hash.slice(0, 16)}…`,
  );
  const pending = await client.networkInstance.getPendingTransaction(hash);
  console.log(`  currency L1 holds it as ${pending ? 'pending ("Waiting")' : 'already confirmed'}`);
  await waitFor('the transfer to be confirmed in a snapshot', async () => client.networkInstance.getTransaction(hash));
  const after = await balanceOf(urls, to.address);
  console.log(
    `  confirmed in snapshot ${await latestOrdinal(urls)}: ${short(to.address)} balance ${formatTokens(before)} -> ${formatTokens(after)} tokens`,
  );
}

export function short(address: string): string {
  return `${address.slice(0, 7)}…${address.slice(-4)}`;
}
