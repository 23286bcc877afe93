// Benchmarks print figures and write them to bench/results/<name>.json as [{name, value, unit, reference?}].
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  /** A figure measured in the same run to compare against (raw aedes throughput, raw verify rate...). */
  reference?: { name: string; value: number; unit: string };
  target?: string;
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

export function reportBench(file: string, figures: BenchFigure[]): void {
  for (const f of figures) {
    const ref = f.reference ? `   (reference: ${f.reference.name} ${fmt(f.reference.value)} ${f.reference.unit})` : '';
    const target = f.target ? `   [target ${f.target}]` : '';
    console.log(`  ${f.name.padEnd(48)} ${fmt(f.value).padStart(12)} ${f.unit}${ref}${target}`);
  }
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${file}.json`), `${JSON.stringify(figures, null, 2)}\n`);
}

function fmt(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
