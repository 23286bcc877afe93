// @datagraph/metagraph: the data application's rules and the local metagraph node.

export { type CheckedTransaction, CurrencyLedger } from './node/CurrencyLedger.ts';
export { EMPTY_HASH, SignedTransaction, TransactionReference, TransactionValue } from './node/CurrencyTransaction.ts';
export { Genesis, loadGenesisFile, parseGenesis } from './node/Genesis.ts';
export type { ConfirmedTransaction, UpdateStatus } from './node/MetagraphNode.ts';
export type { SignedSnapshot, SnapshotInfo, SnapshotValue } from './node/Snapshot.ts';
export { BODY_LIMITS, DEFAULT_PORTS, type RunningNode, type StartNodeOptions, startNode } from './node/startNode.ts';
export { encodeTransaction, kryoSerialize, transactionHash } from './node/transactionHash.ts';
export { signHash, verifyHashSignature } from './node/verifyTransactionSignature.ts';
export * from './rules/index.ts';
