// kube-scheduler's node filters: taints and tolerations, nodeSelector, required node affinity,
// readiness, cordon and resource fit. The simulated scheduler applies them, and the replacement
// planner asks them whether an existing node could take a pod. Pure functions over domain types.
// Label matching here is kube-scheduler's, literal: a key matches only itself. It is deliberately
// not provisioning/requirements.ts, which reads requirements as Karpenter does (EKS Auto Mode
// label names as aliases): a pod selecting an alias the node does not carry stays pending in a
// real cluster, so it must in the simulator and the planner's view of existing nodes too.

import type { ClusterNode, Pod, Requirement, Resources, Taint, Toleration } from './types.ts';

/** v1helper.TolerationsTolerateTaint for one toleration. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key !== undefined && toleration.key !== '' && toleration.key !== taint.key) return false;
  const operator = toleration.operator ?? 'Equal';
  if (operator === 'Exists') return true;
  // An empty key with Equal matches nothing: only Exists may leave the key empty.
  if (!toleration.key) return false;
  return (toleration.value ?? '') === (taint.value ?? '');
}

/** The taints that keep this pod off the node (PreferNoSchedule never does). */
export function untoleratedTaints(pod: Pod, node: ClusterNode): Taint[] {
  return node.taints.filter((t) => t.effect !== 'PreferNoSchedule' && !pod.tolerations.some((tol) => toleratesTaint(tol, t)));
}

export function requirementMatches(requirement: Requirement, labels: Record<string, string>): boolean {
  const value = labels[requirement.key];
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt':
    case 'Gte':
    case 'Lte': {
      if (value === undefined || values.length !== 1) return false;
      const actual = Number.parseInt(value, 10);
      const bound = Number.parseInt(values[0] as string, 10);
      if (Number.isNaN(actual) || Number.isNaN(bound)) return false;
      if (requirement.operator === 'Gt') return actual > bound;
      if (requirement.operator === 'Lt') return actual < bound;
      if (requirement.operator === 'Gte') return actual >= bound;
      return actual <= bound;
    }
  }
}

/** nodeSelector (every pair) and required node affinity (any term, every requirement of it). */
export function matchesNodeConstraints(pod: Pod, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(pod.nodeSelector)) if (labels[key] !== value) return false;
  if (pod.requiredNodeAffinity.length === 0) return true;
  return pod.requiredNodeAffinity.some((term) => term.every((r) => requirementMatches(r, labels)));
}

export function isNodeReady(node: ClusterNode): boolean {
  return node.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Sum of requests, counting each pod as one toward the pod limit. */
export function addRequests(total: Resources, requests: Resources): Resources {
  return {
    cpuMillis: total.cpuMillis + requests.cpuMillis,
    memoryBytes: total.memoryBytes + requests.memoryBytes,
    pods: (total.pods ?? 0) + 1,
  };
}

/** Whether `requests` fit on top of `used` within `allocatable` (CPU, memory and pod count). */
export function fitsResources(requests: Resources, used: Resources, allocatable: Resources): boolean {
  if (used.cpuMillis + requests.cpuMillis > allocatable.cpuMillis) return false;
  if (used.memoryBytes + requests.memoryBytes > allocatable.memoryBytes) return false;
  if (allocatable.pods !== undefined && (used.pods ?? 0) + 1 > allocatable.pods) return false;
  return true;
}

/** Why the pod cannot go on the node, or undefined when it can (readiness and cordon included). */
export function unschedulableReason(pod: Pod, node: ClusterNode, used: Resources): string | undefined {
  if (!isNodeReady(node)) return 'node is not Ready';
  if (node.unschedulable) return 'node is cordoned';
  const taints = untoleratedTaints(pod, node);
  if (taints.length > 0) return `untolerated taint ${taints[0]?.key}`;
  if (!matchesNodeConstraints(pod, node.labels)) return 'node labels do not match nodeSelector/affinity';
  if (!node.allocatable) return 'node has no allocatable resources yet';
  if (!fitsResources(pod.requests, used, node.allocatable)) return 'insufficient resources';
  return undefined;
}

/**
 * The least-allocated score kube-scheduler's default profile uses: the share of CPU and memory
 * left free after placing the pod, averaged; higher is better.
 */
export function leastAllocatedScore(requests: Resources, used: Resources, allocatable: Resources): number {
  const free = (capacity: number, demand: number): number => (capacity <= 0 ? 0 : Math.max(0, capacity - demand) / capacity);
  return (free(allocatable.cpuMillis, used.cpuMillis + requests.cpuMillis) + free(allocatable.memoryBytes, used.memoryBytes + requests.memoryBytes)) / 2;
}
