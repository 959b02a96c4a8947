// `nodewright capacity --nodepool FILE... --pods FILE... [--region R] [--seed N] [--json]`: the nodes
// that would hold a set of workloads, cheapest first, from the same NodePool/EC2NodeClass YAML and
// Kubernetes manifests users already have. Runs offline: on-demand prices from the committed
// snapshot, spot prices from the seeded model, and the output says so.
// Exit status: 0 when every pod has a node, 1 when some cannot be placed, 2 on bad input.

import { readFileSync } from 'node:fs';
import { parseNodeConfig, withBuiltins, type NodeConfig } from '../../shared/config/index.ts';
import { InvalidInputError, NodewrightError } from '../../shared/errors.ts';
import { loadWorkloads, type Workloads } from '../../shared/manifests/index.ts';
import {
  catalog, planCapacity, simulatedSpotPrices, type CapacityPlan, type PlannedNode,
} from '../../shared/provisioning/index.ts';
import type { CommandIo } from '../main.ts';

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_SPOT_SEED = 1;
/** Offerings shown per node; the rest are counted. */
export const OFFERINGS_SHOWN = 5;
/** Pod names shown per node; the rest are counted. */
const PODS_SHOWN = 8;
/** AWS's own convention for a month of on-demand hours. */
const HOURS_PER_MONTH = 730;

export const CAPACITY_USAGE = `usage: nodewright capacity --nodepool FILE... --pods FILE... [--region R] [--seed N] [--json]

  --nodepool FILE...  NodePool and EC2NodeClass YAML (streams or kind: List); the built-in pools
                      general-purpose and system are added unless a file defines those names
  --pods FILE...      Kubernetes manifests: Pods, Deployments, ReplicaSets, StatefulSets, Jobs,
                      DaemonSets (other kinds are skipped)
  --region R          region to price and place in (default ${DEFAULT_REGION})
  --seed N            seed of the simulated spot prices (default ${DEFAULT_SPOT_SEED})
  --json              print the plan and a summary of the inputs as JSON
`;

interface Options {
  nodePoolFiles: string[];
  podFiles: string[];
  region: string;
  seed: number;
  json: boolean;
  help: boolean;
}

export async function capacityCommand(args: string[], io: CommandIo): Promise<number> {
  try {
    const options = parseArgs(args);
    if (options.help) {
      io.stdout(CAPACITY_USAGE);
      return 0;
    }
    const regions = catalog().regions();
    if (!regions.includes(options.region)) {
      throw new InvalidInputError(`--region: ${JSON.stringify(options.region)} is not in the instance catalog (known: ${regions.join(', ')})`);
    }
    const { config, workloads } = loadInputs(options);
    const spotPrices = simulatedSpotPrices(options.region, options.seed);
    const plan = planCapacity({
      pods: workloads.pods,
      daemonSets: workloads.daemonSets,
      nodePools: config.nodePools,
      nodeClasses: config.nodeClasses,
      region: options.region,
      spotPrices,
      unavailable: [],
      now: io.now(),
    });
    const inputs = inputSummary(options, config, workloads, spotPrices[0]?.timestamp.slice(0, 10));
    io.stdout(options.json ? `${JSON.stringify({ inputs, plan }, null, 2)}\n` : formatCapacityReport(plan, inputs));
    return plan.unschedulable.length === 0 ? 0 : 1;
  } catch (error) {
    if (!(error instanceof NodewrightError)) throw error;
    io.stderr(`nodewright capacity: ${error.message}\n`);
    // A message that lists its problems already is not repeated line by line.
    const problems = error instanceof InvalidInputError ? error.problems.filter((p) => !error.message.includes(p)) : [];
    for (const problem of problems) io.stderr(`  - ${problem}\n`);
    return 2;
  }
}

// ---------------------------------------------------------------- arguments and files

