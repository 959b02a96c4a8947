// `nodewright simulate [scenario.yaml] [--seed N] [--json] [--quiet] [--verbose]`: runs a scenario on
// the simulator with the real workflow and handlers, shows progress, and ends with one row per
// interruption. Exit status 0 when every execution succeeded and no PDB was violated, 1 otherwise.

import { fileURLToPath } from 'node:url';
import { InvalidInputError } from '../../shared/errors.ts';
import { VirtualClock } from '../../shared/sim/clock.ts';
import { report, type InterruptionReport } from '../../shared/sim/metrics.ts';
import { createWorld } from '../../shared/sim/create-world.ts';
import { loadScenario } from '../../shared/sim/scenario.ts';
import type { ExecutionRecord } from '../../shared/sim/workflows.ts';
import { createLocalSystem } from '../local-system.ts';
import type { CommandIo } from '../main.ts';
import { formatReport } from './simulate-report.ts';

export const DEFAULT_SCENARIO = fileURLToPath(new URL('../../examples/scenarios/default.yaml', import.meta.url));

/** After the last interruption, how long the run goes on at least: a spot instance dies 2 minutes after its warning. */
const SETTLE_MS = 3 * 60_000;
const PROGRESS_EVERY_MS = 5 * 60_000;

interface Options {
  scenario: string;
  seed?: number;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
}

export async function simulateCommand(args: string[], io: CommandIo): Promise<number> {
  const options = parseArgs(args);
  const scenario = loadScenario(options.scenario);
  if (options.seed !== undefined) scenario.seed = options.seed;
  const progress = options.quiet || options.json ? () => undefined : io.stdout;

  const wallStart = Date.now();
  const clock = VirtualClock.install(scenario.start);
  let result: InterruptionReport;
  let executions: ExecutionRecord[];
  let deadLetters: number;
  try {
    const world = createWorld(scenario, clock);
    const system = createLocalSystem(world);
    const stamp = () => elapsed(clock.now().getTime() - scenario.start.getTime());
    progress(
      `nodewright simulate: ${scenario.name} (seed ${scenario.seed}), ${world.cluster.listNodes().length} nodes, ` +
        `${world.cluster.listPods().length} pods, ${scenario.interruptions.length} interruption waves\n`,
    );
    world.onEvent((event) => {
      const detail = event.detail as Record<string, unknown>;
      const subject = detail['instance-id'] ?? detail.state ?? '';
      progress(`[${stamp()}] event    ${event['detail-type']} ${String(subject)}\n`);
    });
    system.workflows.onExecution((record) => {
      if (record.status === 'RUNNING') progress(`[${stamp()}] workflow started   ${record.name}\n`);
      else progress(`[${stamp()}] workflow ${record.status.toLowerCase().padEnd(9)} ${record.name} ${summarize(record)}\n`);
    });
    const ticker = setInterval(() => {
      const pending = world.cluster.pendingPods().length;
      progress(
        `[${stamp()}] status   ${world.cluster.listNodes().length} nodes, ${pending} pods pending, ` +
          `$${world.hourlyCost().toFixed(3)}/h\n`,
      );
    }, PROGRESS_EVERY_MS);

    world.scheduleInterruptions();
    const quietAfter = world.lastPlannedInterruptionAt().getTime() + SETTLE_MS;
    const limit = new Date(scenario.start.getTime() + scenario.durationMinutes * 60_000);
    const inTransition = () => world.ec2.allInstances().some((i) => i.state === 'pending' || i.state === 'shutting-down');
    await clock.runUntil(
      () =>
        clock.now().getTime() >= quietAfter &&
        !system.busy() &&
        !inTransition() &&
        world.cluster.pendingPods().length === 0,
      limit,
    );
    clearInterval(ticker);
    result = report(world);
    executions = system.workflows.executions();
    deadLetters = world.deadLetters.length;
  } finally {
    clock.uninstall();
  }
  const wallSeconds = (Date.now() - wallStart) / 1000;

  const failed = executions.filter((e) => e.status !== 'SUCCEEDED');
  if (options.json) {
    io.stdout(`${JSON.stringify({ report: result, executions: executions.map(executionSummary), deadLetters, wallSeconds }, null, 2)}\n`);
  } else {
    io.stdout(formatReport(result, { executions, deadLetters, wallSeconds }));
  }
  return failed.length === 0 && result.totals.pdbViolations === 0 ? 0 : 1;
}

function parseArgs(args: string[]): Options {
  const options: Options = { scenario: DEFAULT_SCENARIO, json: false, quiet: false, verbose: false };
  let scenarioGiven = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--json') options.json = true;
    else if (arg === '--quiet') options.quiet = true;
    else if (arg === '--verbose') options.verbose = true;
    else if (arg === '--seed' || arg.startsWith('--seed=')) {
      const text = arg.includes('=') ? arg.slice('--seed='.length) : args[++i];
      const seed = Number(text);
      if (text === undefined || !Number.isInteger(seed) || seed < 0) {
        throw new InvalidInputError(`--seed: expected a non-negative integer; got ${JSON.stringify(text ?? null)}`);
      }
      options.seed = seed;
    } else if (arg.startsWith('-')) throw new InvalidInputError(`unknown option ${arg}`);
    else if (scenarioGiven) throw new InvalidInputError(`only one scenario file may be given; got ${JSON.stringify(arg)} too`);
    else {
      options.scenario = arg;
      scenarioGiven = true;
    }
  }
  return options;
}

function elapsed(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(totalSeconds / 60);
  return `+${String(minutes).padStart(2, '0')}:${String(totalSeconds % 60).padStart(2, '0')}`;
}

function summarize(record: ExecutionRecord): string {
  if (record.status === 'FAILED') return `(${record.error})`;
  const last = record.statesEntered.at(-1);
  const noNode = record.statesEntered.includes('NoNodeForInstance');
  return noNode ? '(no node for this instance)' : last ? `(${record.statesEntered.length} states, ended in ${last})` : '';
}

function executionSummary(record: ExecutionRecord) {
  return {
    name: record.name,
    status: record.status,
    startedAt: record.startedAt.toISOString(),
    endedAt: record.endedAt?.toISOString() ?? null,
    error: record.error ?? null,
    states: record.statesEntered.length,
    stateErrors: record.stateErrors,
  };
}
