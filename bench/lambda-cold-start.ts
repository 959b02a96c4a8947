// Cold-start cost of each Lambda bundle: bundles every function as deployed (infra/bundle.ts),
// then imports each bundle in a fresh `node` process RUNS times and reports the median time the
// import took inside that process (Node's own start-up excluded), with the bundle's size.
//   node --import tsx bench/lambda-cold-start.ts [runs]
// The import runs with the deployed environment and a region set; it must make no network call.
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { bundleFunctions } from '../infra/bundle.ts';
import { commonFunctionEnvironment } from '../infra/function-environment.ts';

const run = promisify(execFile);
const DEFAULT_RUNS = 5;

// Prints the import's duration in ms; `import()` of the bundle runs its module-level wiring too.
const IMPORT_PROBE = `
const url = process.argv[1];
const started = performance.now();
await import(url);
process.stdout.write(String(performance.now() - started));
`;

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

interface ColdStart {
  function: string;
  bytes: number;
  medianImportMs?: number;
  runsMs?: number[];
  error?: string;
}

async function importOnce(bundle: string, env: NodeJS.ProcessEnv): Promise<number> {
  let stdout: string;
  try {
    ({ stdout } = await run(process.execPath, ['--input-type=module', '-e', IMPORT_PROBE, pathToFileURL(bundle).href], {
      env,
      timeout: 30_000,
    }));
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim().split('\n').slice(-3).join(' | ');
    throw new Error(`importing ${bundle} failed: ${stderr || (error as Error).message}`);
  }
  const ms = Number(stdout.trim());
  if (!Number.isFinite(ms)) throw new Error(`import probe printed ${JSON.stringify(stdout)}`);
  return ms;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? DEFAULT_RUNS);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs: expected a positive integer, got ${process.argv[2]}`);
  // The environment the construct gives every function, with sample values; only PATH is inherited.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    ...commonFunctionEnvironment({
      clusterName: 'bench-cluster',
      configPrefix: '/nodewright/bench-cluster/config',
      availabilityTableName: 'nodewright-bench-unavailable-offerings',
    }),
    NODEWRIGHT_SPOT_INTERRUPTION_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:bench',
    NODEWRIGHT_DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111111111111/bench-dlq',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };

  const results: ColdStart[] = [];
  for (const bundle of await bundleFunctions()) {
    try {
      const runsMs: number[] = [];
      for (let i = 0; i < runs; i++) runsMs.push(await importOnce(bundle.outfile, env));
      results.push({
        function: bundle.function,
        bytes: bundle.bytes,
        medianImportMs: Math.round(median(runsMs) * 10) / 10,
        runsMs: runsMs.map((ms) => Math.round(ms * 10) / 10),
      });
    } catch (error) {
      results.push({ function: bundle.function, bytes: bundle.bytes, error: (error as Error).message.split('\n')[0] });
    }
  }
  console.log(JSON.stringify({ benchmark: 'lambda-cold-start', runs, node: process.version, results }, null, 2));
  if (results.some((result) => result.error)) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  });
}
