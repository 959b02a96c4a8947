// `nodewright capacity --nodepool FILE... --pods FILE... [--region R] [--seed N] [--live] [--json]`:
// the nodes that would hold a set of workloads, cheapest first, from the same NodePool/EC2NodeClass
// YAML and Kubernetes manifests users already have. Runs offline by default: on-demand prices from
// the committed snapshot, spot prices from the seeded model. With --live, both come from the AWS
// account the default credential chain finds. The output says which.
// Exit status: 0 when every pod has a node, 1 when some cannot be placed, 2 on bad input or when
// --live cannot read prices.

import { readFileSync } from 'node:fs';
import { parseNodeConfig, withBuiltins, type NodeConfig } from '../../shared/config/index.ts';
import { InvalidInputError, NodewrightError } from '../../shared/errors.ts';
import type { PricingPort } from '../../shared/ports.ts';
import { loadWorkloads, type Workloads } from '../../shared/manifests/index.ts';
import {
  candidateInstanceTypes, catalog, planCapacity, simulatedSpotPrices, type CapacityPlan, type PlannedNode,
  type PlannerOptions,
} from '../../shared/provisioning/index.ts';
import type { NodePool, SpotPrice } from '../../shared/types.ts';
import type { LivePricingSource } from '../live-prices.ts';
import type { CommandIo } from '../main.ts';

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_SPOT_SEED = 1;
/** Offerings shown per node; the rest are counted. */
export const OFFERINGS_SHOWN = 5;
/** Pod names shown per node; the rest are counted. */
const PODS_SHOWN = 8;
/** AWS's own convention for a month of on-demand hours. */
const HOURS_PER_MONTH = 730;

export const CAPACITY_USAGE = `usage: nodewright capacity --nodepool FILE... --pods FILE... [--region R] [--seed N] [--live] [--json]

  --nodepool FILE...  NodePool and EC2NodeClass YAML (streams or kind: List); the built-in pools
                      general-purpose and system are added unless a file defines those names
  --pods FILE...      Kubernetes manifests: Pods, Deployments, ReplicaSets, StatefulSets, Jobs,
                      DaemonSets (other kinds are skipped)
  --region R          region to price and place in (default ${DEFAULT_REGION}; with --live, the
                      region of your AWS configuration when it has one)
  --seed N            seed of the simulated spot prices (default ${DEFAULT_SPOT_SEED})
  --live              current prices from AWS instead: on-demand from the Price List API, spot from
                      EC2 spot price history, with your default AWS credentials (needs
                      pricing:GetProducts and ec2:DescribeSpotPriceHistory)
  --json              print the plan and a summary of the inputs as JSON
`;

interface Options {
  nodePoolFiles: string[];
  podFiles: string[];
  /** As given; undefined when --region was not. */
  region: string | undefined;
  seed: number;
  live: boolean;
  json: boolean;
  help: boolean;
}

/** The prices a plan is made with, and where they came from for the report. */
interface Prices {
  spotPrices: SpotPrice[];
  options: PlannerOptions;
  source: CapacityInputs['prices'];
}

