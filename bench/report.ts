/** The benchmark's figures: percentiles, the one table, the JSON file, the machine, and a progress bar on stderr. */
import { cpus, platform, release, totalmem } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** The q-quantile (0..1) of a sample, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** One line of the table: a figure, its baseline measured in the same run, and its target. */
export interface Row {
  readonly operation: string;
  readonly measured: number;
  readonly baseline: number;
  readonly unit: string;
  /** `max`: ratio must be at most `target`; `min`: at least. */
  readonly kind: 'max' | 'min';
  readonly target: number;
  /** Anything the reader needs beside the ratio (e.g. how close to the floor). */
  readonly note?: string;
}

/** measured / baseline. */
export const ratio = (row: Row): number => row.measured / row.baseline;

/** Whether the row meets its target. */
export const passes = (row: Row): boolean => (row.kind === 'max' ? ratio(row) <= row.target : ratio(row) >= row.target);

const fmt = (value: number, unit: string): string => {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === 'KiB') return `${(value / 1024).toFixed(0)} KiB`;
  if (unit === 'ms') return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
  if (unit === 'req/s') return `${value.toFixed(0)} req/s`;
  return `${Math.round(value).toLocaleString('en-US')} ${unit}`;
};

/** The one table, as Markdown (it reads in a terminal and pastes into the README). */
export function formatTable(rows: readonly Row[]): string {
  const lines = [
    ['operation', 'measured', 'baseline', 'ratio', 'target', 'result'],
    ...rows.map((row) => [
      row.operation,
      fmt(row.measured, row.unit),
      fmt(row.baseline, row.unit),
      Number.isFinite(ratio(row)) ? `${ratio(row).toFixed(2)}×` : 'n/a',
      `${row.kind === 'max' ? '≤' : '≥'} ${row.target}×`,
      (passes(row) ? 'pass' : 'FAIL') + (row.note === undefined ? '' : ` (${row.note})`),
    ]),
  ];
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, c) => (c === 0 || c === 5 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ')} |`;
  return [line(lines[0]!), `| ${widths.map((w, c) => (c === 0 || c === 5 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`, ...lines.slice(1).map(line)].join('\n');
}

/** The machine the figures come from. */
export function machine() {
  const cores = cpus();
  return {
    cpu: cores[0]?.model ?? 'unknown',
    cores: cores.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
  };
}

/** Writes the run as JSON: table rows with ratio and result, the machine, the time and any details. */
export async function writeResults(file: string, rows: readonly Row[], details: Record<string, unknown>): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const json = {
    timestamp: new Date().toISOString(),
    machine: machine(),
    ...details,
    rows: rows.map((row) => ({ ...row, ratio: ratio(row), pass: passes(row) })),
  };
  await writeFile(file, `${JSON.stringify(json, null, 2)}\n`);
}

/** A one-line progress bar on stderr (`\r`-redrawn on a terminal; elsewhere, a log, only the closing line); `done()` ends the line. */
export function progress(label: string, total: number) {
  const width = 30;
  let last = -1;
  const started = performance.now();
  const terminal = process.stderr.isTTY === true;
  const line = (done: number) => {
    const share = total === 0 ? 1 : Math.min(1, done / total);
    const pct = Math.floor(share * 100);
    const filled = Math.round(share * width);
    return { pct, text: `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}` };
  };
  const draw = (done: number) => {
    if (!terminal) return;
    const { pct, text } = line(done);
    if (pct === last) return;
    last = pct;
    process.stderr.write(`\r${text}`);
  };
  draw(0);
  return {
    tick: draw,
    done: () => {
      process.stderr.write(`${terminal ? '\r' : ''}${line(total).text}`);
      process.stderr.write(` in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    },
  };
}

let realStdout: typeof process.stdout.write | undefined;

/**
 * Sends what the functions print (their JSON log and EMF lines, still formatted and written) to
 * /dev/null, and returns a writer to the real stdout for the benchmark's own lines.
 */
export function quietStdout(): (line?: string) => void {
  const real = (realStdout ??= process.stdout.write.bind(process.stdout));
  const devNull = openSync('/dev/null', 'w');
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk === 'string') writeSync(devNull, chunk);
    else writeSync(devNull, chunk);
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  return (line = '') => real(`${line}\n`);
}
