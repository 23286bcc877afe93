// The metagraph data application's rules: pure, deterministic, named after Tessellation's lifecycle
// (validateUpdate on the data L1, validateData and combine on the metagraph L0). See docs/data-application.md.
export { CalculatedState, CalculatedStateJson } from './CalculatedState.ts';
export { windowProblem } from './checkIngestEntries.ts';
export { type CombineResult, combine, snapshotCommitments } from './combine.ts';
export { compareStrings } from './compare.ts';
export { PendingState } from './PendingState.ts';
export { type Problem, problem, RULE_CODES, type RuleCode } from './Problem.ts';
export { RulesConfig } from './RulesConfig.ts';
export {
  DeviceRecord,
  EntryRecord,
  ProviderRecord,
  ProviderStatus,
  QueryReceiptRecord,
  RewardCycleRecord,
} from './records.ts';
export { OnChainState, StateDelta } from './StateDelta.ts';
export { GENESIS_STATE_HASH, type StateView } from './StateView.ts';
export { updateHash } from './updateHash.ts';
export { type UpdateVerdict, type ValidateDataResult, validateData } from './validateData.ts';
export { checkUpdate, validateUpdate } from './validateUpdate.ts';
