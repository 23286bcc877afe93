// Entry points that cli/main.ts routes `datagraph gateway` and `datagraph provider` to.
export { runGatewayCommand } from './runGatewayCommand.ts';
export { runProviderCommand } from './runProviderCommand.ts';
