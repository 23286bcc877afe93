// @datagraph/gateway: the edge gateway (MQTT ingest, vault, batcher, provider registry).

export { GatewayConfig, loadGatewayConfig } from './config/GatewayConfig.ts';
export { createGatewayLogger, type RunningGateway, startGateway } from './Gateway.ts';
export { RegisterRequest } from './registry/ProviderService.ts';
export { buildProviderAction, buildRegistration } from './registry/providerRequests.ts';
