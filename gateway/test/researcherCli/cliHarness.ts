// Runs `datagraph researcher` in-process with its output captured.
import { runResearcherCommand } from '../../src/cli/research/runResearcherCommand.ts';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function researcher(argv: string[], env: Record<string, string> = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await runResearcherCommand(argv, env, {
    out: { write: (s: string) => (out += s) },
    err: { write: (s: string) => (err += s) },
  });
  return { code, out, err };
}
