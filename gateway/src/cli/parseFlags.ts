// `--name value`, `--name=value` and repeated flags; bare words are positional.
export interface ParsedArgs {
  positional: string[];
  flags: Record<string, string>;
  multi: Record<string, string[]>;
}

export function parseFlags(argv: string[], booleans: readonly string[] = ['--help', '-h']): ParsedArgs {
  const out: ParsedArgs = { positional: [], flags: {}, multi: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('-')) {
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    let name = a;
    let value: string;
    if (eq > 0) {
      name = a.slice(0, eq);
      value = a.slice(eq + 1);
    } else if (booleans.includes(a)) {
      value = 'true';
    } else {
      value = argv[++i] ?? '';
    }
    out.flags[name] = value;
    const list = out.multi[name] ?? [];
    list.push(value);
    out.multi[name] = list;
  }
  return out;
}
