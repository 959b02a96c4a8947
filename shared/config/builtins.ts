// The two NodePools EKS Auto Mode ships with, and the `default` node class they use, in
// Karpenter's own label names. Per the EKS user guide: on-demand only, C/M/R families, generation
// 5 or newer, Linux; `system` adds the CriticalAddonsOnly taint and arm64; Auto Mode's disruption
// defaults are a 336h lifetime, one 10% budget, consolidation of underutilized nodes after 30s,
// and a 24h termination grace period.
import type { NodeClass, NodePool, Requirement } from '../types.ts';
import { DEFAULT_METADATA_OPTIONS } from './nodeclass.ts';
import { EC2_NODE_CLASS_REF } from './nodepool.ts';

export const BUILTIN_NODE_CLASS_NAME = 'default';
/** Tag the built-in node class selects subnets and security groups by (Karpenter's discovery tag). */
export const DISCOVERY_TAG = 'karpenter.sh/discovery';
/** IAM role the built-in node class gives nodes; the infrastructure creates it under this name. */
export const BUILTIN_NODE_ROLE = 'nodewright-node';

function autoModeRequirements(architectures: string[]): Requirement[] {
  return [
    { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
    { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
    { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['4'] },
    { key: 'kubernetes.io/arch', operator: 'In', values: architectures },
    { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
  ];
}

function autoModePool(name: string, architectures: string[], taints: NodePool['taints']): NodePool {
  return {
    name,
    weight: 0,
    labels: {},
    taints,
    startupTaints: [],
    requirements: autoModeRequirements(architectures),
    nodeClassRef: { ...EC2_NODE_CLASS_REF, name: BUILTIN_NODE_CLASS_NAME },
    limits: {},
    disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '30s', budgets: [{ nodes: '10%' }] },
    expireAfter: '336h',
    terminationGracePeriod: '24h',
  };
}

export const builtinNodePools: NodePool[] = deepFreeze([
  autoModePool('general-purpose', ['amd64'], []),
  autoModePool('system', ['amd64', 'arm64'], [{ key: 'CriticalAddonsOnly', effect: 'NoSchedule' }]),
]);

/**
 * The built-in `default` class: latest Amazon Linux 2023 EKS AMI, subnets and security groups
 * carrying the discovery tag with any value. Use builtinNodeClassForCluster to narrow the tag
 * to one cluster where the cluster name is known.
 */
export const builtinNodeClass: NodeClass = deepFreeze(builtinNodeClassForCluster('*'));

/** The built-in class selecting only resources tagged `karpenter.sh/discovery: <clusterName>`. */
export function builtinNodeClassForCluster(clusterName: string): NodeClass {
  return {
    name: BUILTIN_NODE_CLASS_NAME,
    amiSelectorTerms: [{ alias: 'al2023@latest' }],
    subnetSelectorTerms: [{ tags: { [DISCOVERY_TAG]: clusterName } }],
    securityGroupSelectorTerms: [{ tags: { [DISCOVERY_TAG]: clusterName } }],
    role: BUILTIN_NODE_ROLE,
    kubelet: {},
    blockDeviceMappings: [],
    tags: {},
    metadataOptions: { ...DEFAULT_METADATA_OPTIONS },
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
