import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors.ts';
import {
  EXCLUSION, MAX_INSTANCE_TYPES, catalog, costLowerBound, planCapacity, simulatedSpotPrices,
  type CapacityPlan, type CapacityRequest, type PlannerOptions,
} from '../../shared/provisioning/index.ts';
import type { Pod, Requirement, TopologySpreadConstraint } from '../../shared/types.ts';
import {
  BARE_NODE_CLASS, NOW, ON_DEMAND, TINY_PRICES, TINY_TYPES, ZONES, request, spotPrice, tinyOptions, tinyPool, tinyType,
} from './capacity-fixtures.ts';
import { expectValidPlan } from './capacity-invariants.ts';
import { CURRENT_GENERATION, mixedPods, mixedRequest } from '../../bench/provisioning.ts';
import { packingCost } from '../../shared/provisioning/capacity/node-offerings.ts';
import { pack } from '../../shared/provisioning/capacity/packer.ts';
import { preparePlanning } from '../../shared/provisioning/capacity/setup.ts';
import { SPOT_AND_ON_DEMAND, nodeClass, nodePool, pod } from './fixtures.ts';

const OPTIONS = tinyOptions();
const plan = (req: CapacityRequest, options: PlannerOptions = OPTIONS): CapacityPlan => {
  const result = planCapacity(req, options);
  expectValidPlan(result, req, options);
  return result;
};
const firstTypes = (p: CapacityPlan) => p.nodes.map((n) => n.offerings[0]!.instanceType).sort();
const many = (prefix: string, n: number, overrides: Parameters<typeof pod>[1] = {}): Pod[] =>
  Array.from({ length: n }, (_, i) => pod(`${prefix}-${i}`, overrides));
const ZONE_KEY = 'topology.kubernetes.io/zone';
const HOSTNAME = 'kubernetes.io/hostname';
const spread = (topologyKey: string, maxSkew: number, app: string): TopologySpreadConstraint =>
  ({ topologyKey, maxSkew, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { app } });

const AMD64: Requirement = { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] };

describe('planCapacity: least hourly cost', () => {
  // Allocatable = vCPU x 1000 in the tiny catalog. c1.4x (8 vCPU) costs 0.36, less than 4 x c1.1x (0.40).
  it.each([
    { case: 'one 1500m pod: the cheapest type that holds it', pods: many('a', 1, { cpu: 1500, memoryGiB: 0.5 }), types: ['c1.1x'], cost: 0.1 },
    { case: 'two 1500m pods: 0.20 either way (two c1.1x or one c1.2x)', pods: many('a', 2, { cpu: 1500, memoryGiB: 0.5 }), cost: 0.2 },
    { case: 'eight 1000m pods: one c1.4x (0.36) beats four c1.1x (0.40)', pods: many('a', 8, { cpu: 1000, memoryGiB: 0.5 }), types: ['c1.4x'], cost: 0.36 },
    { case: 'memory-heavy pod: r1.1x (16 GiB) rather than a c1.4x', pods: many('m', 1, { cpu: 500, memoryGiB: 12 }), types: ['r1.1x'], cost: 0.15 },
    { case: 'nine 1000m pods: c1.4x + c1.1x', pods: many('a', 9, { cpu: 1000, memoryGiB: 0.5 }), types: ['c1.1x', 'c1.4x'], cost: 0.46 },
  ])('$case', ({ pods, types, cost }) => {
    const result = plan(request(pods, { nodePools: [tinyPool([ON_DEMAND, AMD64])] }));
    expect(result.hourlyCost).toBeCloseTo(cost, 6);
    if (types) expect(firstTypes(result)).toEqual(types);
    expect(result.unschedulable).toEqual([]);
  });

  it('lists, per node, every type that holds its pods, cheapest first, as CreateFleet overrides', () => {
    const result = plan(request(many('a', 1, { cpu: 1500, memoryGiB: 0.5 })));
    // Any architecture: a1.1x (arm64, 0.08) first; g1.1x (GPU) and c1.metal are left out; three zones each.
    const expected = ['a1.1x', 'c1.1x', 'r1.1x', 'c1.2x', 'c1.4x'].flatMap((type) => ZONES.map((zone) => [type, zone]));
    expect(result.nodes[0]!.offerings.map((o) => [o.instanceType, o.zone])).toEqual(expected);
  });
});

