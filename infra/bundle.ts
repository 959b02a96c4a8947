// Bundles every Lambda under functions/ exactly as the CDK construct does (infra/bundling.ts),
// into dist/functions/<name>/index.mjs, and prints the sizes as JSON:
//   node --import tsx infra/bundle.ts [function-name ...]
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { esbuildOptions } from './bundling.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_FUNCTIONS_ROOT = join(REPO_ROOT, 'functions');
export const DEFAULT_OUT_ROOT = join(REPO_ROOT, 'dist', 'functions');

export interface BundleResult {
  function: string;
  /** Size of index.mjs, source map excluded. */
  bytes: number;
  outfile: string;
}

/** Every folder of `functionsRoot` holding an index.ts, sorted by name. */
export function discoverFunctions(functionsRoot: string): string[] {
  return readdirSync(functionsRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(functionsRoot, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
}

export async function bundleFunction(name: string, functionsRoot: string, outRoot: string): Promise<BundleResult> {
  const entry = join(functionsRoot, name, 'index.ts');
  if (!existsSync(entry)) throw new Error(`function "${name}": no entry file ${entry}`);
  const outfile = join(outRoot, name, 'index.mjs');
  try {
    // esbuild's own printing is off so a failure is reported once, by the message below.
    const result = await build({ ...esbuildOptions(entry, outfile), logLevel: 'silent' });
    for (const warning of result.warnings) console.error(`function "${name}": esbuild warning: ${warning.text}`);
  } catch (error) {
    throw new Error(`function "${name}": esbuild failed: ${(error as Error).message}`);
  }
  return { function: name, bytes: statSync(outfile).size, outfile };
}

/** Bundles `names` (default: every function found), one after another to spare a shared machine. */
export async function bundleFunctions(
  names: readonly string[] = [],
  functionsRoot = DEFAULT_FUNCTIONS_ROOT,
  outRoot = DEFAULT_OUT_ROOT,
): Promise<BundleResult[]> {
  const available = discoverFunctions(functionsRoot);
  const unknown = names.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    throw new Error(`unknown function(s) ${unknown.join(', ')}; found: ${available.join(', ') || 'none'} in ${functionsRoot}`);
  }
  const results: BundleResult[] = [];
  for (const name of names.length > 0 ? names : available) results.push(await bundleFunction(name, functionsRoot, outRoot));
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  bundleFunctions(process.argv.slice(2))
    .then((results) => {
      console.log(JSON.stringify(results.map(({ function: name, bytes }) => ({ function: name, bytes })), null, 2));
    })
    .catch((error: Error) => {
      console.error(error.message);
      process.exitCode = 1;
    });
}
