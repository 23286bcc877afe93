// CurrencyLedger properties over random runs: value is conserved to the base unit (fees leave the supply),
// no balance goes negative, pending spends count, each address's chain advances by exactly its accepted
// transactions, and each kind of bad transaction is refused with its own code.
import { generateKeyPair, type KeyPair } from '@datagraph/protocol';
import fc from 'fast-check';
import t from 'tap';
import { CurrencyLedger, EMPTY_HASH, type SignedTransaction, signHash, transactionHash } from '../../src/index.ts';

const wallets = Array.from({ length: 4 }, () => generateKeyPair());

function tx(
  from: KeyPair,
  to: KeyPair,
  amount: number,
  fee: number,
  parent: { hash: string; ordinal: number },
  salt: number,
): SignedTransaction {
  const value = { source: from.address, destination: to.address, amount, fee, parent, salt: String(salt) };
  return { value, proofs: [{ id: from.publicKey, signature: signHash(from.privateKey, transactionHash(value)) }] };
}

const Op = fc.record({
  from: fc.integer({ min: 0, max: 3 }),
  to: fc.integer({ min: 0, max: 3 }),
  amount: fc.integer({ min: -5, max: 400 }),
  fee: fc.integer({ min: -1, max: 20 }),
  parent: fc.constantFrom('head', 'head', 'head', 'stale', 'gap'),
  snapshot: fc.boolean(),
  salt: fc.integer({ min: 1, max: 2 ** 40 }),
});

t.test('random runs conserve value and keep every chain consistent', async (t) => {
  fc.assert(
    fc.property(fc.array(Op, { minLength: 1, maxLength: 40 }), (ops) => {
      const genesis = new Map(wallets.map((w) => [w.address, 1000n]));
      const ledger = new CurrencyLedger(new Map(genesis), new Map());
      let supply = 4000n;
      const accepted = new Map<string, number>();
      for (const op of ops) {
        const from = wallets[op.from] as KeyPair;
        const to = wallets[op.to] as KeyPair;
        const head = ledger.headRef(from.address);
        // A stale parent needs an earlier link; before the first transaction it is just the head.
        const kind = op.parent === 'stale' && head.ordinal === 0 ? 'head' : op.parent;
        const parent =
          kind === 'head'
            ? head
            : kind === 'gap'
              ? { hash: head.hash, ordinal: head.ordinal + 2 }
              : { hash: EMPTY_HASH, ordinal: head.ordinal - 1 };
        const pendingSpend = [...ledger.pending.values()]
          .filter((p) => p.source === from.address)
          .reduce((s, p) => s + p.amount + p.fee, 0n);
        const available = ledger.balance(from.address) - pendingSpend;
        try {
          const checked = ledger.check(tx(from, to, op.amount, op.fee, parent, op.salt));
          ledger.addPending(checked);
          // Accepted: every rule held.
          if (op.amount <= 0 || op.fee < 0 || op.from === op.to || kind !== 'head') return false;
          if (BigInt(op.amount + op.fee) > available) return false;
          accepted.set(from.address, (accepted.get(from.address) ?? 0) + 1);
        } catch (e) {
          const code = (e as { code: string }).code;
          const expected =
            op.amount <= 0
              ? 'MG_TX_BAD_AMOUNT'
              : op.fee < 0
                ? 'MG_TX_BAD_FEE'
                : op.from === op.to
                  ? 'MG_TX_SELF_SEND'
                  : kind === 'stale'
                    ? 'MG_TX_STALE_PARENT'
                    : kind === 'gap'
                      ? 'MG_TX_PARENT_MISMATCH'
                      : 'MG_TX_INSUFFICIENT_BALANCE';
          if (code !== expected) throw new Error(`expected ${expected}, got ${code} for ${JSON.stringify(op)}`);
        }
        if (op.snapshot) {
          const plan = ledger.plan([...ledger.pending.values()]);
          if (plan.rejected.length > 0) return false;
          supply = CurrencyLedger.supplyAfter(supply, plan);
          ledger.commit(plan);
        }
      }
      const plan = ledger.plan([...ledger.pending.values()]);
      supply = CurrencyLedger.supplyAfter(supply, plan);
      ledger.commit(plan);
      let total = 0n;
      for (const w of wallets) {
        const b = ledger.balance(w.address);
        if (b < 0n) return false;
        total += b;
        if (ledger.confirmedRef(w.address).ordinal !== (accepted.get(w.address) ?? 0)) return false;
      }
      return total === supply && ledger.pending.size === 0;
    }),
    { numRuns: 120 },
  );
  t.pass('120 random runs');
});
