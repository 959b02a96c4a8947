// Scenario files: what cluster to simulate, what runs on it, and what happens to it. Validated
// with zod plus cross-checks against the catalog and the node configuration; every problem is
// reported at once, each naming the field and the value (examples/scenarios/README.md).

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDuration, parseNodeConfig, parseQuantity, withBuiltins, type NodeConfig } from '../config/index.ts';
import { problemLine, zodIssuesToProblems, type PathSegment } from '../config/problems.ts';
import { InvalidInputError } from '../errors.ts';
import type { CapacityType, PodDisruptionBudget, Resources, Toleration } from '../types.ts';
import { simCatalog, type SimCatalog } from './catalog.ts';
import type { CapacityRule } from './ec2.ts';
import type { InterruptionTarget, PlannedInterruption } from './world.ts';

// ---------------------------------------------------------------- file shape

const range = z
  .tuple([z.number().nonnegative(), z.number().nonnegative()])
  .refine(([min, max]) => min <= max, { message: 'must be [min, max] with min <= max' });
const quantity = z.union([z.string(), z.number()]);
const intOrPercent = z.union([z.int().nonnegative(), z.string()]);
const capacityType = z.enum(['spot', 'on-demand']);
const stringMap = z.record(z.string(), z.string());
const toleration = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
});

const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  seed: z.int().min(0).max(2 ** 32 - 1),
  region: z.string().min(1),
  start: z.iso.datetime().optional(),
  account: z.string().regex(/^\d{12}$/, { message: 'must be 12 digits' }).optional(),
  durationMinutes: z.number().positive().max(60 * 24 * 30),
  cluster: z.strictObject({
    name: z.string().min(1),
    kubernetesVersion: z.string().regex(/^1\.\d+$/, { message: 'must look like 1.33' }),
  }),
  nodeConfig: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  nodeConfigYaml: z.string().min(1).optional(),
  zones: z.array(z.string().min(1)).min(1),
  network: z
    .strictObject({
      subnetsPerZone: z.int().min(1).max(8).default(1),
      freeIpsPerSubnet: z.int().min(0).max(4091).default(4000),
      tags: stringMap.default({}),
    })
    .default({ subnetsPerZone: 1, freeIpsPerSubnet: 4000, tags: {} }),
  ec2: z
    .strictObject({
      bootSeconds: range.default([40, 75]),
      registerSeconds: range.default([10, 20]),
      readySeconds: range.default([5, 15]),
      terminateSeconds: range.default([3, 8]),
      nodeRemovalSeconds: range.default([5, 15]),
      retirementNoticeMinutes: z.number().positive().default(60),
      amiRelease: z.string().regex(/^v[\w.-]+$/, { message: 'must look like v20260101' }).default('v20260101'),
      capacity: z
        .array(
          z.strictObject({
            instanceType: z.string().optional(),
            zone: z.string().optional(),
            capacityType: capacityType.optional(),
            available: z.int().min(0),
          }),
        )
        .default([]),
      // AMIs an EC2NodeClass may select by id, name or tags (aliases resolve through SSM); owner
      // `self` is the scenario's account.
      images: z
        .array(
          z.strictObject({
            id: z.string().regex(/^ami-[0-9a-f]{8,17}$/, { message: 'must look like ami-0123456789abcdef0' }),
            name: z.string().min(1),
            architecture: z.enum(['amd64', 'arm64']),
            created: z.iso.datetime(),
            owner: z.string().min(1).default('self'),
            tags: stringMap.default({}),
          }),
        )
        .default([]),
    })
    .default({
      bootSeconds: [40, 75], registerSeconds: [10, 20], readySeconds: [5, 15], terminateSeconds: [3, 8],
      nodeRemovalSeconds: [5, 15], retirementNoticeMinutes: 60, amiRelease: 'v20260101', capacity: [], images: [],
    }),
  kubernetes: z
    .strictObject({
      schedulerDelaySeconds: z.number().nonnegative().default(1),
      podStartSeconds: range.default([2, 6]),
      podStopSeconds: range.default([1, 5]),
    })
    .default({ schedulerDelaySeconds: 1, podStartSeconds: [2, 6], podStopSeconds: [1, 5] }),
  nodes: z
    .array(
      z.strictObject({
        nodePool: z.string().min(1),
        instanceType: z.string().min(1),
        capacityType,
        zone: z.string().min(1),
        count: z.int().min(1).default(1),
      }),
    )
    .min(1),
  daemonSets: z
    .array(z.strictObject({ name: z.string().min(1), namespace: z.string().min(1).default('kube-system'), cpu: quantity, memory: quantity }))
    .default([]),
  workloads: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        namespace: z.string().min(1).default('default'),
        replicas: z.int().min(0),
        cpu: quantity,
        memory: quantity,
        pdb: z.strictObject({ minAvailable: intOrPercent.optional(), maxUnavailable: intOrPercent.optional() }).optional(),
        doNotDisrupt: z.boolean().default(false),
        nodeSelector: stringMap.default({}),
        tolerations: z.array(toleration).default([]),
        priority: z.int().optional(),
        terminationGracePeriodSeconds: z.int().min(0).optional(),
        /** Spread of the workload's own pods (selector: its app label), as in a pod spec. */
        topologySpread: z
          .array(z.strictObject({
            topologyKey: z.string().min(1),
            maxSkew: z.int().min(1).default(1),
            whenUnsatisfiable: z.enum(['DoNotSchedule', 'ScheduleAnyway']).default('DoNotSchedule'),
          }))
          .default([]),
        /** Required anti-affinity against the workload's own pods, per topology key (kubernetes.io/hostname: one per node). */
        podAntiAffinity: z.array(z.strictObject({ topologyKey: z.string().min(1) })).default([]),
      }),
    )
    .default([]),
  interruptions: z
    .array(
      z.strictObject({
        at: z.string().min(1),
        kind: z.enum(['spot-interruption', 'rebalance-recommendation', 'scheduled-change']),
        count: z.int().min(1).default(1),
        where: z
          .strictObject({ capacityType: capacityType.optional(), nodePool: z.string().optional(), zone: z.string().optional(), instanceType: z.string().optional() })
          .default({}),
      }),
    )
    .default([]),
});

