// A tiny catalog whose numbers a reviewer can check by hand: the node class reserves nothing
// (kube-reserved 0, eviction threshold off), so a type's allocatable CPU is vCPU x 1000 and its
// memory is physical MiB less the 7.5% VM overhead; max-pods is 110.
import type { InstanceTypeInfo, PlannerOptions } from '../../shared/provisioning/index.ts';
import { inMemoryCatalog } from '../../shared/provisioning/index.ts';
import type { CapacityRequest } from '../../shared/provisioning/index.ts';
import type { NodePool, Pod, Requirement, SpotPrice } from '../../shared/types.ts';
import { nodeClass, nodePool } from './fixtures.ts';

export const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
export const NOW = new Date('2026-08-01T12:00:00Z');

export function tinyType(name: string, vcpu: number, memoryGiB: number, extra: Partial<InstanceTypeInfo> = {}): InstanceTypeInfo {
  const [family = name, size = 'large'] = name.split('.');
  return {
    name, family, category: family.replace(/[0-9].*$/, ''), generation: 1, size, vcpu, memoryMiB: memoryGiB * 1024,
    architecture: 'amd64', hypervisor: 'nitro', bareMetal: false, burstable: false, currentGeneration: true,
    supportsSpot: true, maxEnis: 8, ipv4PerEni: 30, ...extra,
  };
}

/** On-demand USD/hour of the tiny catalog: c1 is cheap CPU, r1 cheap memory, c1.4x cheaper per vCPU than c1.1x. */
export const TINY_PRICES: Record<string, number> = {
  'c1.1x': 0.1, // 2 vCPU, 4 GiB
  'c1.2x': 0.2, // 4 vCPU, 8 GiB
  'c1.4x': 0.36, // 8 vCPU, 16 GiB
  'r1.1x': 0.15, // 2 vCPU, 16 GiB
  'a1.1x': 0.08, // 2 vCPU, 4 GiB, arm64
  'g1.1x': 1.0, // 4 vCPU, 16 GiB, 1 GPU
  'c1.metal': 0.7, // 16 vCPU, 32 GiB, bare metal
};

export const TINY_TYPES: InstanceTypeInfo[] = [
  tinyType('c1.1x', 2, 4),
  tinyType('c1.2x', 4, 8),
  tinyType('c1.4x', 8, 16),
  tinyType('r1.1x', 2, 16),
  tinyType('a1.1x', 2, 4, { architecture: 'arm64', cpuManufacturer: 'aws' }),
  tinyType('g1.1x', 4, 16, { gpu: { name: 't4', manufacturer: 'nvidia', count: 1, memoryMiB: 16384 } }),
  tinyType('c1.metal', 16, 32, { bareMetal: true, hypervisor: '' }),
];

export function tinyOptions(types: InstanceTypeInfo[] = TINY_TYPES, prices: Record<string, number> = TINY_PRICES): PlannerOptions {
  const offerings = { 'us-east-1': Object.fromEntries(types.map((t) => [t.name, ZONES])) };
  return { catalog: inMemoryCatalog(types, offerings), onDemandPrice: (_region, type) => prices[type] };
}

/** Reservations off, so allocatable = capacity (less the 7.5% VM memory overhead). */
export const BARE_NODE_CLASS = nodeClass({
  kubelet: { kubeReserved: { cpu: '0', memory: '0' }, evictionHard: { 'memory.available': '100%' }, maxPods: 110 },
});

export const ON_DEMAND: Requirement = { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] };

export function tinyPool(requirements: Requirement[] = [ON_DEMAND], overrides: Partial<NodePool> = {}): NodePool {
  return nodePool(requirements, overrides);
}

export function spotPrice(instanceType: string, zone: string, price: number): SpotPrice {
  return { instanceType, zone, price, timestamp: '2026-08-01T11:00:00Z' };
}

export function request(pods: Pod[], overrides: Partial<CapacityRequest> = {}): CapacityRequest {
  return {
    pods, daemonSets: [], nodePools: [tinyPool()], nodeClasses: [BARE_NODE_CLASS], region: 'us-east-1', zones: ZONES,
    spotPrices: [], unavailable: [], now: NOW, ...overrides,
  };
}
