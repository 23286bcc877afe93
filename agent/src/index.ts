// @datagraph/agent: the SDK a device maker builds an agent with.
//   createAgent({...})  -> an agent: aggregate, consent filter, sign, durable outbox, MQTT
//   agent.record(sample) for sources that are not BLE (a phone app logging meals, a watch's own sensors)
//   defineSensor({...}) for a BLE characteristic of your own (pure decoders; the BLE layer does the I/O)
export { AGENT_VERSION, Agent, type AgentOptions, createAgent } from './Agent.ts';
export type { AgentStatus, WindowStats } from './AgentStatus.ts';
export { Aggregator, type AggregatorState, type Draft, emptyAggregatorState } from './aggregate/Aggregator.ts';
export * as aggregationRules from './aggregate/rules.ts';
export { buildUpdate } from './consent/buildUpdate.ts';
export {
  applyPrivacySteps,
  dropAfterExpiry,
  dropEmpty,
  dropOutOfRange,
  dropUnconsentedFields,
  generaliseCoarse,
  type PrivacyStep,
  privacySteps,
} from './consent/privacySteps.ts';
export { verifyPolicyMessage } from './consent/verifyPolicy.ts';
export { createDeviceKey, loadDeviceKey, readPassphrase } from './keys/deviceKey.ts';
export { NoValueReason, Sample, SampleKind, type ValueSample } from './sample.ts';
export {
  type DecodeContext,
  type Decoder,
  defineSensor,
  type SensorDefinition,
  type SensorDescriptor,
} from './sensors/index.ts';
