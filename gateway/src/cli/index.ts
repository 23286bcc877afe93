// Entry points that cli/main.ts routes `datagraph gateway` and `datagraph provider` to.

export { runResearcherCommand } from './research/runResearcherCommand.ts';
export { runRewardsCommand } from './rewards/runRewardsCommand.ts';
export { runGatewayCommand } from './runGatewayCommand.ts';
export { runProviderCommand } from './runProviderCommand.ts';
