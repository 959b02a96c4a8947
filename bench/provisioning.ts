// The multi-node planner's speed and cost: for 100, 1,000, 5,000 and 20,000 pods, how many pods
// per second planCapacity plans and how its hourly cost compares with costLowerBound, on two
// workloads printed side by side:
//   - mixed: every current-generation instance type of the catalog in us-east-1 with simulated
//     spot prices (seed 42), three NodePools (weights, a taint, limits), three DaemonSets, and
//     Deployments with generic, zone-spread, hostname-spread, anti-affinity, arm64-only,
//     tolerating and memory-heavy pods;
//   - karpenter-shaped: the shape of Karpenter's scheduling benchmark: 400 synthetic types (type i
//     has i+1 vCPU, 2(i+1) GiB, costs 0.1 x vCPU + 0.1 x GiB per hour) in three zones, pods split
//     evenly among generic, zone spread, hostname spread, zone affinity and hostname
//     anti-affinity, CPU from 100/250/500/1000/1500m and memory from 100/256/512/1024/2048/4096Mi,
//     drawn with a seeded generator (seed 42; mulberry32, so not Go's sequence).
//   node --import tsx bench/provisioning.ts [sizes...]
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import {
  catalog, costLowerBound, filteredCatalog, inMemoryCatalog, planCapacity, simulatedSpotPrices,
  type CapacityPlan, type CapacityRequest, type InstanceTypeInfo, type PlannerOptions,
} from '../shared/provisioning/index.ts';
import type { NodeClass, NodePool, Pod, Requirement } from '../shared/types.ts';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const SIZES = [100, 1_000, 5_000, 20_000];
const NOW = new Date('2026-08-01T12:00:00Z');
const ZONE = 'topology.kubernetes.io/zone';
const HOSTNAME = 'kubernetes.io/hostname';

