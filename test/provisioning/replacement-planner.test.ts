// planReplacement on the tiny hand-checkable catalog: one node for all of an interrupted node's
// pods, planned by the multi-node planner's machinery with live prices injected.
import { describe, expect, it } from 'vitest';
import { CapacityUnavailableError, NoCompatibleOfferingError } from '../../shared/errors.ts';
import {
  EXCLUSION, candidateInstanceTypes, planReplacement, type ReplacementInput,
} from '../../shared/provisioning/index.ts';
import type { Requirement, UnavailableOffering } from '../../shared/types.ts';
import { BARE_NODE_CLASS, NOW, ON_DEMAND, spotPrice, tinyOptions, tinyPool } from './capacity-fixtures.ts';
import { GiB, SPOT_AND_ON_DEMAND, excludedCount, nodeClass, planTypes, pod } from './fixtures.ts';

const ZONE_A = 'us-east-1a';
const ZONE_B = 'us-east-1b';
const OPTIONS = tinyOptions();

function input(overrides: Partial<ReplacementInput> = {}): ReplacementInput {
  return {
    pods: [pod('web', { cpu: 500, memoryGiB: 1 })],
    daemonSetPods: [],
    nodePool: tinyPool(),
    nodeClass: BARE_NODE_CLASS,
    region: 'us-east-1',
    zones: [ZONE_A],
    spotPrices: [],
    unavailable: [],
    now: NOW,
    ...overrides,
  };
}

const families = (...values: string[]): Requirement => ({ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values });
const refused = (instanceType: string, zone: string, capacityType: 'spot' | 'on-demand'): UnavailableOffering =>
  ({ instanceType, zone, capacityType, until: '2026-08-01T12:03:00Z', reason: 'InsufficientInstanceCapacity' });

describe('planReplacement with injected prices', () => {
  it('ranks by the on-demand prices the caller passes in, not the snapshot', () => {
    const prices = { 'c1.1x': 0.3, 'c1.2x': 0.4, 'c1.4x': 0.5, 'r1.1x': 0.12 };
    const plan = planReplacement(input({ nodePool: tinyPool([ON_DEMAND, families('c1', 'r1')]) }), tinyOptions(undefined, prices));
    // c1.metal is in family c1, which the pool names, but has no price in this table.
    expect(plan.offerings.map((o) => [o.instanceType, o.price])).toEqual([['r1.1x', 0.12], ['c1.1x', 0.3], ['c1.2x', 0.4], ['c1.4x', 0.5]]);
    expect(excludedCount(plan, EXCLUSION.noOnDemandPrice)).toBe(1);
  });

  it('asks candidateInstanceTypes of the injected catalog too', () => {
    expect(candidateInstanceTypes(tinyPool([SPOT_AND_ON_DEMAND, families('r1', 'a1')]), 'us-east-1', 'spot', OPTIONS)).toEqual(['a1.1x', 'r1.1x']);
  });
});

describe('planReplacement: one node holds every pod', () => {
  it('never splits the pods: three 2500m pods need one 8-vCPU node, not three small ones', () => {
    const pods = [1, 2, 3].map((i) => pod(`api-${i}`, { cpu: 2500, memoryGiB: 4 }));
    const plan = planReplacement(input({ pods }), OPTIONS);
    expect(plan.offerings).toEqual([{ instanceType: 'c1.4x', zone: ZONE_A, capacityType: 'on-demand', price: 0.36 }]);
    // c1.1x, c1.2x, r1.1x and a1.1x hold 2000-4000m; g1.1x and c1.metal are special hardware nobody asked for.
    expect(excludedCount(plan, EXCLUSION.tooSmall)).toBe(4);
    expect(excludedCount(plan, EXCLUSION.specialHardware)).toBe(2);
  });

  it('plans the cheapest ordinary type for a node that held only DaemonSet pods', () => {
    const plan = planReplacement(input({ pods: [] }), OPTIONS);
    expect(plan.offerings[0]).toEqual({ instanceType: 'a1.1x', zone: ZONE_A, capacityType: 'on-demand', price: 0.08 });
    expect(planTypes(plan)).not.toContain('g1.1x');
    expect(planTypes(plan)).not.toContain('c1.metal');
  });

  it('refuses pods pinned to different zones: no single offering takes them all', () => {
    const pods = [pod('in-a', { nodeSelector: { 'topology.kubernetes.io/zone': ZONE_A } }), pod('in-b', { nodeSelector: { 'topology.kubernetes.io/zone': ZONE_B } })];
    const call = () => planReplacement(input({ pods, zones: [ZONE_A, ZONE_B] }), OPTIONS);
    expect(call).toThrow(NoCompatibleOfferingError);
    expect(call).toThrow(/fits 2 pods needing 1000m CPU \/ 2Gi memory .*: 5 x instance type excluded by the pods' nodeSelector\/affinity; 2 x metal, GPU/);
  });

  it('keeps the node within the NodePool limits: no type larger than the whole limit', () => {
    const pool = tinyPool([ON_DEMAND], { limits: { cpu: '4' } });
    const plan = planReplacement(input({ nodePool: pool, pods: [pod('big', { cpu: 3000, memoryGiB: 2 })] }), OPTIONS);
    expect(planTypes(plan)).toEqual(['c1.2x']); // 4 vCPU; c1.4x has 8
    expect(excludedCount(plan, EXCLUSION.beyondPoolLimits)).toBe(1);
  });

  it('checks ephemeral storage against the node class volume', () => {
    // 20Gi default volume: 20Gi less 1Gi kube-reserved and the 10% nodefs eviction threshold leaves 17Gi.
    const pods = [pod('cache', { cpu: 500, memoryGiB: 1, requests: { cpuMillis: 500, memoryBytes: GiB, ephemeralStorageBytes: 18 * GiB } })];
    expect(() => planReplacement(input({ pods }), OPTIONS)).toThrow(/needing 500m CPU \/ 1Gi memory \/ 18Gi ephemeral storage/);
    const bigDisk = nodeClass({
      ...BARE_NODE_CLASS,
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '100Gi' }, rootVolume: true }],
    });
    expect(planReplacement(input({ pods, nodeClass: bigDisk }), OPTIONS).offerings[0]!.instanceType).toBe('a1.1x');
  });
});