type ScenarioFile = z.infer<typeof scenarioSchema>;

// ---------------------------------------------------------------- validated scenario

export interface ScenarioWorkload {
  name: string;
  namespace: string;
  replicas: number;
  requests: Resources;
  pdb?: PodDisruptionBudget;
  doNotDisrupt: boolean;
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  priority?: number;
  terminationGracePeriodSeconds?: number;
  topologySpread: Array<{ topologyKey: string; maxSkew: number; whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway' }>;
  podAntiAffinity: Array<{ topologyKey: string }>;
}

export interface Scenario {
  /** The file it came from, or the name given to parseScenario. */
  source: string;
  name: string;
  description?: string;
  seed: number;
  region: string;
  account: string;
  start: Date;
  durationMinutes: number;
  cluster: { name: string; kubernetesVersion: string };
  /** The scenario's NodePools and EC2NodeClasses plus the built-ins. */
  nodeConfig: NodeConfig;
  zones: string[];
  network: { subnetsPerZone: number; freeIpsPerSubnet: number; tags: Record<string, string> };
  ec2: Omit<ScenarioFile['ec2'], 'capacity'> & { capacity: CapacityRule[] };
  kubernetes: ScenarioFile['kubernetes'];
  nodes: Array<{ nodePool: string; instanceType: string; capacityType: CapacityType; zone: string; count: number }>;
  daemonSets: Array<{ name: string; namespace: string; requests: Resources }>;
  workloads: ScenarioWorkload[];
  interruptions: PlannedInterruption[];
}

/** Reads and validates a scenario file; node configuration paths are relative to it. */
export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidInputError(`cannot read scenario file ${path}: ${(error as Error).message}`);
  }
  return parseScenario(text, { source: path, baseDir: dirname(resolve(path)) });
}

