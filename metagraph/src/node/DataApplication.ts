// The node's data application: metagraph/src/rules (validateUpdate, validateData, combine) over an in-memory
// CalculatedState. The node calls the rules; it never re-implements one.
import type { SignedDataUpdate } from '@datagraph/protocol';
import {
  CalculatedState,
  checkUpdate,
  combine,
  type RulesConfig,
  StateDelta,
  updateHash,
  validateData,
  validateUpdate,
} from '../rules/index.ts';
import type { DataLayer, DataProblem, DataSnapshotPart } from './DataLayer.ts';

export class DataApplication implements DataLayer {
  readonly state = new CalculatedState();
  readonly #config: RulesConfig;

  constructor(config: RulesConfig) {
    this.#config = config;
  }

  validateUpdate(input: unknown): DataProblem[] {
    return validateUpdate(input, this.#config);
  }

  checkUpdate(input: unknown): { problems: DataProblem[]; hash?: string; text?: string } {
    return checkUpdate(input, this.#config);
  }

  updateHash(update: SignedDataUpdate): string {
    return updateHash(update);
  }

  prepare(ordinal: number, updates: readonly SignedDataUpdate[], hashes?: readonly string[]): DataSnapshotPart {
    const verdicts = validateData(this.state, updates, this.#config, hashes);
    const { onChain, delta } = combine(this.state, verdicts.accepted, ordinal);
    return {
      accepted: verdicts.verdicts
        .filter((v) => v.problems.length === 0)
        .map((v) => ({ hash: v.hash, update: v.update })),
      rejected: verdicts.rejected.map((v) => ({ hash: v.hash, problems: v.problems })),
      onChainState: onChain,
      delta,
      calculatedStateHash: delta.hash,
    };
  }

  apply(delta: unknown, trusted = false): void {
    this.state.apply(trusted ? (delta as StateDelta) : StateDelta.parse(delta));
  }

  get calculatedStateHash(): string {
    return this.state.hash;
  }
}
