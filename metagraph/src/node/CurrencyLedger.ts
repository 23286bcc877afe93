// The currency ledger: confirmed balances and last transaction references (as of the latest snapshot),
// plus the pending pool on top of them. Checks transactions as Tessellation's currency L1 does
// (TransactionValidator + TransactionChainValidator): signature by the source's key over the hash, parent
// reference chained per address, positive amount, non-negative fee, no self-send, and enough balance once
// every pending spend of the source is counted. Every problem is reported, each with its stable code.
import { addressFromPublicKey, type ErrorCode, errorCatalogue, ProtocolError } from '@datagraph/protocol';
import { EMPTY_HASH, type SignedTransaction, type TransactionReference, toLong } from './CurrencyTransaction.ts';
import { transactionHash } from './transactionHash.ts';
import { verifyHashSignature } from './verifyTransactionSignature.ts';

export interface TxProblem {
  code: ErrorCode;
  message: string;
}

/** A transaction that passed the checks: parsed amounts and its hash. */
export interface CheckedTransaction {
  hash: string;
  signed: SignedTransaction;
  source: string;
  destination: string;
  amount: bigint;
  fee: bigint;
  /** The transaction's own ordinal in its source's chain: parent.ordinal + 1. */
  ordinal: number;
}

function p(code: ErrorCode, message?: string): TxProblem {
  return { code, message: message ?? errorCatalogue[code].message };
}

export interface ConfirmPlan {
  accepted: CheckedTransaction[];
  rejected: { tx: CheckedTransaction; problems: TxProblem[] }[];
  /** New balances and last references of the addresses the plan changes. */
  balances: Map<string, bigint>;
  refs: Map<string, TransactionReference>;
}

export class CurrencyLedger {
  readonly balances: Map<string, bigint>;
  readonly lastRefs: Map<string, TransactionReference>;
  /** Pending transactions in arrival order (the order a snapshot takes them). */
  readonly pending = new Map<string, CheckedTransaction>();
  #pendingHead = new Map<string, TransactionReference>();
  #pendingSpend = new Map<string, bigint>();

  constructor(balances: Map<string, bigint>, lastRefs: Map<string, TransactionReference>) {
    this.balances = balances;
    this.lastRefs = lastRefs;
  }

  balance(address: string): bigint {
    return this.balances.get(address) ?? 0n;
  }

  /** Last reference confirmed by a snapshot; `{hash: 64 zeros, ordinal: 0}` for an address with none. */
  confirmedRef(address: string): TransactionReference {
    return this.lastRefs.get(address) ?? { hash: EMPTY_HASH, ordinal: 0 };
  }

  /** What `/transactions/last-reference/:address` returns: the head of the chain, pending included (see docs). */
  headRef(address: string): TransactionReference {
    return this.#pendingHead.get(address) ?? this.confirmedRef(address);
  }