/** Validates scenario YAML text; throws InvalidInputError listing every problem. */
export function parseScenario(text: string, options: { source: string; baseDir: string; readFile?: (path: string) => string }): Scenario {
  const subject = options.source;
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new InvalidInputError(`${subject}: not valid YAML: ${(error as Error).message}`);
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) fail(subject, zodIssuesToProblems(subject, parsed.error.issues, raw));
  const file = parsed.data;
  const problems: string[] = [];
  const problem = (path: PathSegment[], message: string, value?: unknown): void => {
    problems.push(problemLine(subject, path, message, value));
  };

  const nodeConfig = loadNodeConfig(file, options, problem, problems);
  let catalog: SimCatalog | undefined;
  try {
    catalog = simCatalog(file.region, file.seed);
  } catch (error) {
    problem(['region'], (error as Error).message, file.region);
  }
  const regionZones = new Set(catalog?.regionZones() ?? []);
  const zones = new Set(file.zones);
  file.zones.forEach((zone, i) => {
    if (catalog && !regionZones.has(zone)) problem(['zones', i], `is not a zone of ${file.region} (known: ${[...regionZones].join(', ')})`, zone);
    if (file.zones.indexOf(zone) !== i) problem(['zones', i], 'is listed twice', zone);
  });
  const poolNames = new Set(nodeConfig?.nodePools.map((p) => p.name) ?? []);

  const checkOffering = (path: PathSegment[], type: string | undefined, zone: string | undefined, capacity: CapacityType | undefined): void => {
    if (zone !== undefined && !zones.has(zone)) problem([...path, 'zone'], 'is not one of the scenario zones', zone);
    if (!catalog || type === undefined) return;
    const info = catalog.typeInfo(type);
    if (!info) {
      problem([...path, 'instanceType'], 'is not in the instance catalog', type);
      return;
    }
    if (zone !== undefined && regionZones.has(zone) && !catalog.offered(type, zone)) {
      problem([...path, 'instanceType'], `is not offered in ${zone} (offered in: ${catalog.zonesOffering(type).join(', ') || 'none'})`, type);
    }
    if (capacity === 'spot' && !info.supportsSpot) problem([...path, 'capacityType'], `${type} cannot be bought as spot`, capacity);
  };

  file.nodes.forEach((node, i) => {
    if (nodeConfig && !poolNames.has(node.nodePool)) problem(['nodes', i, 'nodePool'], `no NodePool of that name (known: ${[...poolNames].join(', ')})`, node.nodePool);
    checkOffering(['nodes', i], node.instanceType, node.zone, node.capacityType);
  });
  file.ec2.capacity.forEach((rule, i) => checkOffering(['ec2', 'capacity', i], rule.instanceType, rule.zone, rule.capacityType));

  const requests = (path: PathSegment[], cpu: string | number, memory: string | number): Resources => {
    const read = (field: 'cpu' | 'memory', value: string | number): number => {
      try {
        const amount = parseQuantity(value);
        if (amount < 0) throw new Error('must not be negative');
        return field === 'cpu' ? Math.round(amount * 1000) : Math.ceil(amount);
      } catch (error) {
        problem([...path, field], (error as Error).message, value);
        return 0;
      }
    };
    return { cpuMillis: read('cpu', cpu), memoryBytes: read('memory', memory) };
  };

  const daemonSets = file.daemonSets.map((ds, i) => ({ name: ds.name, namespace: ds.namespace, requests: requests(['daemonSets', i], ds.cpu, ds.memory) }));
  const seen = new Set<string>();
  const workloads = file.workloads.map((w, i): ScenarioWorkload => {
    const key = `${w.namespace}/${w.name}`;
    if (seen.has(key)) problem(['workloads', i, 'name'], `a workload ${key} is already defined`, w.name);
    seen.add(key);
    const pdb = w.pdb ? budgetOf(w.name, w.namespace, w.pdb, ['workloads', i, 'pdb'], problem) : undefined;
    return {
      name: w.name, namespace: w.namespace, replicas: w.replicas, requests: requests(['workloads', i], w.cpu, w.memory),
      doNotDisrupt: w.doNotDisrupt, nodeSelector: w.nodeSelector, tolerations: w.tolerations as Toleration[],
      topologySpread: w.topologySpread, podAntiAffinity: w.podAntiAffinity,
      ...(pdb ? { pdb } : {}),
      ...(w.priority !== undefined ? { priority: w.priority } : {}),
      ...(w.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: w.terminationGracePeriodSeconds } : {}),
    };
  });

  const interruptions = file.interruptions.map((planned, i): PlannedInterruption => {
    let atMs = 0;
    try {
      const parsedAt = parseDuration(planned.at);
      if (parsedAt === 'Never') throw new Error('must be a duration such as 5m or 1h30m, not Never');
      atMs = parsedAt;
      if (atMs > file.durationMinutes * 60_000) problem(['interruptions', i, 'at'], `is after the end of the simulation (durationMinutes ${file.durationMinutes})`, planned.at);
    } catch (error) {
      problem(['interruptions', i, 'at'], (error as Error).message, planned.at);
    }
    const where = planned.where as InterruptionTarget;
    if (where.nodePool !== undefined && nodeConfig && !poolNames.has(where.nodePool)) problem(['interruptions', i, 'where', 'nodePool'], 'no NodePool of that name', where.nodePool);
    if (where.zone !== undefined && !zones.has(where.zone)) problem(['interruptions', i, 'where', 'zone'], 'is not one of the scenario zones', where.zone);
    if (planned.kind !== 'scheduled-change' && where.capacityType === 'on-demand') {
      problem(['interruptions', i, 'where', 'capacityType'], `${planned.kind} only happens to spot instances`, where.capacityType);
    }
    return { atMs, kind: planned.kind, count: planned.count, where };
  });

  if (problems.length > 0 || !nodeConfig) fail(subject, problems);
  return {
    source: options.source,
    name: file.name,
    ...(file.description !== undefined ? { description: file.description } : {}),
    seed: file.seed,
    region: file.region,
    account: file.account ?? '111122223333',
    start: new Date(file.start ?? '2026-01-05T08:00:00Z'),
    durationMinutes: file.durationMinutes,
    cluster: file.cluster,
    nodeConfig: nodeConfig as NodeConfig,
    zones: file.zones,
    network: file.network,
    ec2: { ...file.ec2, capacity: file.ec2.capacity as CapacityRule[] },
    kubernetes: file.kubernetes,
    nodes: file.nodes,
    daemonSets,
    workloads,
    interruptions,
  };
}