describe('planCapacity: capacity type and prices', () => {
  const spotPool = tinyPool([SPOT_AND_ON_DEMAND, { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }]);
  const onePod = many('a', 1, { cpu: 1500, memoryGiB: 0.5 });

  it('prefers spot where the pool allows it, cheapest spot offering first', () => {
    const result = plan(request(onePod, {
      nodePools: [spotPool],
      spotPrices: [spotPrice('c1.1x', 'us-east-1b', 0.03), spotPrice('c1.2x', 'us-east-1a', 0.05), spotPrice('c1.1x', 'us-east-1a', 0.04)],
    }));
    expect(result.nodes[0]!.capacityType).toBe('spot');
    expect(result.nodes[0]!.offerings).toEqual([
      { instanceType: 'c1.1x', zone: 'us-east-1b', capacityType: 'spot', price: 0.03 },
      { instanceType: 'c1.1x', zone: 'us-east-1a', capacityType: 'spot', price: 0.04 },
      { instanceType: 'c1.2x', zone: 'us-east-1a', capacityType: 'spot', price: 0.05 },
    ]);
  });

  it('drops spot offerings dearer than the cheapest on-demand one', () => {
    // c1.1x on-demand is 0.10: the 0.12 spot c1.2x is worse than just buying on-demand.
    const result = plan(request(onePod, {
      nodePools: [spotPool], spotPrices: [spotPrice('c1.1x', 'us-east-1a', 0.06), spotPrice('c1.2x', 'us-east-1a', 0.12)],
    }));
    expect(result.nodes[0]!.offerings.map((o) => [o.instanceType, o.price])).toEqual([['c1.1x', 0.06]]);
  });

  it('goes on-demand when every spot offering is dearer than on-demand', () => {
    const result = plan(request(onePod, { nodePools: [spotPool], spotPrices: [spotPrice('c1.1x', 'us-east-1a', 0.5)] }));
    expect(result.nodes[0]!.capacityType).toBe('on-demand');
    expect(result.nodes[0]!.hourlyPrice).toBe(0.1);
  });

  it('stays on-demand when the pool says nothing about capacity type (Karpenter default)', () => {
    const result = plan(request(onePod, { nodePools: [tinyPool([])], spotPrices: [spotPrice('c1.1x', 'us-east-1a', 0.01)] }));
    expect(result.nodes[0]!.capacityType).toBe('on-demand');
  });

  it.each([
    { case: 'refusal still running: the offering is left out', until: '2026-08-01T12:03:00Z', first: 'r1.1x' },
    { case: 'refusal expired: the offering is back', until: '2026-08-01T11:59:00Z', first: 'c1.1x' },
  ])('recently refused offerings: $case', ({ until, first }) => {
    const unavailable = ZONES.map((zone) => ({ instanceType: 'c1.1x', zone, capacityType: 'on-demand' as const, until, reason: 'InsufficientInstanceCapacity' }));
    const amd64 = tinyPool([ON_DEMAND, { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }]);
    const result = plan(request(onePod, { nodePools: [amd64], unavailable }));
    expect(result.nodes[0]!.offerings[0]!.instanceType).toBe(first);
    const refused = result.excluded.find((e) => e.reason === EXCLUSION.recentlyUnavailable)?.count ?? 0;
    expect(refused).toBe(first === 'r1.1x' ? 3 : 0);
  });

  it('reports pods as unschedulable when every fitting offering was refused', () => {
    const onlySmall = tinyPool([ON_DEMAND, { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['c1.1x'] }]);
    const unavailable = ZONES.map((zone) => ({ instanceType: 'c1.1x', zone, capacityType: 'on-demand' as const, until: '2026-08-01T12:03:00Z', reason: 'ICE' }));
    const result = plan(request(onePod, { nodePools: [onlySmall], unavailable }));
    expect(result.unschedulable).toEqual([{ pod: 'default/a-0', reason: expect.stringMatching(/recently refused for capacity/) }]);
  });
});