function parseArgs(args: string[]): Options {
  const options: Options = { nodePoolFiles: [], podFiles: [], region: DEFAULT_REGION, seed: DEFAULT_SPOT_SEED, json: false, help: false };
  // Files after --nodepool or --pods belong to it until the next option: `--pods a.yaml b.yaml`.
  let collecting: string[] | undefined;
  let collectingFlag = '';
  const valueOf = (flag: string, arg: string, i: number): [string | undefined, number] =>
    arg.includes('=') ? [arg.slice(flag.length + 1), i] : [args[i + 1], i + 1];

  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    const flag = arg.split('=')[0]!;
    if (flag === '--nodepool' || flag === '--pods') {
      collecting = flag === '--nodepool' ? options.nodePoolFiles : options.podFiles;
      collectingFlag = flag;
      if (arg.includes('=')) collecting.push(arg.slice(flag.length + 1));
      continue;
    }
    if (!arg.startsWith('-') && collecting) {
      collecting.push(arg);
      continue;
    }
    collecting = undefined;
    if (arg === '--json') options.json = true;
    else if (arg === '--help' || arg === '-h') options.help = true;
    else if (flag === '--region') {
      const [value, next] = valueOf(flag, arg, i);
      i = next;
      if (!value || value.startsWith('-')) throw new InvalidInputError(`--region: expected a region such as us-east-1; got ${JSON.stringify(value ?? null)}`);
      options.region = value;
    } else if (flag === '--seed') {
      const [value, next] = valueOf(flag, arg, i);
      i = next;
      const seed = Number(value);
      if (value === undefined || value.trim() === '' || !Number.isInteger(seed) || seed < 0) {
        throw new InvalidInputError(`--seed: expected a non-negative integer; got ${JSON.stringify(value ?? null)}`);
      }
      options.seed = seed;
    } else if (arg.startsWith('-')) throw new InvalidInputError(`unknown option ${arg}\n\n${CAPACITY_USAGE}`);
    else throw new InvalidInputError(`unexpected argument ${JSON.stringify(arg)}: files go after --nodepool or --pods`);
  }
  for (const [flag, files] of [['--nodepool', options.nodePoolFiles], ['--pods', options.podFiles]] as const) {
    if (collectingFlag === flag && files.length === 0) throw new InvalidInputError(`${flag}: expected at least one file`);
  }
  if (!options.help && options.podFiles.length === 0) {
    throw new InvalidInputError(`--pods: at least one workload file is required\n\n${CAPACITY_USAGE}`);
  }
  return options;
}

/** Every file is read and checked before anything is refused, so one run shows every problem. */
function loadInputs(options: Options): { config: NodeConfig; workloads: Workloads } {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const nodeSources = readSources('--nodepool', options.nodePoolFiles, problems);
  const podSources = readSources('--pods', options.podFiles, problems);
  const config = attempt(() => withBuiltins(parseNodeConfig(nodeSources)));
  const workloads = attempt(() => loadWorkloads(podSources));
  if (problems.length > 0 || !config || !workloads) {
    const summary = problems.length === 1 ? problems[0]! : `${problems.length} problems in the input:\n  ${problems.join('\n  ')}`;
    throw new InvalidInputError(summary, problems);
  }
  return { config, workloads };
}

/** The files that could be read; a problem for each that could not. */
function readSources(flag: string, files: string[], problems: string[]): Array<{ name: string; text: string }> {
  return files.flatMap((file) => {
    try {
      return [{ name: file, text: readFileSync(file, 'utf8') }];
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(code ?? error);
      problems.push(`${flag}: cannot read ${JSON.stringify(file)}: ${why}`);
      return [];
    }
  });
}

// ---------------------------------------------------------------- output

export interface CapacityInputs {
  region: string;
  prices: { onDemand: 'snapshot'; spot: 'simulated'; seed: number; snapshotDate?: string };
  nodePools: string[];
  nodeClasses: string[];
  workloads: Workloads['workloads'];
  daemonSets: string[];
  pods: number;
  skipped: Workloads['skipped'];
  notes: string[];
}

function inputSummary(options: Options, config: NodeConfig, workloads: Workloads, snapshotDate: string | undefined): CapacityInputs {
  return {
    region: options.region,
    prices: { onDemand: 'snapshot', spot: 'simulated', seed: options.seed, ...(snapshotDate ? { snapshotDate } : {}) },
    nodePools: config.nodePools.map((pool) => pool.name),
    nodeClasses: config.nodeClasses.map((nodeClass) => nodeClass.name),
    workloads: workloads.workloads,
    daemonSets: workloads.daemonSets.map((pod) => `${pod.namespace}/${pod.name}`),
    pods: workloads.pods.length,
    skipped: workloads.skipped,
    notes: workloads.notes,
  };
}