describe('planReplacement: what was left out, and why', () => {
  it('counts one reason per type, then one per offering of the types that fit', () => {
    // Pool: c1.1x, c1.2x and r1.1x, spot or on-demand, in zones a and b; the pod wants category c.
    const pool = tinyPool([SPOT_AND_ON_DEMAND, { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['c1.1x', 'c1.2x', 'r1.1x'] }]);
    const plan = planReplacement(input({
      nodePool: pool,
      zones: [ZONE_A, ZONE_B],
      pods: [pod('web', { requiredNodeAffinity: [[{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c'] }]] })],
      spotPrices: [spotPrice('c1.1x', ZONE_A, 0.04), spotPrice('c1.2x', ZONE_B, 0.05), spotPrice('c1.2x', ZONE_A, 0.15), spotPrice('c1.1x', ZONE_B, 0.03)],
      unavailable: [refused('c1.1x', ZONE_B, 'spot')],
    }), OPTIONS);
    expect(plan.capacityType).toBe('spot');
    expect(plan.offerings).toEqual([
      { instanceType: 'c1.1x', zone: ZONE_A, capacityType: 'spot', price: 0.04 },
      { instanceType: 'c1.2x', zone: ZONE_B, capacityType: 'spot', price: 0.05 },
    ]);
    expect(plan.excluded).toEqual([
      { reason: EXCLUSION.nodePoolRequirements, count: 4 }, // the other four tiny types
      { reason: EXCLUSION.podConstraints, count: 1 }, // r1.1x
      { reason: EXCLUSION.recentlyUnavailable, count: 1 }, // c1.1x spot in b
      { reason: EXCLUSION.spotDearerThanOnDemand, count: 1 }, // c1.2x spot in a at 0.15 > c1.1x on-demand at 0.1
      { reason: EXCLUSION.otherCapacityType, count: 4 }, // c1.1x and c1.2x on-demand in a and b
    ]);
  });

  it('keeps a spot offering priced exactly like the cheapest on-demand one', () => {
    const plan = planReplacement(input({ nodePool: tinyPool([SPOT_AND_ON_DEMAND, families('c1')]), spotPrices: [spotPrice('c1.1x', ZONE_A, 0.1)] }), OPTIONS);
    expect(plan.offerings).toEqual([{ instanceType: 'c1.1x', zone: ZONE_A, capacityType: 'spot', price: 0.1 }]);
  });

  it('says capacity is unavailable only when the refusals alone stand in the way', () => {
    const bigPods = [1, 2].map((i) => pod(`api-${i}`, { cpu: 3000, memoryGiB: 4 })); // 6000m: only c1.4x holds it
    const allC14x = [refused('c1.4x', ZONE_A, 'on-demand')];
    expect(() => planReplacement(input({ pods: bigPods, unavailable: allC14x }), OPTIONS)).toThrow(CapacityUnavailableError);
    // A refusal of a type too small for the pods changes nothing: planning again later will not help.
    const tooBig = [pod('huge', { cpu: 9000, memoryGiB: 4 })];
    const call = () => planReplacement(input({ pods: tooBig, unavailable: [refused('c1.1x', ZONE_A, 'on-demand')] }), OPTIONS);
    expect(call).toThrow(NoCompatibleOfferingError);
    expect(call).toThrow(/5 x instance type too small/);
  });
});