describe('planCapacity: special hardware and the type cap', () => {
  const anyArch = tinyPool([ON_DEMAND]);

  it('leaves metal and GPU types out unless a pod asks for them', () => {
    const result = plan(request(many('a', 30, { cpu: 1000, memoryGiB: 0.5 }), { nodePools: [anyArch] }));
    const listed = new Set(result.nodes.flatMap((n) => n.offerings.map((o) => o.instanceType)));
    expect(listed.has('g1.1x')).toBe(false);
    expect(listed.has('c1.metal')).toBe(false);
  });

  it('uses a GPU type for a pod that requests a GPU, and only GPU types for it', () => {
    const result = plan(request([pod('train', { cpu: 2000, memoryGiB: 4, gpus: 1 })], { nodePools: [anyArch] }));
    expect(result.nodes[0]!.offerings.map((o) => o.instanceType)).toEqual(['g1.1x', 'g1.1x', 'g1.1x']);
  });

  describe('accelerators of the kind a pod asks for', () => {
    // The tiny catalog plus an Inferentia-like type, cheaper than the NVIDIA g1.1x (1.00).
    const n1 = tinyType('n1.1x', 4, 16, { accelerator: { name: 'inferentia2', manufacturer: 'aws', count: 1 } });
    const withNeuron = tinyOptions([...TINY_TYPES, n1], { ...TINY_PRICES, 'n1.1x': 0.5 });
    const nvidia = pod('train', { cpu: 2000, memoryGiB: 4, gpus: 1 });
    const neuron = pod('infer', { cpu: 2000, memoryGiB: 4, gpus: 1, gpuResource: 'aws.amazon.com/neuron' });

    it('gives a pod asking for nvidia.com/gpu (the kind a bare count means) NVIDIA types only, though Neuron is cheaper', () => {
      const result = plan(request([nvidia], { nodePools: [anyArch] }), withNeuron);
      expect(result.nodes[0]!.offerings.map((o) => o.instanceType)).toEqual(['g1.1x', 'g1.1x', 'g1.1x']);
    });

    it('gives a pod asking for aws.amazon.com/neuron Neuron types only, and never mixes the kinds on a node', () => {
      const result = plan(request([nvidia, neuron], { nodePools: [anyArch] }), withNeuron);
      expect(result.nodes.map((n) => [n.offerings[0]!.instanceType, n.pods])).toEqual(
        expect.arrayContaining([['g1.1x', ['default/train']], ['n1.1x', ['default/infer']]]),
      );
      expect(result.nodes).toHaveLength(2);
      expect(result.nodes.map((n) => `${n.requests.gpus} ${n.requests.gpuResource}`).sort()).toEqual(['1 aws.amazon.com/neuron', '1 nvidia.com/gpu']);
      expect(result.hourlyCost).toBeCloseTo(1.5, 6);
    });

    it('reports a pod asking for a kind no type carries, naming the resource', () => {
      const gaudi = pod('gaudi', { cpu: 1000, memoryGiB: 1, gpus: 1, gpuResource: 'habana.ai/gaudi' });
      expect(plan(request([gaudi], { nodePools: [anyArch] }), withNeuron).unschedulable).toEqual([
        { pod: 'default/gaudi', reason: 'NodePool default: no usable instance type offers habana.ai/gaudi' },
      ]);
    });

    it('refuses an accelerator resource it does not know, naming the pod and the value', () => {
      const odd = pod('odd', { gpus: 1, gpuResource: 'example.com/tpu' });
      expect(() => planCapacity(request([odd]), withNeuron)).toThrow(
        'pod default/odd: requests.gpuResource must be one of nvidia.com/gpu, amd.com/gpu, aws.amazon.com/neuron, habana.ai/gaudi, got "example.com/tpu"',
      );
    });
  });

  it('uses metal when a pod selects the metal size', () => {
    const metal = pod('bm', { cpu: 1000, memoryGiB: 1, nodeSelector: { 'karpenter.k8s.aws/instance-size': 'metal' } });
    expect(firstTypes(plan(request([metal], { nodePools: [anyArch] })))).toEqual(['c1.metal']);
  });

  it(`keeps at most ${MAX_INSTANCE_TYPES} instance types per node, the cheapest (real catalog)`, () => {
    const req: CapacityRequest = {
      ...request(many('a', 3, { cpu: 100, memoryGiB: 0.1 })), nodePools: [nodePool([ON_DEMAND])], nodeClasses: [nodeClass()],
    };
    const result = plan(req, {});
    expect(result.nodes).toHaveLength(1);
    expect(new Set(result.nodes[0]!.offerings.map((o) => o.instanceType)).size).toBe(MAX_INSTANCE_TYPES);
  });

  it('lists every zone of the types it keeps, even the dearer spot zones past the 60th type', () => {
    const spotOnly = nodePool([{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }]);
    const spotPrices = simulatedSpotPrices('us-east-1', 7);
    const req: CapacityRequest = {
      ...request(many('a', 3, { cpu: 100, memoryGiB: 0.1 })), nodePools: [spotOnly], nodeClasses: [nodeClass()], spotPrices,
    };
    const node = plan(req, {}).nodes[0]!;
    const kept = [...new Set(node.offerings.map((o) => o.instanceType))];
    expect(kept).toHaveLength(MAX_INSTANCE_TYPES);
    for (const type of kept) {
      const listed = node.offerings.filter((o) => o.instanceType === type).map((o) => o.zone).sort();
      const priced = spotPrices.filter((p) => p.instanceType === type && ZONES.includes(p.zone)).map((p) => p.zone).sort();
      expect(listed, type).toEqual(priced);
    }
  });

  it('keeps minValues flexibility: enough families listed, or the pods are reported', () => {
    const families: Requirement = { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['c1', 'r1'], minValues: 2 };
    const pool = tinyPool([ON_DEMAND, families]);
    const small = plan(request(many('a', 1, { cpu: 1500, memoryGiB: 0.5 }), { nodePools: [pool] }));
    expect(new Set(small.nodes[0]!.offerings.map((o) => o.instanceType.split('.')[0]))).toEqual(new Set(['c1', 'r1']));
    // 3 vCPU fits no r1 type: one family left, fewer than minValues.
    const big = plan(request([pod('big', { cpu: 3000, memoryGiB: 1 })], { nodePools: [pool] }));
    expect(big.nodes).toEqual([]);
    expect(big.unschedulable[0]!.reason).toMatch(/requires at least 2 distinct values of karpenter.k8s.aws\/instance-family, but the plan keeps only 1 \(c1\)/);
  });
});