/** The report a terminal shows: one table of offerings per node, as ec2-instance-selector prints them. */
export function formatCapacityReport(plan: CapacityPlan, inputs: CapacityInputs): string {
  const lines: string[] = [];
  const placeable = inputs.workloads.filter((w) => w.kind !== 'DaemonSet').length;
  lines.push(
    `nodewright capacity: ${inputs.pods} ${plural(inputs.pods, 'pod')} from ${placeable} ${plural(placeable, 'workload')}, ` +
      `${inputs.daemonSets.length} ${plural(inputs.daemonSets.length, 'DaemonSet')} on every node; ` +
      `NodePools ${inputs.nodePools.join(', ')}; region ${inputs.region}`,
  );
  const snapshot = inputs.prices.snapshotDate ? ` (${inputs.prices.snapshotDate})` : '';
  lines.push(
    `prices: on-demand from the committed price snapshot${snapshot}; spot simulated offline with seed ${inputs.prices.seed}, not live market prices`,
  );
  for (const skipped of inputs.skipped) {
    lines.push(`skipped: ${skipped.kind}${skipped.name ? ` ${JSON.stringify(skipped.name)}` : ''} (${skipped.source}, ${skipped.position}): runs no pods here`);
  }
  for (const note of inputs.notes) lines.push(`note: ${note}`);

  plan.nodes.forEach((node, i) => {
    lines.push('', ...formatNode(node, i + 1));
  });

  lines.push('');
  if (plan.unschedulable.length === 0) lines.push('Unschedulable pods: none');
  else {
    lines.push(`Unschedulable pods (${plan.unschedulable.length}):`);
    for (const { pod, reason } of plan.unschedulable) lines.push(`  ${pod}: ${reason}`);
  }
  if (plan.excluded.length > 0) {
    lines.push('Instance types left out:');
    const width = Math.max(...plan.excluded.map((e) => String(e.count).length));
    for (const { reason, count } of plan.excluded) lines.push(`  ${String(count).padStart(width)}  ${reason}`);
  }
  const monthly = (plan.hourlyCost * HOURS_PER_MONTH).toFixed(2);
  lines.push(
    `Total: ${plan.nodes.length} ${plural(plan.nodes.length, 'node')}, ${dollars(plan.hourlyCost)}/hour ` +
      `(about $${monthly} a month at ${HOURS_PER_MONTH} hours)`,
  );
  return `${lines.join('\n')}\n`;
}

function formatNode(node: PlannedNode, number: number): string[] {
  const cat = catalog();
  const header =
    `Node ${number}: pool ${node.nodePool}, ${node.capacityType}, zone ${node.zone ?? 'any'}, ` +
    `${node.pods.length} ${plural(node.pods.length, 'pod')}, requests ${vcpus(node.requests.cpuMillis)} vCPU / ${gib(node.requests.memoryBytes)} GiB` +
    `${node.requests.gpus ? ` / ${node.requests.gpus} GPU` : ''}, ${dollars(node.hourlyPrice)}/hour`;
  const rows = node.offerings.slice(0, OFFERINGS_SHOWN).map((offering) => {
    const type = cat.get(offering.instanceType);
    return [
      offering.instanceType,
      type ? String(type.vcpu) : '?',
      type ? trimNumber(type.memoryMiB / 1024, 3) : '?',
      offering.zone,
      offering.capacityType,
      dollars(offering.price),
    ];
  });
  const lines = [header, ...table(['Instance Type', 'vCPUs', 'Memory (GiB)', 'Zone', 'Capacity', '$/hour'], rows)];
  const more = node.offerings.length - OFFERINGS_SHOWN;
  if (more > 0) lines.push(`+${more} more ${plural(more, 'offering')}`);
  const shown = node.pods.slice(0, PODS_SHOWN).join(', ');
  const morePods = node.pods.length - PODS_SHOWN;
  lines.push(`pods: ${shown}${morePods > 0 ? `, +${morePods} more` : ''}`);
  return lines;
}

/** Left-aligned columns under a dashed rule, the layout ec2-instance-selector's table output uses. */
function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** EC2 quotes to a millionth of a dollar; trailing zeros beyond the cents and a tenth add nothing. */
function dollars(price: number): string {
  const [whole, fraction = ''] = price.toFixed(6).split('.');
  return `$${whole}.${fraction.replace(/0+$/, '').padEnd(3, '0')}`;
}

function vcpus(millis: number): string {
  return trimNumber(millis / 1000, 3);
}

function gib(bytes: number): string {
  return trimNumber(bytes / 2 ** 30, 2);
}

function trimNumber(value: number, decimals: number): string {
  return String(Number(value.toFixed(decimals)));
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}