/** `live` is where --live reads prices; the AWS SDK with the default credential chain unless a test says otherwise. */
export async function capacityCommand(args: string[], io: CommandIo, live?: LivePricingSource): Promise<number> {
  try {
    const options = parseArgs(args);
    if (options.help) {
      io.stdout(CAPACITY_USAGE);
      return 0;
    }
    const source = options.live ? (live ?? (await import('../live-prices.ts')).awsLivePricing()) : undefined;
    const region = options.region ?? (await source?.defaultRegion()) ?? DEFAULT_REGION;
    const regions = catalog().regions();
    if (!regions.includes(region)) {
      const from = options.region === undefined ? ' (from your AWS configuration)' : '';
      throw new InvalidInputError(`--region: ${JSON.stringify(region)}${from} is not in the instance catalog (known: ${regions.join(', ')})`);
    }
    const { config, workloads } = loadInputs(options);
    const prices = source
      ? await livePrices(source.pricing(region), region, config.nodePools, io.now())
      : offlinePrices(region, options.seed);
    const plan = planCapacity({
      pods: workloads.pods,
      daemonSets: workloads.daemonSets,
      nodePools: config.nodePools,
      nodeClasses: config.nodeClasses,
      region,
      spotPrices: prices.spotPrices,
      unavailable: [],
      now: io.now(),
    }, prices.options);
    const inputs = inputSummary(region, prices.source, config, workloads);
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
  const options: Options = { nodePoolFiles: [], podFiles: [], region: undefined, seed: DEFAULT_SPOT_SEED, live: false, json: false, help: false };
  let seedGiven: string | undefined;
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
    else if (arg === '--live') options.live = true;
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
      seedGiven = value;
    } else if (arg.startsWith('-')) throw new InvalidInputError(`unknown option ${arg}\n\n${CAPACITY_USAGE}`);
    else throw new InvalidInputError(`unexpected argument ${JSON.stringify(arg)}: files go after --nodepool or --pods`);
  }
  for (const [flag, files] of [['--nodepool', options.nodePoolFiles], ['--pods', options.podFiles]] as const) {
    if (collectingFlag === flag && files.length === 0) throw new InvalidInputError(`${flag}: expected at least one file`);
  }
  if (options.live && seedGiven !== undefined) {
    // Live spot prices are EC2's: a seed would be silently ignored.
    throw new InvalidInputError(`--seed: seeds the simulated spot prices, which --live replaces with AWS's; got --seed ${seedGiven} with --live`);
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

// ---------------------------------------------------------------- prices

/** The committed on-demand snapshot and the seeded spot model: no account, same answer every run. */
function offlinePrices(region: string, seed: number): Prices {
  const spotPrices = simulatedSpotPrices(region, seed);
  const snapshotDate = spotPrices[0]?.timestamp.slice(0, 10);
  return {
    spotPrices,
    options: {},
    source: { onDemand: 'snapshot', spot: 'simulated', seed, ...(snapshotDate ? { snapshotDate } : {}) },
  };
}

/**
 * Current prices from AWS for every type some NodePool could launch as spot, and the region's
 * on-demand list. Any failure (no credentials, no network, access denied) ends the command with
 * one line: the user asked for live prices, so quietly planning with others would mislead.
 */
async function livePrices(pricing: PricingPort, region: string, nodePools: NodePool[], now: Date): Promise<Prices> {
  const spotTypes = [...new Set(nodePools.flatMap((pool) => candidateInstanceTypes(pool, region, 'spot')))];
  try {
    const [spotPrices] = await Promise.all([pricing.spotPrices(spotTypes), pricing.refreshOnDemand()]);
    return {
      spotPrices,
      options: { onDemandPrice: (r, type) => pricing.onDemandPrice(r, type) },
      source: { onDemand: 'live', spot: 'live', region, readAt: now.toISOString() },
    };
  } catch (error) {
    throw new NodewrightError(`--live: cannot read prices for ${region} from AWS: ${describeAwsFailure(error)}`, { cause: error });
  }
}

/** One line a user can act on: the SDK's message, and what to do about the usual causes. */
export function describeAwsFailure(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return `no AWS credentials found (${message}); configure them as for the AWS CLI (AWS_PROFILE, aws sso login, or AWS_ACCESS_KEY_ID) or drop --live`;
  }
  if (/AccessDenied|UnauthorizedOperation/.test(name)) {
    return `${name}: ${message}; --live needs pricing:GetProducts and ec2:DescribeSpotPriceHistory`;
  }
  return name && name !== 'Error' && !message.startsWith(name) ? `${name}: ${message}` : message;
}

// ---------------------------------------------------------------- output

export interface CapacityInputs {
  region: string;
  prices:
    | { onDemand: 'snapshot'; spot: 'simulated'; seed: number; snapshotDate?: string }
    /** On-demand types the Price List API does not list are priced from the snapshot. */
    | { onDemand: 'live'; spot: 'live'; region: string; readAt: string };
  nodePools: string[];
  nodeClasses: string[];
  workloads: Workloads['workloads'];
  daemonSets: string[];
  pods: number;
  skipped: Workloads['skipped'];
  notes: string[];
}

function inputSummary(region: string, prices: CapacityInputs['prices'], config: NodeConfig, workloads: Workloads): CapacityInputs {
  return {
    region,
    prices,
    nodePools: config.nodePools.map((pool) => pool.name),
    nodeClasses: config.nodeClasses.map((nodeClass) => nodeClass.name),
    workloads: workloads.workloads,
    daemonSets: workloads.daemonSets.map((pod) => `${pod.namespace}/${pod.name}`),
    pods: workloads.pods.length,
    skipped: workloads.skipped,
    notes: workloads.notes,
  };
}

function pricesLine(prices: CapacityInputs['prices']): string {
  if (prices.onDemand === 'live') {
    return `prices: live from AWS at ${prices.readAt}: on-demand from the Price List API (types it does not list from the committed snapshot); spot from EC2 spot price history`;
  }
  const snapshot = prices.snapshotDate ? ` (${prices.snapshotDate})` : '';
  return `prices: on-demand from the committed price snapshot${snapshot}; spot simulated offline with seed ${prices.seed}, not live market prices`;
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
  lines.push(pricesLine(inputs.prices));
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
    `${node.requests.gpus ? ` / ${node.requests.gpus} ${node.requests.gpuResource ?? 'GPU'}` : ''}` +
    `${node.requests.ephemeralStorageBytes ? ` / ${gib(node.requests.ephemeralStorageBytes)} GiB ephemeral storage` : ''}, ${dollars(node.hourlyPrice)}/hour`;
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
