// `npm run bench`: runs every benchmark under bench/ in its own process, one after the other (the
// machine has two cores; running them side by side would measure each other). Each prints JSON;
// this prints one JSON document with all of them, keyed by file name.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpus, totalmem } from 'node:os';

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .filter((file) => only.length === 0 || only.some((name) => file.includes(name)))
  .sort();

const results: Record<string, unknown> = {};
for (const file of files) {
  process.stderr.write(`bench: ${file}\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', `${here}${file}`], {
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) {
    results[file] = { error: `exit ${run.status}`, stderr: run.stderr.slice(-2000) };
    continue;
  }
  try {
    results[file] = JSON.parse(run.stdout);
  } catch {
    results[file] = { error: 'did not print JSON', stdout: run.stdout.slice(-2000) };
  }
}

const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) };
process.stdout.write(`${JSON.stringify({ machine, results }, null, 2)}\n`);
process.exitCode = Object.values(results).some((r) => typeof r === 'object' && r !== null && 'error' in r) ? 1 : 0;
