import { describe, expect, it } from 'vitest';
import { CapacityUnavailableError, InvalidInputError, NoCompatibleOfferingError } from '../../shared/errors.ts';
import {
  EXCLUSION, MAX_INSTANCE_TYPES, candidateInstanceTypes, catalog, onDemandPrice, planReplacement, simulatedSpotPrices,
  type InstanceTypeInfo, type ReplacementInput,
} from '../../shared/provisioning/index.ts';
import type { Requirement, SpotPrice, UnavailableOffering } from '../../shared/types.ts';
import { SPOT_AND_ON_DEMAND, excludedCount, nodeClass, nodePool, planTypes, pod } from './fixtures.ts';

const NOW = new Date('2026-08-01T12:00:00Z');
const ZONES = ['us-east-1a', 'us-east-1b'];
const SMALL_TYPES: Requirement = { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large', 'c5.large', 'r5.large'] };

function spot(instanceType: string, zone: string, price: number): SpotPrice {
  return { instanceType, zone, price, timestamp: '2026-08-01T11:00:00Z' };
}

function input(overrides: Partial<ReplacementInput> = {}): ReplacementInput {
  return {
    pods: [pod('web-1', { cpu: 500, memoryGiB: 1 })],
    daemonSetPods: [],
    nodePool: nodePool([SPOT_AND_ON_DEMAND, SMALL_TYPES]),
    nodeClass: nodeClass(),
    region: 'us-east-1',
    zones: ZONES,
    spotPrices: [],
    unavailable: [],
    now: NOW,
    ...overrides,
  };
}


describe('planReplacement: capacity type', () => {
  it('chooses spot when the pool allows it and a spot offering is priced, cheapest first', () => {
    const plan = planReplacement(input({
      spotPrices: [spot('m5.large', 'us-east-1a', 0.03), spot('c5.large', 'us-east-1b', 0.02), spot('r5.large', 'us-east-1a', 0.05)],
    }));
    expect(plan.capacityType).toBe('spot');
    expect(plan.offerings).toEqual([
      { instanceType: 'c5.large', zone: 'us-east-1b', capacityType: 'spot', price: 0.02 },
      { instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'spot', price: 0.03 },
      { instanceType: 'r5.large', zone: 'us-east-1a', capacityType: 'spot', price: 0.05 },
    ]);
    expect(excludedCount(plan, EXCLUSION.noSpotPrice)).toBe(3); // the other zone of each type
  });

  it('chooses on-demand when the pool says nothing about capacity type (Karpenter default)', () => {
    const plan = planReplacement(input({
      nodePool: nodePool([SMALL_TYPES]),
      spotPrices: [spot('m5.large', 'us-east-1a', 0.01)],
    }));
    expect(plan.capacityType).toBe('on-demand');
    expect(plan.offerings[0]).toEqual({ instanceType: 'c5.large', zone: 'us-east-1a', capacityType: 'on-demand', price: 0.085 });
  });

  it('chooses on-demand, priced from the snapshot, when the pool allows only on-demand', () => {
    const plan = planReplacement(input({
      nodePool: nodePool([{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }, SMALL_TYPES]),
      spotPrices: [spot('m5.large', 'us-east-1a', 0.01)],
    }));
    expect(plan.capacityType).toBe('on-demand');
    expect(plan.offerings.map((o) => [o.instanceType, o.price])).toEqual([
      ['c5.large', 0.085], ['c5.large', 0.085], ['m5.large', 0.096], ['m5.large', 0.096], ['r5.large', 0.126], ['r5.large', 0.126],
    ]);
  });

  it('honours the Auto Mode alias eks.amazonaws.com/capacity-type', () => {
    const plan = planReplacement(input({
      nodePool: nodePool([{ key: 'eks.amazonaws.com/capacity-type', operator: 'In', values: ['spot'] }, SMALL_TYPES]),
      spotPrices: [spot('m5.large', 'us-east-1a', 0.04)],
    }));
    expect(plan.capacityType).toBe('spot');
    expect(plan.offerings).toHaveLength(1);
  });

  it('falls back to on-demand when every spot offering is marked unavailable', () => {
    const spotPrices = ZONES.flatMap((z) => [spot('m5.large', z, 0.03), spot('c5.large', z, 0.02), spot('r5.large', z, 0.04)]);
    const unavailable: UnavailableOffering[] = spotPrices.map((p) => ({
      instanceType: p.instanceType, zone: p.zone, capacityType: 'spot', until: '2026-08-01T12:03:00Z', reason: 'InsufficientInstanceCapacity',
    }));
    const plan = planReplacement(input({ spotPrices, unavailable }));
    expect(plan.capacityType).toBe('on-demand');
    expect(planTypes(plan)).toEqual(['c5.large', 'm5.large', 'r5.large']);
    expect(excludedCount(plan, EXCLUSION.recentlyUnavailable)).toBe(6);
  });

  it('uses an offering again once its unavailability has expired', () => {
    const plan = planReplacement(input({
      spotPrices: [spot('m5.large', 'us-east-1a', 0.03)],
      unavailable: [{ instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'spot', until: '2026-08-01T11:59:59Z', reason: 'x' }],
    }));
    expect(plan.capacityType).toBe('spot');
    expect(plan.offerings).toEqual([{ instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'spot', price: 0.03 }]);
  });

  it('skips an unavailable on-demand offering but keeps the other zone', () => {
    const plan = planReplacement(input({
      nodePool: nodePool([{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large'] }]),
      unavailable: [{ instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'on-demand', until: '2026-08-01T12:03:00Z', reason: 'x' }],
    }));
    expect(plan.offerings).toEqual([{ instanceType: 'm5.large', zone: 'us-east-1b', capacityType: 'on-demand', price: 0.096 }]);
  });

  it('drops spot offerings dearer than the cheapest on-demand offering', () => {
    // c5.large on-demand is 0.085: the 0.09 and 0.2 spot prices are worse than just buying on-demand.
    const plan = planReplacement(input({
      spotPrices: [spot('m5.large', 'us-east-1a', 0.09), spot('r5.large', 'us-east-1b', 0.2), spot('c5.large', 'us-east-1a', 0.05)],
    }));
    expect(plan.capacityType).toBe('spot');
    expect(plan.offerings).toEqual([{ instanceType: 'c5.large', zone: 'us-east-1a', capacityType: 'spot', price: 0.05 }]);
    expect(excludedCount(plan, EXCLUSION.spotDearerThanOnDemand)).toBe(2);
  });

  it('goes on-demand when every spot price is dearer than on-demand', () => {
    const plan = planReplacement(input({ spotPrices: [spot('m5.large', 'us-east-1a', 0.5)] }));
    expect(plan.capacityType).toBe('on-demand');
  });

  it('keeps zones to the node class zones and its region', () => {
    const plan = planReplacement(input({ nodePool: nodePool([SMALL_TYPES]), zones: ['us-east-1c'] }));
    expect(new Set(plan.offerings.map((o) => o.zone))).toEqual(new Set(['us-east-1c']));
    expect(() => planReplacement(input({ zones: ['eu-west-1a'] }))).toThrow(/zones: "eu-west-1a" is not a zone of region us-east-1/);
  });
});

describe('planReplacement: fit and constraints', () => {
  const anyGeneralPurpose = nodePool([
    { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
  ]);

  it('only keeps types whose allocatable, after DaemonSets, holds the pods', () => {
    // 3 pods x 1500m / 5Gi = 4500m / 15Gi, plus a DaemonSet of 200m / 512Mi.
    const plan = planReplacement(input({
      nodePool: anyGeneralPurpose,
      pods: [1, 2, 3].map((i) => pod(`api-${i}`, { cpu: 1500, memoryGiB: 5 })),
      daemonSetPods: [pod('node-exporter', { cpu: 200, memoryGiB: 0.5 })],
    }));
    for (const name of planTypes(plan)) {
      const t = catalog().get(name)!;
      expect(t.vcpu).toBeGreaterThanOrEqual(8); // 4 vCPU leaves 3920m < 4700m
      expect(t.memoryMiB).toBeGreaterThanOrEqual(16 * 1024);
    }
    expect(excludedCount(plan, EXCLUSION.tooSmall)).toBeGreaterThan(0);
  });

  it('counts pods against max-pods', () => {
    // 30 tiny pods: more than an m5.large's 29, fewer than an m5.xlarge's 58.
    const plan = planReplacement(input({
      nodePool: nodePool([{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m5'] }]),
      pods: Array.from({ length: 30 }, (_, i) => pod(`tiny-${i}`, { cpu: 10, memoryGiB: 0.01 })),
    }));
    expect(planTypes(plan)[0]).toBe('m5.xlarge');
    expect(planTypes(plan)).not.toContain('m5.large');
  });

  it("applies every pod's nodeSelector and affinity to the node's labels", () => {
    const plan = planReplacement(input({
      nodePool: anyGeneralPurpose,
      pods: [
        pod('a', { nodeSelector: { 'kubernetes.io/arch': 'arm64' } }),
        pod('b', { requiredNodeAffinity: [[{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['r'] }]] }),
      ],
    }));
    for (const name of planTypes(plan)) {
      expect(catalog().get(name)).toMatchObject({ architecture: 'arm64', category: 'r' });
    }
    expect(planTypes(plan).length).toBeGreaterThan(0);
  });

  it('lets a pod pin the zone', () => {
    const plan = planReplacement(input({ pods: [pod('a', { nodeSelector: { 'topology.kubernetes.io/zone': 'us-east-1b' } })] }));
    expect(new Set(plan.offerings.map((o) => o.zone))).toEqual(new Set(['us-east-1b']));
  });

  it('refuses when a pod does not tolerate a NodePool taint, naming pod and taint', () => {
    const tainted = nodePool([SMALL_TYPES], { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    expect(() => planReplacement(input({ nodePool: tainted }))).toThrow(NoCompatibleOfferingError);
    expect(() => planReplacement(input({ nodePool: tainted }))).toThrow(
      'pod default/web-1 does not tolerate taint dedicated=gpu:NoSchedule of NodePool default',
    );
    const tolerant = pod('web-1', { tolerations: [{ key: 'dedicated', operator: 'Exists' }] });
    expect(planReplacement(input({ nodePool: tainted, pods: [tolerant] })).offerings.length).toBeGreaterThan(0);
  });

  it('leaves out metal, GPU and accelerator types unless asked for', () => {
    const plan = planReplacement(input({ nodePool: anyGeneralPurpose }));
    for (const name of planTypes(plan)) {
      const t = catalog().get(name)!;
      expect(t.bareMetal || t.gpu !== undefined || t.accelerator !== undefined).toBe(false);
    }
    expect(excludedCount(plan, EXCLUSION.specialHardware)).toBeGreaterThan(100);
  });

  it('includes NVIDIA GPU types for a pod that requests nvidia.com/gpu, and only those', () => {
    const plan = planReplacement(input({ nodePool: anyGeneralPurpose, pods: [pod('train', { cpu: 2000, memoryGiB: 8, gpus: 1 })] }));
    expect(planTypes(plan).length).toBeGreaterThan(0);
    for (const name of planTypes(plan)) {
      const t = catalog().get(name)!;
      // Not an Inferentia, Trainium or AMD type, though those are cheaper than most NVIDIA ones.
      expect(t.gpu?.manufacturer).toBe('nvidia');
      expect(t.gpu!.count).toBeGreaterThanOrEqual(1);
      expect(t.bareMetal).toBe(false);
    }
    expect(plan.offerings[0]!.price).toBeLessThanOrEqual(onDemandPrice('us-east-1', 'g4dn.xlarge')!);
  });

  it.each([
    { resource: 'aws.amazon.com/neuron', count: 2, families: ['inf1', 'inf2', 'trn1', 'trn1n', 'trn2'], holds: (t: InstanceTypeInfo) => t.accelerator?.manufacturer === 'aws' && t.accelerator.count >= 2 },
    { resource: 'amd.com/gpu', count: 1, families: ['g4ad'], holds: (t: InstanceTypeInfo) => t.gpu?.manufacturer === 'amd' },
  ])('offers only types carrying $resource for a pod that requests it', ({ resource, count, families, holds }) => {
    const plan = planReplacement(input({ nodePool: anyGeneralPurpose, pods: [pod('infer', { cpu: 1000, memoryGiB: 4, gpus: count, gpuResource: resource })] }));
    expect(planTypes(plan).length).toBeGreaterThan(0);
    for (const name of planTypes(plan)) {
      const t = catalog().get(name)!;
      expect(families).toContain(t.family);
      expect(holds(t)).toBe(true);
    }
  });

  it('refuses a pod asking for accelerators no type of the pool carries, naming the resource', () => {
    const pods = [pod('gaudi', { cpu: 1000, memoryGiB: 4, gpus: 1, gpuResource: 'habana.ai/gaudi' })];
    expect(() => planReplacement(input({ nodePool: anyGeneralPurpose, pods }))).toThrow(/fits 1 pod needing 1000m CPU \/ 4Gi memory \/ 1 habana\.ai\/gaudi in us-east-1/);
  });

  it('includes GPU types when the NodePool selects by GPU label', () => {
    const gpuPool = nodePool([
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values: ['t4'] },
    ]);
    const plan = planReplacement(input({ nodePool: gpuPool }));
    expect(planTypes(plan).every((n) => n.startsWith('g4dn.'))).toBe(true);
  });

  it('includes metal types when asked for by size', () => {
    const plan = planReplacement(input({
      nodePool: nodePool([
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
        { key: 'karpenter.k8s.aws/instance-size', operator: 'In', values: ['metal'] },
        { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m5', 'c5'] },
      ]),
    }));
    expect(planTypes(plan).sort()).toEqual(['c5.metal', 'm5.metal']);
  });

  it('counts only DaemonSets that would run on the node', () => {
    // A 1900m pod fits an m5.large (1930m) only if the 100m arm64-only DaemonSet is not counted.
    const base = input({
      nodePool: nodePool([{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large'] }]),
      pods: [pod('big', { cpu: 1900, memoryGiB: 1 })],
    });
    const armOnly = pod('arm-agent', { cpu: 100, memoryGiB: 0.1, nodeSelector: { 'kubernetes.io/arch': 'arm64' } });
    expect(planReplacement({ ...base, daemonSetPods: [armOnly] }).offerings.length).toBe(2);
    const everywhere = pod('agent', { cpu: 100, memoryGiB: 0.1 });
    expect(() => planReplacement({ ...base, daemonSetPods: [everywhere] })).toThrow(NoCompatibleOfferingError);
  });
});

describe('planReplacement: limits', () => {
  it(`keeps at most ${MAX_INSTANCE_TYPES} instance types, the cheapest`, () => {
    // On-demand only: with spot, the "no dearer than on-demand" rule leaves far fewer types.
    const pool = nodePool([{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }]);
    const plan = planReplacement(input({ nodePool: pool }));
    expect(planTypes(plan)).toHaveLength(MAX_INSTANCE_TYPES);
    expect(excludedCount(plan, EXCLUSION.beyondTypeCap)).toBeGreaterThan(0);
    const prices = plan.offerings.map((o) => o.price);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });

  it('keeps enough distinct values for minValues even past the 60-type cap', () => {
    const pool = nodePool([
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'karpenter.k8s.aws/instance-family', operator: 'Exists', minValues: 50 },
    ]);
    const plan = planReplacement(input({ nodePool: pool }));
    // The 60 cheapest alone span fewer families: the cap had to make room for the rest.
    const cheapest = planReplacement(input({ nodePool: nodePool([{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }]) }));
    expect(new Set(planTypes(cheapest).map((n) => catalog().get(n)!.family)).size).toBeLessThan(50);
    expect(planTypes(plan).length).toBeLessThanOrEqual(MAX_INSTANCE_TYPES);
    expect(new Set(planTypes(plan).map((n) => catalog().get(n)!.family)).size).toBeGreaterThanOrEqual(50);
  });

  it('fails when minValues cannot be met, saying which key and how many remain', () => {
    const pool = nodePool([
      { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m5', 'c5', 'r5'], minValues: 3 },
      { key: 'karpenter.k8s.aws/instance-size', operator: 'In', values: ['large'] },
    ]);
    expect(planReplacement(input({ nodePool: pool })).offerings.length).toBe(6);
    // 10Gi exceeds m5.large (6903 MiB allocatable) and c5.large: only the r5 family remains.
    const memoryHeavy = [pod('heap', { cpu: 500, memoryGiB: 10 })];
    expect(() => planReplacement(input({ nodePool: pool, pods: memoryHeavy }))).toThrow(NoCompatibleOfferingError);
    expect(() => planReplacement(input({ nodePool: pool, pods: memoryHeavy }))).toThrow(
      /requires at least 3 distinct values of karpenter.k8s.aws\/instance-family, but the plan keeps only 1 \(r5\)/,
    );
  });

  it('explains why nothing fits', () => {
    const pods = [1, 2, 3].map((i) => pod(`db-${i}`, { cpu: 4000, memoryGiB: 16 }));
    const call = () => planReplacement(input({ pods }));
    expect(call).toThrow(NoCompatibleOfferingError);
    expect(call).toThrow(/no instance type in NodePool default fits 3 pods needing 12000m CPU \/ 48Gi memory in us-east-1/);
    expect(call).toThrow(/3 x instance type too small for the pods and DaemonSets/);
  });

  it('throws CapacityUnavailableError when all that fits was just refused for capacity', () => {
    const unavailable: UnavailableOffering[] = ['m5.large', 'c5.large', 'r5.large'].flatMap((t) =>
      ZONES.map((zone) => ({ instanceType: t, zone, capacityType: 'on-demand' as const, until: '2026-08-01T12:03:00Z', reason: 'ICE' })),
    );
    const pool = nodePool([{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }, SMALL_TYPES]);
    expect(() => planReplacement(input({ nodePool: pool, unavailable }))).toThrow(CapacityUnavailableError);
  });

  it('names bad input', () => {
    expect(() => planReplacement(input({ region: 'xx-nowhere-1', zones: ['xx-nowhere-1a'] }))).toThrow(/region "xx-nowhere-1"/);
    expect(() => planReplacement(input({ pods: [pod('neg', { cpu: -1 })] }))).toThrow(InvalidInputError);
    expect(() => planReplacement(input({ nodePool: nodePool([{ key: 'k', operator: 'In', values: [] }]) }))).toThrow(InvalidInputError);
  });

  it('plans a typical replacement in well under a second', () => {
    const spotPrices = simulatedSpotPrices('us-east-1', 5);
    const pool = nodePool([SPOT_AND_ON_DEMAND, { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }]);
    const pods = Array.from({ length: 40 }, (_, i) => pod(`p-${i}`, { cpu: 100, memoryGiB: 0.25 }));
    const started = performance.now();
    planReplacement(input({ nodePool: pool, pods, spotPrices, zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] }));
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('candidateInstanceTypes', () => {
  it('lists the types the pool allows for a capacity type in the region', () => {
    const pool = nodePool([SPOT_AND_ON_DEMAND, SMALL_TYPES]);
    expect(candidateInstanceTypes(pool, 'us-east-1', 'spot')).toEqual(['c5.large', 'm5.large', 'r5.large']);
    expect(candidateInstanceTypes(pool, 'us-east-1', 'on-demand')).toEqual(['c5.large', 'm5.large', 'r5.large']);
  });

  it('is empty for spot when the pool is on-demand only, explicitly or by default', () => {
    expect(candidateInstanceTypes(nodePool([SMALL_TYPES]), 'us-east-1', 'spot')).toEqual([]);
    expect(candidateInstanceTypes(nodePool([SMALL_TYPES]), 'us-east-1', 'on-demand')).toHaveLength(3);
  });

  it('leaves out types not sold as spot or not offered in the region', () => {
    const spotTypes = candidateInstanceTypes(nodePool([SPOT_AND_ON_DEMAND]), 'eu-west-1', 'spot');
    for (const name of spotTypes) {
      expect(catalog().get(name)!.supportsSpot).toBe(true);
      expect(catalog().zones('eu-west-1', name).length).toBeGreaterThan(0);
    }
    expect(spotTypes.length).toBeGreaterThan(100);
  });
});
