// @datagraph/gateway: the edge gateway (MQTT ingest, vault, batcher, provider registry).
export { createGatewayLogger, type RunningGateway, startGateway } from './Gateway.ts';
export { GatewayConfig, loadGatewayConfig } from './config/GatewayConfig.ts';
export { RegisterRequest } from './registry/ProviderService.ts';
export { buildRegistration, buildProviderAction } from './registry/providerRequests.ts';