/** mulberry32: a small seeded generator, so every run plans the same pods. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const pick = <T>(random: () => number, values: readonly T[]): T => values[Math.floor(random() * values.length)]!;

function basePod(name: string, cpuMillis: number, memoryBytes: number, overrides: Partial<Pod> = {}): Pod {
  return {
    namespace: 'bench', name, uid: name, phase: 'Pending', labels: {}, annotations: {},
    requests: { cpuMillis, memoryBytes }, nodeSelector: {}, requiredNodeAffinity: [], tolerations: [],
    topologySpread: [], podAntiAffinity: [], ...overrides,
  };
}

function pool(name: string, weight: number, requirements: Requirement[], extra: Partial<NodePool> = {}): NodePool {
  return {
    name, weight, labels: {}, taints: [], startupTaints: [], requirements,
    nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' }, limits: {},
    disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '0s', budgets: [{ nodes: '10%' }] },
    expireAfter: '720h', ...extra,
  };
}

const NODE_CLASS: NodeClass = {
  name: 'default', amiSelectorTerms: [{ alias: 'al2023@latest' }], subnetSelectorTerms: [{ tags: { k: 'v' } }],
  securityGroupSelectorTerms: [{ tags: { k: 'v' } }], kubelet: {}, blockDeviceMappings: [], tags: {},
};

// ------------------------------------------------------------------ Karpenter-shaped workload

const KARPENTER_CPU = [100, 250, 500, 1000, 1500];
const KARPENTER_MEMORY_MIB = [100, 256, 512, 1024, 2048, 4096];
const LABEL_VALUES = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

export function karpenterShapedTypes(count = 400): InstanceTypeInfo[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `fake.${i + 1}x`, family: 'fake', category: 'fake', generation: 1, size: `${i + 1}x`,
    vcpu: i + 1, memoryMiB: 2 * (i + 1) * 1024, architecture: 'amd64' as const, hypervisor: 'nitro',
    bareMetal: false, burstable: false, currentGeneration: true, supportsSpot: false,
    // Max pods 110 up to 30 vCPUs (3 ENIs x 36 addresses + 2), 250 above (4 x 62 + 2), the
    // usual pod density of such nodes, rather than an ENI limit of the fake types' own.
    ...(i + 1 > 30 ? { maxEnis: 4, ipv4PerEni: 63 } : { maxEnis: 3, ipv4PerEni: 37 }),
  }));
}

export function karpenterShapedOptions(): PlannerOptions {
  const types = karpenterShapedTypes();
  const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
  const offerings = { 'us-east-1': Object.fromEntries(types.map((t) => [t.name, zones])) };
  const prices = new Map(types.map((t) => [t.name, 0.1 * t.vcpu + 0.1 * (t.memoryMiB / 1024)]));
  return { catalog: inMemoryCatalog(types, offerings), onDemandPrice: (_region, type) => prices.get(type) };
}

export function karpenterShapedPods(count: number, seed = 42): Pod[] {
  const random = seeded(seed);
  const requests = () => [pick(random, KARPENTER_CPU), pick(random, KARPENTER_MEMORY_MIB) * MiB] as const;
  const label = () => ({ 'my-label': pick(random, LABEL_VALUES) });
  const fifth = Math.floor(count / 5);
  const pods: Pod[] = [];
  const add = (kind: string, n: number, make: (name: string) => Pod) => {
    for (let i = 0; i < n; i++) pods.push(make(`${kind}-${i}`));
  };
  const spread = (key: string) => (name: string) => {
    const [cpu, mem] = requests();
    return basePod(name, cpu, mem, {
      labels: label(),
      topologySpread: [{ topologyKey: key, maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule', labelSelector: label() }],
    });
  };
  add('generic', fifth, (name) => basePod(name, ...requests(), { labels: label() }));
  add('zone-spread', fifth, spread(ZONE));
  add('hostname-spread', fifth, spread(HOSTNAME));
  add('zone-affinity', fifth, (name) => {
    const labels = { 'my-affinity': pick(random, LABEL_VALUES) };
    return basePod(name, ...requests(), { labels, podAffinity: [{ topologyKey: ZONE, labelSelector: labels }] });
  });
  add('hostname-anti-affinity', fifth, (name) =>
    basePod(name, ...requests(), {
      labels: { app: 'nginx' }, podAntiAffinity: [{ topologyKey: HOSTNAME, labelSelector: { app: 'nginx' } }],
    }));
  add('generic-rest', count - pods.length, (name) => basePod(name, ...requests(), { labels: label() }));
  return pods;
}

function karpenterShapedRequest(count: number): CapacityRequest {
  return {
    pods: karpenterShapedPods(count), daemonSets: [], nodePools: [pool('default', 0, [])], nodeClasses: [NODE_CLASS],
    region: 'us-east-1', spotPrices: [], unavailable: [], now: NOW,
  };
}

// ------------------------------------------------------------------ mixed workload, real catalog

type Kind = 'generic' | 'zone-spread' | 'hostname-spread' | 'anti-affinity' | 'arm64' | 'critical' | 'memory';
const KINDS: Array<[Kind, number]> = [
  ['generic', 0.35], ['zone-spread', 0.2], ['hostname-spread', 0.1], ['anti-affinity', 0.05],
  ['arm64', 0.1], ['critical', 0.05], ['memory', 0.15],
];

function mixedDeploymentPod(kind: Kind, app: string, name: string, cpu: number, mem: number): Pod {
  const labels = { app };
  switch (kind) {
    case 'generic':
      return basePod(name, cpu, mem, { labels });
    case 'zone-spread':
      return basePod(name, cpu, mem, { labels, topologySpread: [{ topologyKey: ZONE, maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule', labelSelector: labels }] });
    case 'hostname-spread':
      return basePod(name, cpu, mem, { labels, topologySpread: [{ topologyKey: HOSTNAME, maxSkew: 2, whenUnsatisfiable: 'DoNotSchedule', labelSelector: labels }] });
    case 'anti-affinity':
      return basePod(name, cpu, mem, { labels, podAntiAffinity: [{ topologyKey: HOSTNAME, labelSelector: labels }] });
    case 'arm64':
      return basePod(name, cpu, mem, { labels, nodeSelector: { 'kubernetes.io/arch': 'arm64' } });
    case 'critical':
      return basePod(name, cpu, mem, {
        labels, nodeSelector: { 'example.com/tier': 'critical' },
        tolerations: [{ key: 'example.com/tier', operator: 'Equal', value: 'critical', effect: 'NoSchedule' }],
      });
    case 'memory':
      return basePod(name, cpu, mem * 4, {
        labels, requiredNodeAffinity: [[{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['r', 'x'] }]],
      });
  }
}

/**
 * Deployments until `count` pods; each Deployment's pods are alike. HA services (hostname spread,
 * anti-affinity) run 3-12 replicas, the others 3-200.
 */
