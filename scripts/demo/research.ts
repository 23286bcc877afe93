// Demo, part 3: a researcher quotes, pays with dag4 and downloads a verifiable dataset; a rewards cycle pays every
// provider whose rows were used, to the base unit, and the statements match the ledger.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTokens } from '@datagraph/protocol';
import { type DemoContext, type DemoProvider, GATEWAY_HTTP } from './ingest.ts';
import { balanceOf, DEFAULT_NODE, short } from './ledger.ts';
import { runDatagraph } from './processes.ts';

export async function researchDemo(ctx: DemoContext, providers: DemoProvider[]): Promise<void> {
  const env = { DG_PASSPHRASE: ctx.passphrase };
  const researcher = [
    '--keystore',
    join(ctx.keys, 'researcher.json'),
    '--state',
    join(ctx.dir, 'researcher-state.json'),
  ];

  ctx.step(6, 'Researcher: quote, pay with dag4 from their own wallet, download, verify every row against the ledger');
  try {
    await runDatagraph(
      ['researcher', 'quote', '--fields', 'steps,heart_rate_avg', '--cadence', 'hourly', ...researcher],
      env,
    );
  } catch (e) {
    // Three of the ten providers do not share heart rate: too few people would be in that dataset.
    const why = (e as Error).message.split('\n').find((l) => l.includes('GW_QUOTE_BELOW_K')) ?? (e as Error).message;
    console.log(`  quote steps + heart_rate_avg, hourly: refused before any payment:\n    ${why.trim()}`);
  }
  const quote = await runDatagraph(
    ['researcher', 'quote', '--fields', 'steps', '--cadence', 'hourly', ...researcher],
    env,
  );
  console.log('  quote steps, hourly:');
  console.log(indent(quote));
  const { quoteId } = JSON.parse(quote) as { quoteId: string };
  const bought = await runDatagraph(['researcher', 'buy', quoteId, ...researcher], env);
  console.log(
    `  buy: a dag4 transfer of the exact price to payTo, confirmed in a snapshot, then the query:\n${indent(bought)}`,
  );
  const { queryId } = JSON.parse(bought) as { queryId: string };
  const file = join(ctx.dir, `dataset-${queryId}.csv`);
  console.log(
    indent(
      await runDatagraph(['researcher', 'download', queryId, '--format', 'csv', '--out', file, ...researcher], env),
    ),
  );
  const lines = readFileSync(file, 'utf8').split('\r\n');
  console.log(`  ${file}: ${lines.length - 2} rows; header: ${lines[0]?.slice(0, 110)}…`);
  console.log(indent(await runDatagraph(['researcher', 'verify', file], env)));
  // After payment the gateway prepares the dataset in the background; NDJSON downloads then read that file.
  const saved = JSON.parse(readFileSync(join(ctx.dir, 'researcher-state.json'), 'utf8')) as {
    queries: Record<string, { token: string }>;
  };
  const token = saved.queries[queryId]?.token as string;
  const t0 = Date.now();
  for (;;) {
    const r = await fetch(`${GATEWAY_HTTP}/v1/queries/${queryId}`, { headers: { authorization: `Bearer ${token}` } });
    const dataset = ((await r.json()) as { dataset?: { state: string } }).dataset;
    if (dataset?.state === 'prepared') break;
    if (Date.now() - t0 > 60_000) throw new Error(`demo: the dataset was not prepared (${JSON.stringify(dataset)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const ndjson = join(ctx.dir, `dataset-${queryId}.ndjson`);
  const fromPrepared = JSON.parse(
    await runDatagraph(['researcher', 'download', queryId, '--format', 'ndjson', '--out', ndjson, ...researcher], env),
  ) as { rows: number; source?: string };
  console.log(
    `  the dataset prepared after payment (GET /v1/queries/{id}: dataset.state "prepared"); NDJSON download: ` +
      `${fromPrepared.rows} rows from the ${fromPrepared.source} dataset`,
  );
  console.log(indent(await runDatagraph(['researcher', 'verify', ndjson], env)));
  const tampered = join(ctx.dir, 'dataset-tampered.csv');
  // One row's step count, one more than the provider's device signed: the kind of change verify must catch.
  const header = (lines[0] ?? '').split(',');
  const cells = (lines[3] ?? '').split(',');
  const col = header.indexOf('steps');
  cells[col] = String(Number(cells[col]) + 1);
  lines[3] = cells.join(',');
  const changedRow = cells[0];
  writeFileSync(tampered, lines.join('\r\n'));
  try {
    await runDatagraph(['researcher', 'verify', tampered], env);
    throw new Error('demo: verify accepted a tampered dataset');
  } catch (e) {
    const out = (e as Error).message
      .split('\n')
      .filter((l) => /row|fail|problem/i.test(l))
      .slice(0, 3);
    console.log(`  row ${changedRow}'s steps changed by one: verify exits non-zero:\n${indent(out.join('\n'))}`);
  }

  ctx.step(7, 'Rewards: a cycle pays each provider their exact share from the treasury; statements equal the ledger');
  const before = new Map(
    await Promise.all(providers.map(async (p) => [p.address, await balanceOf(DEFAULT_NODE, p.address)] as const)),
  );
  const operator = ['--data-dir', join(ctx.dir, 'gateway'), '--gateway', GATEWAY_HTTP];
  console.log(indent(await runDatagraph(['rewards', 'run', ...operator], env)));
  for (const p of providers.slice(0, 3)) {
    const after = await balanceOf(DEFAULT_NODE, p.address);
    const statement = await runDatagraph(
      ['rewards', 'statement', '--keystore', p.keystore, '--gateway', GATEWAY_HTTP],
      env,
    );
    const total = /total[^0-9]*([0-9]+)/i.exec(statement)?.[1];
    const shown = total === undefined ? '?' : formatTokens(BigInt(total));
    console.log(
      `  provider ${short(p.address)}: statement says ${shown} earned; ledger balance ${formatTokens(before.get(p.address) ?? 0n)} -> ${formatTokens(after)} tokens`,
    );
  }
  console.log(
    `\n  Providers can see all of this in the portal: ${GATEWAY_HTTP}/portal/ (REST docs: ${GATEWAY_HTTP}/docs)`,
  );
}

function indent(text: string): string {
  return text
    .trim()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
