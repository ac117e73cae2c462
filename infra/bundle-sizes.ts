/**
 * Prints each Lambda function's bundle size from a synthesized cloud assembly, to keep cold
 * starts in view: `node --import tsx infra/bundle-sizes.ts [cdk.out]`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Manifest {
  readonly artifacts?: Record<string, { readonly type: string; readonly properties?: { readonly templateFile?: string } }>;
}

interface Template {
  readonly Resources?: Record<
    string,
    { readonly Type: string; readonly Metadata?: Record<string, unknown>; readonly Properties?: { readonly Environment?: { readonly Variables?: Record<string, unknown> } } }
  >;
}

/** One function's bundle: its code file and source map, in bytes. */
export interface BundleSize {
  readonly stack: string;
  readonly function: string;
  readonly code: number;
  readonly map: number;
  /** The asset directory (index.mjs and its map), as deployed. */
  readonly dir: string;
  /** The function's environment as the template sets it; references to other resources stay unresolved objects. */
  readonly environment: Record<string, unknown>;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function bytes(dir: string, pattern: RegExp): number {
  return readdirSync(dir)
    .filter((file) => pattern.test(file))
    .reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
}

/** Reads every stack template in the assembly and measures the asset directory of each AWS::Lambda::Function. */
export function bundleSizes(assemblyDir: string): BundleSize[] {
  const manifestFile = join(assemblyDir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`No cloud assembly at ${assemblyDir}: run \`npx cdk synth\` first`);
  const sizes: BundleSize[] = [];
  for (const [stack, artifact] of Object.entries(readJson<Manifest>(manifestFile).artifacts ?? {})) {
    const templateFile = artifact.properties?.templateFile;
    if (artifact.type !== 'aws:cloudformation:stack' || templateFile === undefined) continue;
    const template = readJson<Template>(join(assemblyDir, templateFile));
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (resource.Type !== 'AWS::Lambda::Function' || typeof assetPath !== 'string') continue;
      const cdkPath = resource.Metadata?.['aws:cdk:path'];
      const dir = join(assemblyDir, assetPath);
      sizes.push({
        stack,
        function: typeof cdkPath === 'string' ? (cdkPath.split('/').at(-2) ?? logicalId) : logicalId,
        code: bytes(dir, /^index\.(mjs|cjs|js)$/),
        map: bytes(dir, /^index\.(mjs|cjs|js)\.map$/),
        dir,
        environment: resource.Properties?.Environment?.Variables ?? {},
      });
    }
  }
  return sizes;
}

function formatTable(sizes: readonly BundleSize[]): string {
  const fmt = (n: number): string => n.toLocaleString('en-US');
  const rows = [
    ['stack', 'function', 'code bytes', 'map bytes'],
    ...sizes.map((s) => [s.stack, s.function, fmt(s.code), fmt(s.map)]),
    ['', 'total', fmt(sizes.reduce((sum, s) => sum + s.code, 0)), fmt(sizes.reduce((sum, s) => sum + s.map, 0))],
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: readonly string[]): string =>
    row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const sizes = bundleSizes(resolve(process.argv[2] ?? 'cdk.out'));
  if (sizes.length === 0) {
    console.error('No bundled functions found (was the app synthesized with asset metadata?)');
    process.exitCode = 1;
  } else {
    console.log(formatTable(sizes));
  }
}