export function mixedPods(count: number, seed = 42): Pod[] {
  const random = seeded(seed);
  const pods: Pod[] = [];
  for (let d = 0; pods.length < count; d++) {
    let roll = random();
    const kind = KINDS.find(([, share]) => (roll -= share) < 0)?.[0] ?? 'generic';
    const replicas = Math.min(count - pods.length, kind === 'anti-affinity' || kind === 'hostname-spread' ? 3 + Math.floor(random() * 10) : 3 + Math.floor(random() * 198));
    const cpu = pick(random, [50, 100, 250, 500, 1000, 2000]);
    const mem = pick(random, [128, 256, 512, 1024, 2048, 4096]) * MiB;
    for (let r = 0; r < replicas; r++) pods.push(mixedDeploymentPod(kind, `app-${d}`, `app-${d}-${r}`, cpu, mem));
  }
  return pods;
}

export const CURRENT_GENERATION = filteredCatalog(catalog(), (t) => t.currentGeneration);
const MIXED_SPOT_PRICES = simulatedSpotPrices('us-east-1', 42, CURRENT_GENERATION.types().filter((t) => t.supportsSpot).map((t) => t.name));

export function mixedRequest(count: number): CapacityRequest {
  const spotAndOnDemand: Requirement = { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] };
  return {
    pods: mixedPods(count),
    daemonSets: [
      basePod('node-exporter', 100, 128 * MiB),
      basePod('kube-proxy', 100, 64 * MiB),
      basePod('arm-agent', 50, 64 * MiB, { nodeSelector: { 'kubernetes.io/arch': 'arm64' } }),
    ],
    nodePools: [
      pool('general', 50, [spotAndOnDemand, { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }]),
      pool('memory', 20, [spotAndOnDemand, { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['r', 'x'] }], {
        limits: { cpu: '4000', memory: '32000Gi' },
      }),
      pool('critical', 10, [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }], {
        labels: { 'example.com/tier': 'critical' },
        taints: [{ key: 'example.com/tier', value: 'critical', effect: 'NoSchedule' }],
      }),
    ],
    nodeClasses: [NODE_CLASS],
    region: 'us-east-1',
    spotPrices: MIXED_SPOT_PRICES,
    unavailable: [],
    now: NOW,
  };
}

// ------------------------------------------------------------------ measurement

interface Figures {
  pods: number;
  podsPerSecond: number;
  planningMs: number;
  nodes: number;
  unschedulable: number;
  hourlyCost: number;
  lowerBound: number;
  costOverLowerBound: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function measure(request: CapacityRequest, options: PlannerOptions): Figures {
  planCapacity(request, options); // warm-up: JIT and the catalog's first decode are not planning
  const runs = request.pods.length >= 5_000 ? 3 : 5;
  const times: number[] = [];
  let plan: CapacityPlan | undefined;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    plan = planCapacity(request, options);
    times.push(performance.now() - started);
  }
  const planningMs = median(times);
  const lowerBound = costLowerBound(request, options);
  return {
    pods: request.pods.length,
    podsPerSecond: Math.round(request.pods.length / (planningMs / 1000)),
    planningMs: Math.round(planningMs * 10) / 10,
    nodes: plan!.nodes.length,
    unschedulable: plan!.unschedulable.length,
    hourlyCost: Math.round(plan!.hourlyCost * 1e4) / 1e4,
    lowerBound: Math.round(lowerBound * 1e4) / 1e4,
    costOverLowerBound: Math.round((plan!.hourlyCost / lowerBound) * 1e4) / 1e4,
  };
}

function main(): void {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const chosen = sizes.length > 0 ? sizes : SIZES;
  const karpenterOptions = karpenterShapedOptions();
  const result = {
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    mixed: {
      instanceTypes: CURRENT_GENERATION.types().length,
      sizes: chosen.map((n) => measure(mixedRequest(n), { catalog: CURRENT_GENERATION })),
    },
    karpenterShaped: {
      instanceTypes: 400,
      sizes: chosen.map((n) => measure(karpenterShapedRequest(n), karpenterOptions)),
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
