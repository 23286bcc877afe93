// The built gateway's command line (gateway/scripts/build.ts): the gateway package's commands of `datagraph`, each
// loaded only when run (a separate chunk), so `gateway` does not load the researcher's client and the reverse.
type Run = (argv: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Run>> = {
  gateway: async () => (await import('../src/cli/runGatewayCommand.ts')).runGatewayCommand,
  researcher: async () => (await import('../src/cli/research/runResearcherCommand.ts')).runResearcherCommand,
  rewards: async () => (await import('../src/cli/rewards/runRewardsCommand.ts')).runRewardsCommand,
  provider: async () => (await import('../src/cli/runProviderCommand.ts')).runProviderCommand,
};

const [name, ...rest] = process.argv.slice(2);
const load = name === undefined ? undefined : commands[name];
if (!load) {
  console.error(`usage: datagraph-gateway <${Object.keys(commands).join('|')}> [options] (--help for the options)`);
  process.exitCode = 2;
} else {
  process.exitCode = await (await load())(rest);
}