  /**
   * Check a parsed transaction against the signature rules and the chain and balances including the pending
   * pool. Returns the checked transaction or throws a ProtocolError listing every problem found.
   */
  check(signed: SignedTransaction): CheckedTransaction {
    const v = signed.value;
    const problems: TxProblem[] = [];
    const amount = toLong(v.amount);
    const fee = toLong(v.fee);
    const salt = toLong(v.salt);
    if (amount === null || amount <= 0n)
      problems.push(
        p('MG_TX_BAD_AMOUNT', `amount ${JSON.stringify(v.amount)} is not a positive integer of base units`),
      );
    if (fee === null || fee < 0n)
      problems.push(p('MG_TX_BAD_FEE', `fee ${JSON.stringify(v.fee)} is not a non-negative integer of base units`));
    if (salt === null || salt < 0n) problems.push(p('MG_TX_MALFORMED', 'salt must be a non-negative 64-bit integer'));
    if (v.source === v.destination) problems.push(p('MG_TX_SELF_SEND'));
    if (problems.length > 0) throw txError(problems);

    const hash = transactionHash(v);
    let bySource = false;
    for (const [i, proof] of signed.proofs.entries()) {
      if (!verifyHashSignature(proof.id, hash, proof.signature))
        problems.push(p('MG_TX_BAD_SIGNATURE', `proof ${i} does not verify over the transaction hash`));
      else if (addressFromPublicKey(proof.id) === v.source) bySource = true;
    }
    if (!bySource && !problems.some((x) => x.code === 'MG_TX_BAD_SIGNATURE')) problems.push(p('MG_TX_SIGNER_MISMATCH'));

    const head = this.headRef(v.source);
    if (v.parent.ordinal < head.ordinal) {
      problems.push(
        p(
          'MG_TX_STALE_PARENT',
          `parent ordinal ${v.parent.ordinal} is below the source's last reference ${head.ordinal}`,
        ),
      );
    } else if (v.parent.ordinal !== head.ordinal || normaliseHash(v.parent.hash) !== head.hash) {
      problems.push(
        p(
          'MG_TX_PARENT_MISMATCH',
          `parent must be the source's last reference {ordinal ${head.ordinal}, hash ${head.hash}}`,
        ),
      );
    }
    const available = this.balance(v.source) - (this.#pendingSpend.get(v.source) ?? 0n);
    if ((amount as bigint) + (fee as bigint) > available) {
      problems.push(
        p(
          'MG_TX_INSUFFICIENT_BALANCE',
          `amount + fee is ${(amount as bigint) + (fee as bigint)}, available ${available < 0n ? 0n : available}`,
        ),
      );
    }
    if (problems.length > 0) throw txError(problems);
    return {
      hash,
      signed,
      source: v.source,
      destination: v.destination,
      amount: amount as bigint,
      fee: fee as bigint,
      ordinal: v.parent.ordinal + 1,
    };
  }

  /** Put a checked transaction in the pending pool (reserving its parent slot and its spend). */
  addPending(tx: CheckedTransaction): void {
    this.pending.set(tx.hash, tx);
    this.#pendingHead.set(tx.source, { hash: tx.hash, ordinal: tx.ordinal });
    this.#pendingSpend.set(tx.source, (this.#pendingSpend.get(tx.source) ?? 0n) + tx.amount + tx.fee);
  }

  /** Undo addPending (the pending write failed before the reply). */
  dropPending(hash: string): void {
    if (!this.pending.delete(hash)) return;
    this.#rebuildPendingIndexes();
  }

  /**
   * Plan the next snapshot's currency part: apply the given pending transactions, in order, to overlays of the
   * confirmed state (nothing changes until `commit`). Each is re-checked against the confirmed chain and
   * balance; one that no longer fits is rejected (cannot happen for what the pool accepted, but a snapshot
   * must never go negative).
   */
  plan(txs: readonly CheckedTransaction[]): ConfirmPlan {
    const balances = new Map<string, bigint>();
    const refs = new Map<string, TransactionReference>();
    const bal = (a: string): bigint => balances.get(a) ?? this.balance(a);
    const plan: ConfirmPlan = { accepted: [], rejected: [], balances, refs };
    for (const tx of txs) {
      const ref = refs.get(tx.source) ?? this.confirmedRef(tx.source);
      const problems: TxProblem[] = [];
      if (ref.ordinal + 1 !== tx.ordinal || normaliseHash(tx.signed.value.parent.hash) !== ref.hash)
        problems.push(p('MG_TX_PARENT_MISMATCH'));
      if (bal(tx.source) < tx.amount + tx.fee) problems.push(p('MG_TX_INSUFFICIENT_BALANCE'));
      if (problems.length > 0) {
        plan.rejected.push({ tx, problems });
        continue;
      }
      balances.set(tx.source, bal(tx.source) - tx.amount - tx.fee);
      balances.set(tx.destination, bal(tx.destination) + tx.amount);
      refs.set(tx.source, { hash: tx.hash, ordinal: tx.ordinal });
      plan.accepted.push(tx);
    }
    return plan;
  }

  /** Make a plan the confirmed state (after its snapshot is durable) and take its transactions out of the pool. */
  commit(plan: ConfirmPlan): void {
    for (const [a, b] of plan.balances) this.balances.set(a, b);
    for (const [a, r] of plan.refs) this.lastRefs.set(a, r);
    for (const tx of plan.accepted) this.pending.delete(tx.hash);
    for (const { tx } of plan.rejected) this.pending.delete(tx.hash);
    this.#rebuildPendingIndexes();
  }

  /** Total supply once a plan is committed (fees leave the supply: this node pays them to nobody). */
  static supplyAfter(current: bigint, plan: ConfirmPlan): bigint {
    let total = current;
    for (const tx of plan.accepted) total -= tx.fee;
    return total;
  }

  #rebuildPendingIndexes(): void {
    this.#pendingHead.clear();
    this.#pendingSpend.clear();
    for (const tx of this.pending.values()) {
      this.#pendingHead.set(tx.source, { hash: tx.hash, ordinal: tx.ordinal });
      this.#pendingSpend.set(tx.source, (this.#pendingSpend.get(tx.source) ?? 0n) + tx.amount + tx.fee);
    }
  }
}

/** Some dag4 versions send "" for the first parent; Tessellation's empty hash is 64 zeros. */
function normaliseHash(hash: string): string {
  return hash === '' ? EMPTY_HASH : hash;
}

export function txError(problems: TxProblem[]): ProtocolError {
  const first = problems[0] as TxProblem;
  return new ProtocolError(first.code, problems.map((x) => x.message).join('; '), { details: { errors: problems } });
}
