// The device entry point: `datagraph-agent init | run | status`, the same commands as `datagraph agent`, without the
// other packages' CLIs. agent/scripts/build.ts bundles this file into the artifact a device runs (docs/agent.md
// "Deploying on a device").
import { runAgentCommand } from './index.ts';

process.exitCode = await runAgentCommand(process.argv.slice(2));