describe('planCapacity: node selection, taints and DaemonSets', () => {
  it.each([
    { case: 'nodeSelector arch arm64', overrides: { nodeSelector: { 'kubernetes.io/arch': 'arm64' } }, types: ['a1.1x'] },
    { case: 'required affinity on category r', overrides: { requiredNodeAffinity: [[{ key: 'karpenter.k8s.aws/instance-category', operator: 'In' as const, values: ['r'] }]] }, types: ['r1.1x'] },
    { case: 'affinity terms are ORed', overrides: { requiredNodeAffinity: [[{ key: 'kubernetes.io/arch', operator: 'In' as const, values: ['arm64'] }], [{ key: 'karpenter.k8s.aws/instance-category', operator: 'In' as const, values: ['r'] }]] }, types: ['a1.1x', 'r1.1x'] },
  ])('$case', ({ overrides, types }) => {
    const result = plan(request([pod('p', { cpu: 500, memoryGiB: 0.5, ...overrides })]));
    expect([...new Set(result.nodes[0]!.offerings.map((o) => o.instanceType))].sort()).toEqual(types);
  });

  it('pins the node to a zone a pod selects, and says so', () => {
    const result = plan(request([pod('p', { nodeSelector: { [ZONE_KEY]: 'us-east-1b' } })]));
    expect(result.nodes[0]!.zone).toBe('us-east-1b');
    expect(new Set(result.nodes[0]!.offerings.map((o) => o.zone))).toEqual(new Set(['us-east-1b']));
  });

  it('sends pods to a tainted pool only when they tolerate its taint', () => {
    const tainted = tinyPool([ON_DEMAND], { name: 'gpu-only', weight: 100, taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] });
    const open = tinyPool([ON_DEMAND], { name: 'general', weight: 1 });
    const tolerant = pod('tolerant', { tolerations: [{ key: 'dedicated', operator: 'Exists' }] });
    const result = plan(request([tolerant, pod('plain')], { nodePools: [tainted, open] }));
    const poolOf = (name: string) => result.nodes.find((n) => n.pods.includes(`default/${name}`))!.nodePool;
    expect(poolOf('tolerant')).toBe('gpu-only');
    expect(poolOf('plain')).toBe('general');

    const onlyTainted = plan(request([pod('plain')], { nodePools: [tainted] }));
    expect(onlyTainted.unschedulable).toEqual([
      { pod: 'default/plain', reason: 'does not tolerate taint dedicated=x:NoSchedule of NodePool gpu-only' },
    ]);
  });

  it('sends a pod selecting a pool by name or by a template label to that pool, past a heavier one', () => {
    const heavy = tinyPool([ON_DEMAND], { name: 'heavy', weight: 100 });
    const ml = tinyPool([ON_DEMAND], { name: 'ml', weight: 1, labels: { team: 'ml' } });
    const byName = pod('by-name', { nodeSelector: { 'karpenter.sh/nodepool': 'ml' } });
    const byLabel = pod('by-label', { nodeSelector: { team: 'ml' } });
    const result = plan(request([byName, byLabel], { nodePools: [heavy, ml] }));
    expect(result.nodes.map((n) => [n.nodePool, n.pods])).toEqual([['ml', ['default/by-name', 'default/by-label']]]);
    // A pod selecting neither goes to the heavier pool.
    expect(plan(request([pod('plain')], { nodePools: [heavy, ml] })).nodes.map((n) => n.nodePool)).toEqual(['heavy']);
  });

  it('lets pods onto a pool whose only taints are startup taints (they are gone once the node is ready)', () => {
    const starting = tinyPool([ON_DEMAND], { name: 'cilium', startupTaints: [{ key: 'node.cilium.io/agent-not-ready', value: 'true', effect: 'NoSchedule' }] });
    const result = plan(request([pod('plain')], { nodePools: [starting] }));
    expect(result.unschedulable).toEqual([]);
    expect(result.nodes.map((n) => n.nodePool)).toEqual(['cilium']);
  });

  it('counts each DaemonSet that would run on the node as overhead, and in the node requests', () => {
    // 1600m fits c1.1x (2000m) alone, not next to a 500m DaemonSet; the arm64-only one does not run on amd64.
    const amd64 = tinyPool([ON_DEMAND, { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }]);
    const daemonSets = [pod('agent', { cpu: 500, memoryGiB: 0.25 }), pod('arm-agent', { cpu: 300, memoryGiB: 0.25, nodeSelector: { 'kubernetes.io/arch': 'arm64' } })];
    const result = plan(request([pod('p', { cpu: 1600, memoryGiB: 0.5 })], { nodePools: [amd64], daemonSets }));
    expect(firstTypes(result)).toEqual(['c1.2x']);
    expect(result.nodes[0]!.requests).toEqual({ cpuMillis: 2100, memoryBytes: 0.75 * 2 ** 30, pods: 2, gpus: 0 });
  });

  it('counts a DaemonSet that selects on zone or capacity type when any offering of the type would run it', () => {
    // A 500m agent for spot nodes only and one for us-east-1b only. 1600m fits c1.1x (2000m) only
    // when neither counts: on an on-demand pool in us-east-1a and 1c neither runs; with 1b
    // among the zones the zone agent would run on the type's 1b offering, so c1.2x.
    const daemonSets = [
      pod('spot-agent', { cpu: 500, memoryGiB: 0.25, nodeSelector: { 'karpenter.sh/capacity-type': 'spot' } }),
      pod('zone-agent', { cpu: 500, memoryGiB: 0.25, requiredNodeAffinity: [[{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1b'] }]] }),
    ];
    const nodePools = [tinyPool([ON_DEMAND, { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }])];
    const pods = [pod('p', { cpu: 1600, memoryGiB: 0.5 })];
    expect(firstTypes(plan(request(pods, { nodePools, daemonSets, zones: ['us-east-1a', 'us-east-1c'] })))).toEqual(['c1.1x']);
    expect(firstTypes(plan(request(pods, { nodePools, daemonSets })))).toEqual(['c1.2x']);
  });
});

describe('planCapacity: ephemeral storage', () => {
  // The bare node class has Karpenter's default 20Gi volume: 20 - 1Gi kube-reserved - 2Gi (10%
  // nodefs.available) = 17Gi for pods on every type. Pods asking 6Gi each: two per node.
  const storagePod = (name: string, gib: number) => {
    const p = pod(name, { cpu: 100, memoryGiB: 0.1 });
    return { ...p, requests: { ...p.requests, ephemeralStorageBytes: gib * 2 ** 30 } };
  };
  const six = Array.from({ length: 6 }, (_, i) => storagePod(`scratch-${i}`, 6));

  it('puts no more pods on a node than its ephemeral storage holds', () => {
    const req = request(six);
    const plan = planCapacity(req, OPTIONS);
    expectValidPlan(plan, req, OPTIONS);
    // 600m and 0.6 GiB would fit one a1.1x ($0.08, the cheapest); 36Gi of storage needs three 17Gi nodes.
    expect(plan.nodes.map((n) => n.pods.length)).toEqual([2, 2, 2]);
    expect(plan.hourlyCost).toBeCloseTo(0.24, 6);
  });

  it('counts the node class\'s own volume: a 100Gi root volume holds all six on one node', () => {
    const big = nodeClass({ ...BARE_NODE_CLASS, blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '100Gi' }, rootVolume: true }] });
    const req = request(six, { nodeClasses: [big] });
    const plan = planCapacity(req, OPTIONS);
    expect(plan.nodes).toHaveLength(1);
    expect(plan.hourlyCost).toBeCloseTo(0.08, 6);
  });

  it('reports a pod asking more storage than any node offers, naming the storage', () => {
    const plan = planCapacity(request([storagePod('huge', 30)]), OPTIONS);
    expect(plan.nodes).toEqual([]);
    expect(plan.unschedulable).toEqual([{ pod: 'default/huge', reason: expect.stringMatching(/needing 100m CPU \/ 102.4Mi memory \/ 30Gi ephemeral storage/) }]);
  });
});

describe('planCapacity: soft eviction thresholds', () => {
  it('holds back memory for evictionSoft on AL2023, not on Bottlerocket (which ignores it)', () => {
    // 3Gi soft memory.available: a 4 GiB type keeps under 1 GiB for pods, so a 1 GiB pod needs a
    // bigger one; Bottlerocket nodes do not apply soft thresholds, so the small type still fits.
    const kubelet = { ...BARE_NODE_CLASS.kubelet, evictionSoft: { 'memory.available': '3Gi' } };
    const al2023 = nodeClass({ ...BARE_NODE_CLASS, kubelet });
    const bottlerocket = nodeClass({ ...BARE_NODE_CLASS, kubelet, amiSelectorTerms: [{ alias: 'bottlerocket@latest' }] });
    const onePod = [pod('p', { cpu: 500, memoryGiB: 1 })];
    const withSoft = plan(request(onePod, { nodeClasses: [al2023] }));
    const ignored = plan(request(onePod, { nodeClasses: [bottlerocket] }));
    expect(ignored.hourlyCost).toBeLessThan(withSoft.hourlyCost);
    expect(['a1.1x', 'c1.1x']).toContain(ignored.nodes[0]!.offerings[0]!.instanceType);
    expect(['a1.1x', 'c1.1x']).not.toContain(withSoft.nodes[0]!.offerings[0]!.instanceType);
  });
});

describe('planCapacity: pools by weight and limits', () => {
  it('uses the highest-weight pool that fits, even when a lower one is cheaper', () => {
    const dear = tinyPool([ON_DEMAND, { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['r1'] }], { name: 'preferred', weight: 50 });
    const cheap = tinyPool([ON_DEMAND], { name: 'fallback', weight: 10 });
    const result = plan(request(many('a', 2, { cpu: 500, memoryGiB: 0.5 }), { nodePools: [cheap, dear] }));
    expect(result.nodes.map((n) => n.nodePool)).toEqual(['preferred']);
  });

  it("falls back to the next pool once the preferred pool's limits are reached", () => {
    // preferred allows 2 vCPU in total: one c1.1x node (1 pod of 1500m); the other pods go to fallback.
    const preferred = tinyPool([ON_DEMAND, { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }], { name: 'preferred', weight: 50, limits: { cpu: '2' } });
    const fallback = tinyPool([ON_DEMAND], { name: 'fallback', weight: 10 });
    const result = plan(request(many('a', 3, { cpu: 1500, memoryGiB: 0.5 }), { nodePools: [preferred, fallback] }));
    const inPreferred = result.nodes.filter((n) => n.nodePool === 'preferred');
    expect(inPreferred).toHaveLength(1);
    // A type with more vCPU would break the limit if EC2 launched it: only 2-vCPU types are listed.
    expect(new Set(inPreferred[0]!.offerings.map((o) => o.instanceType))).toEqual(new Set(['c1.1x', 'r1.1x']));
    expect(result.nodes.filter((n) => n.nodePool === 'fallback').flatMap((n) => n.pods)).toHaveLength(2);
  });

  it('reports the pods beyond the limits with the reason', () => {
    const limited = tinyPool([ON_DEMAND, { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }], { limits: { cpu: '4', memory: '100Gi' } });
    const result = plan(request(many('a', 6, { cpu: 1500, memoryGiB: 0.5 }), { nodePools: [limited] }));
    expect(result.nodes.flatMap((n) => n.pods)).toHaveLength(2);
    expect(result.unschedulable).toHaveLength(4);
    expect(result.unschedulable[0]!.reason).toBe('NodePool default: limits reached (cpu 4, memory 100Gi)');
    const vcpu = result.nodes.reduce((sum, n) => sum + Math.max(...n.offerings.map((o) => TINY_TYPES.find((t) => t.name === o.instanceType)!.vcpu)), 0);
    expect(vcpu).toBeLessThanOrEqual(4);
  });
});

describe('planCapacity: topology', () => {
  it.each([
    { pods: 7, maxSkew: 1, expected: [3, 2, 2] },
    { pods: 3, maxSkew: 1, expected: [1, 1, 1] },
    // Both on one node: 2 - 0 is within maxSkew 2, and one node is cheaper than two.
    { pods: 2, maxSkew: 2, expected: [2, 0, 0] },
  ])('zone spread of $pods pods with maxSkew $maxSkew: per-zone counts $expected', ({ pods, maxSkew, expected }) => {
    const result = plan(request(many('web', pods, { labels: { app: 'web' }, topologySpread: [spread(ZONE_KEY, maxSkew, 'web')] })));
    const counts = ZONES.map((z) => result.nodes.filter((n) => n.zone === z).reduce((s, n) => s + n.pods.length, 0));
    expect([...counts].sort().reverse()).toEqual(expected);
    for (const node of result.nodes) expect(node.zone).toBeDefined();
  });

  it('zone spread counts only zones where the pod can run (its node affinity)', () => {
    const inTwo = { requiredNodeAffinity: [[{ key: ZONE_KEY, operator: 'In' as const, values: ['us-east-1a', 'us-east-1b'] }]] };
    const result = plan(request(many('web', 4, { labels: { app: 'web' }, topologySpread: [spread(ZONE_KEY, 1, 'web')], ...inTwo })));
    expect(result.nodes.map((n) => n.zone).sort()).toEqual(['us-east-1a', 'us-east-1b']);
    expect(result.nodes.map((n) => n.pods.length)).toEqual([2, 2]);
  });

  it('pods a zone spread counts go to nodes of a settled zone, evenly, whoever declares the spread', () => {
    // web and api both spread over app=shop pods (maxSkew 1); the large workers carry app=shop
    // without a spread of their own. kube-scheduler counts all 16 in each spread's skew, so the
    // workers may not land wherever EC2 puts their nodes, and web and api may not each put their
    // odd pod in the same zone (3/2/2 + 2/2/1 = 5/4/3): every node is pinned, 6/5/5 or alike.
    const shop = { app: 'shop' };
    const web = many('web', 7, { cpu: 500, memoryGiB: 0.5, labels: shop, topologySpread: [spread(ZONE_KEY, 1, 'shop')] });
    const api = many('api', 5, { cpu: 250, memoryGiB: 0.5, labels: shop, topologySpread: [spread(ZONE_KEY, 1, 'shop')] });
    const workers = many('worker', 4, { cpu: 2000, memoryGiB: 1, labels: shop });
    const result = plan(request([...web, ...api, ...workers]));
    const perZone = new Map<string, number>(ZONES.map((zone) => [zone, 0]));
    for (const node of result.nodes) {
      expect(node.zone, `node of ${node.pods.join(', ')} is pinned`).toBeDefined();
      perZone.set(node.zone!, perZone.get(node.zone!)! + node.pods.length);
    }
    expect(Math.max(...perZone.values()) - Math.min(...perZone.values())).toBeLessThanOrEqual(1);
  });

  it.each([
    { maxSkew: 1, nodes: 4 },
    { maxSkew: 2, nodes: 2 },
  ])('hostname spread with maxSkew $maxSkew: 4 small pods need $nodes nodes', ({ maxSkew, nodes }) => {
    const result = plan(request(many('api', 4, { cpu: 100, memoryGiB: 0.1, labels: { app: 'api' }, topologySpread: [spread(HOSTNAME, maxSkew, 'api')] })));
    expect(result.nodes).toHaveLength(nodes);
  });

  it('hostname spread over other pods: a node holding the spreading pod never holds more of them than maxSkew', () => {
    // guard pods spread over app=a pods (maxSkew 1) without matching it themselves. kube-scheduler
    // may place a guard after the app=a pods, and then its node may hold at most one of them.
    const guards = many('guard', 2, { cpu: 100, memoryGiB: 0.1, labels: { app: 'b' }, topologySpread: [spread(HOSTNAME, 1, 'a')] });
    const apods = many('a', 4, { cpu: 100, memoryGiB: 0.1, labels: { app: 'a' } });
    const result = plan(request([...guards, ...apods]));
    for (const node of result.nodes) {
      if (!node.pods.some((p) => p.includes('/guard-'))) continue;
      expect(node.pods.filter((p) => p.includes('/a-')).length).toBeLessThanOrEqual(1);
    }
  });

  it('hostname anti-affinity: one pod per node, other pods still share those nodes', () => {
    const anti = many('db', 3, { cpu: 500, memoryGiB: 0.5, labels: { app: 'db' }, podAntiAffinity: [{ topologyKey: HOSTNAME, labelSelector: { app: 'db' } }] });
    const result = plan(request([...anti, ...many('web', 3, { cpu: 500, memoryGiB: 0.5 })]));
    expect(result.nodes).toHaveLength(3);
    for (const node of result.nodes) expect(node.pods.filter((p) => p.includes('/db-'))).toHaveLength(1);
  });

  it('anti-affinity works both ways: a pod is kept off the node of pods whose anti-affinity selects it', () => {
    const guard = pod('guard', { cpu: 100, memoryGiB: 0.1, podAntiAffinity: [{ topologyKey: HOSTNAME, labelSelector: { team: 'noisy' } }] });
    const noisy = pod('noisy', { cpu: 100, memoryGiB: 0.1, labels: { team: 'noisy' } });
    const result = plan(request([guard, noisy]));
    expect(result.nodes).toHaveLength(2);
  });

  it('required pod affinity on zone: the pods share one zone', () => {
    const pods = many('cache', 12, { cpu: 1000, memoryGiB: 1, labels: { app: 'cache' }, podAffinity: [{ topologyKey: ZONE_KEY, labelSelector: { app: 'cache' } }] });
    const result = plan(request(pods));
    expect(new Set(result.nodes.map((n) => n.zone)).size).toBe(1);
    expect(result.nodes[0]!.zone).toBeDefined();
  });

  it.each([
    { case: 'anti-affinity on zone', overrides: { podAntiAffinity: [{ topologyKey: ZONE_KEY, labelSelector: { app: 'x' } }] }, reason: /anti-affinity on topology.kubernetes.io\/zone is not supported/ },
    { case: 'affinity on hostname', overrides: { podAffinity: [{ topologyKey: HOSTNAME, labelSelector: { app: 'x' } }] }, reason: /pod affinity on kubernetes.io\/hostname is not supported/ },
    { case: 'affinity to pods that are not planned', overrides: { podAffinity: [{ topologyKey: ZONE_KEY, labelSelector: { app: 'elsewhere' } }] }, reason: /no planned pod matches its selector/ },
  ])('reports what it cannot honour: $case', ({ overrides, reason }) => {
    const result = plan(request([pod('p', { labels: { app: 'x' }, ...overrides })]));
    expect(result.nodes).toEqual([]);
    expect(result.unschedulable[0]!.reason).toMatch(reason);
  });
});

describe('planCapacity: unschedulable pods and bad input', () => {
  it('names the demand when no type fits a pod, and still plans the others', () => {
    const result = plan(request([pod('huge', { cpu: 64_000, memoryGiB: 1 }), pod('ok')]));
    expect(result.unschedulable).toEqual([
      { pod: 'default/huge', reason: 'NodePool default: no instance type fits a pod needing 64000m CPU / 1Gi memory next to its DaemonSets' },
    ]);
    expect(result.nodes.flatMap((n) => n.pods)).toEqual(['default/ok']);
  });

  it.each([
    { case: 'a pod listed twice', req: request([pod('a'), pod('a')]), message: /pods\[1\]: pod default\/a is listed twice/ },
    { case: 'a negative request', req: request([pod('a', { cpu: -1 })]), message: /pod default\/a: requests must be non-negative/ },
    { case: 'a memory request that is not a number', req: request([pod('a', { memoryGiB: Number.NaN })]), message: /pod default\/a: requests must be non-negative numbers, got \{"cpuMillis":500,"memoryBytes":null\}/ },
    { case: 'a negative GPU request', req: request([pod('a', { gpus: -1 })]), message: /pod default\/a: requests must be non-negative numbers, got .*"gpus":-1/ },
    { case: 'a negative ephemeral-storage request', req: request([pod('a', { requests: { cpuMillis: 500, memoryBytes: 2 ** 30, ephemeralStorageBytes: -5 } })]), message: /pod default\/a: requests must be non-negative numbers, got .*"ephemeralStorageBytes":-5/ },
    { case: 'a zone of another region', req: request([pod('a')], { zones: ['eu-west-1a'] }), message: /zones: "eu-west-1a" is not a zone of region us-east-1/ },
    { case: 'a pool without its node class', req: request([pod('a')], { nodeClasses: [] }), message: /NodePool default nodeClassRef.name: "default" matches no node class/ },
    { case: 'an unparsable limit', req: request([pod('a')], { nodePools: [tinyPool([ON_DEMAND], { limits: { cpu: 'lots' } })] }), message: /NodePool default limits.cpu: "lots" is not a Kubernetes quantity/ },
    { case: 'maxSkew 0', req: request([pod('a', { topologySpread: [spread(ZONE_KEY, 0, 'a')] })]), message: /maxSkew must be a positive integer/ },
  ])('refuses $case, naming the field and the value', ({ req, message }) => {
    expect(() => planCapacity(req, OPTIONS)).toThrow(InvalidInputError);
    expect(() => planCapacity(req, OPTIONS)).toThrow(message);
  });

  it('plans nothing for no pods', () => {
    expect(planCapacity(request([]), OPTIONS)).toMatchObject({ nodes: [], unschedulable: [], hourlyCost: 0 });
  });
});

describe('costLowerBound', () => {
  it('equals the plan when pods fill types exactly (the fractional relaxation is tight)', () => {
    // Only c1.4x allowed: 8 pods of 1000m fill it; cost 0.36 either way.
    const pool = tinyPool([ON_DEMAND, { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['c1.4x'] }]);
    const req = request(many('a', 16, { cpu: 1000, memoryGiB: 0.25 }), { nodePools: [pool] });
    expect(plan(req).hourlyCost).toBeCloseTo(0.72, 6);
    expect(costLowerBound(req, OPTIONS)).toBeCloseTo(0.72, 3);
  });

  it('counts the nodes anti-affinity forces', () => {
    // 4 pods that may not share a node: at least 4 x the cheapest type (a1.1x, 0.08).
    const req = request(many('db', 4, { cpu: 100, memoryGiB: 0.1, labels: { app: 'db' }, podAntiAffinity: [{ topologyKey: HOSTNAME, labelSelector: { app: 'db' } }] }));
    expect(costLowerBound(req, OPTIONS)).toBeCloseTo(0.32, 3);
    expect(plan(req).hourlyCost).toBeCloseTo(0.32, 6);
  });

  it('never exceeds the plan on a mixed workload of the real catalog', () => {
    const req: CapacityRequest = {
      pods: [
        ...many('web', 40, { cpu: 250, memoryGiB: 0.5, labels: { app: 'web' }, topologySpread: [spread(ZONE_KEY, 1, 'web')] }),
        ...many('cache', 20, { cpu: 500, memoryGiB: 6 }),
        ...many('db', 5, { cpu: 2000, memoryGiB: 4, labels: { app: 'db' }, podAntiAffinity: [{ topologyKey: HOSTNAME, labelSelector: { app: 'db' } }] }),
        ...many('arm', 30, { cpu: 100, memoryGiB: 0.25, nodeSelector: { 'kubernetes.io/arch': 'arm64' } }),
      ],
      daemonSets: [pod('agent', { cpu: 100, memoryGiB: 0.125 })],
      nodePools: [nodePool([SPOT_AND_ON_DEMAND])],
      nodeClasses: [nodeClass()],
      region: 'us-east-1',
      spotPrices: simulatedSpotPrices('us-east-1', 7),
      unavailable: [],
      now: NOW,
    };
    const result = plan(req, {});
    const bound = costLowerBound(req, {});
    expect(bound).toBeGreaterThan(0);
    expect(bound).toBeLessThanOrEqual(result.hourlyCost + 1e-9);
  });
});

describe('planCapacity: many nodes at once', () => {
  const kinds: Array<(i: number) => Partial<Pod> & { cpu?: number; memoryGiB?: number }> = [
    () => ({ cpu: 500, memoryGiB: 1 }),
    (i) => ({ cpu: 250, memoryGiB: 0.5, labels: { app: `z${i % 7}` }, topologySpread: [spread(ZONE_KEY, 1, `z${i % 7}`)] }),
    (i) => ({ cpu: 1000, memoryGiB: 2, labels: { app: `h${i % 11}` }, topologySpread: [spread(HOSTNAME, 2, `h${i % 11}`)] }),
    (i) => ({ cpu: 2000, memoryGiB: 8, labels: { app: `a${i % 40}` }, podAntiAffinity: [{ topologyKey: HOSTNAME, labelSelector: { app: `a${i % 40}` } }] }),
    () => ({ cpu: 100, memoryGiB: 0.25, nodeSelector: { 'kubernetes.io/arch': 'arm64' } }),
  ];
  const fiveKindsRequest = (n: number): CapacityRequest => ({
    pods: Array.from({ length: n }, (_, i) => pod(`p-${i}`, kinds[i % kinds.length]!(i))),
    daemonSets: [pod('agent', { cpu: 100, memoryGiB: 0.125 })], nodePools: [nodePool([SPOT_AND_ON_DEMAND])],
    nodeClasses: [nodeClass()], region: 'us-east-1', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    spotPrices: simulatedSpotPrices('us-east-1', 3), unavailable: [], now: NOW,
  });

  it('plans 2,000 pods of mixed constraints against the whole catalog, every rule holding', () => {
    const req = fiveKindsRequest(2000);
    const result = plan(req, {});
    expect(result.unschedulable).toEqual([]);
    expect(result.nodes.every((n) => n.capacityType === 'spot')).toBe(true);
    for (const node of result.nodes) {
      for (const o of node.offerings) {
        const t = catalog().get(o.instanceType)!;
        expect(t.bareMetal || t.gpu !== undefined || t.accelerator !== undefined).toBe(false);
      }
    }
    expect(result.hourlyCost).toBeLessThan(costLowerBound(req, {}) * 2);
  });

  it('plans 12,000 pods as large requests are planned, every rule holding, no dearer than the packer alone', () => {
    // The LP's nodes would hold 16% of this request (the rest is hostname spread and anti-affinity
    // pods, too many classes for the LP), so the packing without them is kept: 91.28 USD/h
    // against 103.02 with them.
    const req = fiveKindsRequest(12_000);
    const result = plan(req, {});
    expect(result.unschedulable).toEqual([]);
    expect(result.nodes.every((n) => n.capacityType === 'spot')).toBe(true);
    const setup = preparePlanning(req, {});
    expect(result.hourlyCost).toBeLessThanOrEqual(packingCost(setup, pack(setup, ['remaining']).nodes)! + 1e-6);
  });

  it("leaves the zone-share LP's last fractions to the packer rather than rounding them up into large nodes", () => {
    // The benchmark's mixed workload, 1,000 pods drawn with seed 3: 5.6366 USD/h when the dive
    // rounded up the LP's last fractions (large nodes bought for a few dozen pods), 5.4876 now.
    const req = { ...mixedRequest(1000), pods: mixedPods(1000, 3) };
    const result = plan(req, { catalog: CURRENT_GENERATION });
    expect(result.unschedulable).toEqual([]);
    expect(result.hourlyCost).toBeLessThan(5.5);
  });

  it('removes the nodes whose pods fit in room left on the others (consolidation)', () => {
    // 1,000 mixed pods drawn with seed 7: the zone spreads' odd pods took nodes of their own, in
    // zones where the other nodes had room; 3.3182 USD/h on 74 nodes before consolidation, 3.2330 on 64.
    const req = { ...mixedRequest(1000), pods: mixedPods(1000, 7) };
    const result = plan(req, { catalog: CURRENT_GENERATION });
    expect(result.unschedulable).toEqual([]);
    expect(result.hourlyCost).toBeLessThan(3.25);
  });
});
