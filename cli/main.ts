// `datagraph <command>`: one table from command to the package that implements it. Each entry is
// loaded lazily, so `datagraph agent` never loads the gateway's dependencies.
type Command = { summary: string; run: (argv: string[]) => Promise<number> };

const commands: Record<string, Command> = {
  node: {
    summary: 'run a local metagraph node (L0, currency L1, data L1) for development and tests',
    run: async (argv) => (await import('@datagraph/metagraph/cli')).runNodeCommand(argv),
  },
  agent: {
    summary: 'device agent: init (key + pairing code), run (BLE or --simulate PERSONA), status',
    run: async (argv) => (await import('@datagraph/agent/cli')).runAgentCommand(argv),
  },
  gateway: {
    summary: 'run the edge gateway: MQTT broker, ingest, vault, batcher, REST API',
    run: async (argv) => (await import('@datagraph/gateway/cli')).runGatewayCommand(argv),
  },
  researcher: {
    summary: 'researcher wallet: quote, buy (pay with dag4), download and verify datasets',
    run: async (argv) => (await import('@datagraph/gateway/cli')).runResearcherCommand(argv),
  },
  rewards: {
    summary: 'rewards: run a cycle now, show cycles and statements',
    run: async (argv) => (await import('@datagraph/gateway/cli')).runRewardsCommand(argv),
  },
  provider: {
    summary: 'provider wallet: register, pair a device, set consent (through a gateway)',
    run: async (argv) => (await import('@datagraph/gateway/cli')).runProviderCommand(argv),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: datagraph <command> [options]',
    '',
    'commands:',
    ...rows,
    '',
    'Run `datagraph <command> --help` for the options of one command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`datagraph: unknown command '${name}' (DG_UNKNOWN_COMMAND)\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}
