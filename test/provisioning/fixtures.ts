// Builders for the domain objects the provisioning tests need; every field explicit, defaults boring.
import type { ReplacementPlan } from '../../shared/provisioning/index.ts';
import type { NodeClass, NodePool, Pod, Requirement } from '../../shared/types.ts';

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;

export function pod(name: string, overrides: Partial<Pod> & { cpu?: number; memoryGiB?: number; gpus?: number; gpuResource?: string } = {}): Pod {
  const { cpu = 500, memoryGiB = 1, gpus, gpuResource, ...rest } = overrides;
  return {
    namespace: 'default',
    name,
    uid: `uid-${name}`,
    phase: 'Running',
    labels: {},
    annotations: {},
    requests: { cpuMillis: cpu, memoryBytes: memoryGiB * GiB, ...(gpus !== undefined ? { gpus } : {}), ...(gpuResource ? { gpuResource } : {}) },
    nodeSelector: {},
    requiredNodeAffinity: [],
    tolerations: [],
    topologySpread: [],
    podAntiAffinity: [],
    ...rest,
  };
}

export function nodePool(requirements: Requirement[], overrides: Partial<NodePool> = {}): NodePool {
  return {
    name: 'default',
    weight: 0,
    labels: {},
    taints: [],
    startupTaints: [],
    requirements,
    nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
    limits: {},
    disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '0s', budgets: [{ nodes: '10%' }] },
    expireAfter: '720h',
    ...overrides,
  };
}

export function nodeClass(overrides: Partial<NodeClass> = {}): NodeClass {
  return {
    name: 'default',
    amiSelectorTerms: [{ alias: 'al2023@latest' }],
    subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'demo' } }],
    securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'demo' } }],
    role: 'KarpenterNodeRole-demo',
    kubelet: {},
    blockDeviceMappings: [],
    tags: {},
    ...overrides,
  };
}

export const SPOT_AND_ON_DEMAND: Requirement = { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] };

/** The distinct instance types of a replacement plan, in rank order. */
export const planTypes = (plan: ReplacementPlan) => [...new Set(plan.offerings.map((o) => o.instanceType))];
/** How many candidates a replacement plan left out for this reason. */
export const excludedCount = (plan: ReplacementPlan, reason: string) => plan.excluded.find((e) => e.reason === reason)?.count ?? 0;