function fail(subject: string, problems: string[]): never {
  const summary = problems.length === 1 ? (problems[0] as string) : `${problems.length} problems in scenario ${subject}:\n  ${problems.join('\n  ')}`;
  throw new InvalidInputError(summary, problems);
}

function budgetOf(
  name: string, namespace: string, spec: { minAvailable?: number | string; maxUnavailable?: number | string },
  path: PathSegment[], problem: (path: PathSegment[], message: string, value?: unknown) => void,
): PodDisruptionBudget | undefined {
  if ((spec.minAvailable === undefined) === (spec.maxUnavailable === undefined)) {
    problem(path, 'must set exactly one of minAvailable and maxUnavailable', spec);
    return undefined;
  }
  for (const field of ['minAvailable', 'maxUnavailable'] as const) {
    const value = spec[field];
    if (typeof value === 'string' && !/^\d+%$/.test(value)) problem([...path, field], 'must be a whole number or a percentage such as 80%', value);
  }
  return {
    namespace, name, selector: { app: name },
    ...(spec.minAvailable !== undefined ? { minAvailable: spec.minAvailable } : {}),
    ...(spec.maxUnavailable !== undefined ? { maxUnavailable: spec.maxUnavailable } : {}),
  };
}

function loadNodeConfig(
  file: ScenarioFile, options: { baseDir: string; readFile?: (path: string) => string },
  problem: (path: PathSegment[], message: string, value?: unknown) => void, problems: string[],
): NodeConfig | undefined {
  const read = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const sources: Array<{ name: string; text: string }> = [];
  const paths = file.nodeConfig === undefined ? [] : Array.isArray(file.nodeConfig) ? file.nodeConfig : [file.nodeConfig];
  paths.forEach((path, i) => {
    const full = resolve(options.baseDir, path);
    try {
      sources.push({ name: path, text: read(full) });
    } catch (error) {
      problem(Array.isArray(file.nodeConfig) ? ['nodeConfig', i] : ['nodeConfig'], `cannot read ${full}: ${(error as Error).message}`, path);
    }
  });
  if (file.nodeConfigYaml !== undefined) sources.push({ name: 'nodeConfigYaml', text: file.nodeConfigYaml });
  try {
    return withBuiltins(parseNodeConfig(sources));
  } catch (error) {
    if (error instanceof InvalidInputError) {
      problems.push(...error.problems.map((p) => `nodeConfig: ${p}`));
      return undefined;
    }
    throw error;
  }
}
