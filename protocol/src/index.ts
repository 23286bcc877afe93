// @datagraph/protocol: the wire contract shared by agent, gateway and metagraph. zod and crypto only.
export * from './amount.ts';
export * from './canonical.ts';
export * from './catalogue.ts';
export * from './clock.ts';
export * from './commitment.ts';
export * from './connectToken.ts';
export * from './dataset/index.ts';
// The dataset codec's row (protocol/src/dataset) is THE DatasetRow: named here so it wins over any other star export.
export { DatasetRow } from './dataset/index.ts';
export * from './errors/catalogue.ts';
export * from './errors/ProtocolError.ts';
export * from './keys.ts';
export * from './merkle.ts';
export * from './pairingCode.ts';
export * from './parse.ts';
export * from './schemas/ConsentPolicy.ts';
export * from './schemas/common.ts';
export * from './schemas/DataUpdate.ts';
export * from './schemas/errorCode.ts';
export * from './schemas/Mqtt.ts';
export * from './schemas/Research.ts';
export * from './schemas/Update.ts';
export * from './signedDataUpdateText.ts';
export * from './signing.ts';
export * from './topics.ts';
