// Which of the moving pods whose zone spread pins the replacement could instead be scheduled on
// the free room of nodes that stay, as kube-scheduler would place them after the drain: those
// pods then need not pull the replacement into their zone. Karpenter does the same when it
// simulates scheduling onto existing nodes before it launches capacity.
//
// Conservative on purpose: only pods whose one pod-to-pod rule is zone spread are considered (no
// pod affinity, anti-affinity or hostname spread), each node is checked with kube-scheduler's
// node filters (scheduling-filters.ts: Ready, not cordoned, taints, nodeSelector and affinity,
// CPU, memory and pod slots), and the pods placed one at a time, each within its spread's
// maxSkew given the pods already there. The replacement is still sized for every moving pod: if
// the room is gone by the time they are evicted, they fit on the replacement.
import type { ClusterNode, Pod, Resources } from '../types.ts';
import { LABEL } from './labels.ts';
import { canonicalLabelKey, selectorMatches } from './requirements.ts';
import type { PlacedPod } from './existing-topology.ts';
import { addRequests, isNodeReady, unschedulableReason } from '../scheduling-filters.ts';

/** A node that stays, and the requests of the live pods on it (with their count as `pods`). */
export interface ExistingNode {
  node: ClusterNode;
  used: Resources;
}

/** Nodes of `zones` that could take pods now (Ready, not cordoned, allocatable known, not `leaving`). */
export function openNodesIn(nodes: ClusterNode[], leaving: string, zones: string[]): ClusterNode[] {
  return nodes.filter((n) => n.name !== leaving && !n.unschedulable && n.allocatable !== undefined && isNodeReady(n) && zones.includes(n.labels[LABEL.zone] ?? ''));
}

/** The open nodes with what the unfinished pods bound to them request (their count as `pods`). */
export function roomOf(open: ClusterNode[], scheduled: Pod[]): ExistingNode[] {
  const used = new Map<string, Resources>(open.map((n) => [n.name, { cpuMillis: 0, memoryBytes: 0, pods: 0 }]));
  for (const pod of scheduled) {
    const total = pod.nodeName === undefined ? undefined : used.get(pod.nodeName);
    if (total && pod.phase !== 'Succeeded' && pod.phase !== 'Failed') used.set(pod.nodeName!, addRequests(total, pod.requests));
  }
  return open.map((node) => ({ node, used: used.get(node.name)! }));
}

const zoneSpreads = (pod: Pod) =>
  pod.topologySpread.filter((c) => c.whenUnsatisfiable === 'DoNotSchedule' && canonicalLabelKey(c.topologyKey) === LABEL.zone);

/** Whether the pod's only pod-to-pod rules are zone spreads. */
function spreadsOnZoneOnly(pod: Pod): boolean {
  if ((pod.podAffinity ?? []).length > 0 || pod.podAntiAffinity.length > 0) return false;
  return zoneSpreads(pod).length > 0 && pod.topologySpread.every((c) => c.whenUnsatisfiable !== 'DoNotSchedule' || canonicalLabelKey(c.topologyKey) === LABEL.zone);
}

/** Whether one more pod of the spread's group in `zone` keeps every zone spread of the pod within maxSkew. */
function spreadAllows(pod: Pod, zone: string, placed: PlacedPod[], zones: string[]): boolean {
  return zoneSpreads(pod).every((rule) => {
    const counts = new Map<string, number>(zones.map((z) => [z, 0]));
    for (const p of placed) {
      if (p.pod.namespace === pod.namespace && selectorMatches(rule.labelSelector, p.pod.labels)) counts.set(p.zone, (counts.get(p.zone) ?? 0) + 1);
    }
    const fewest = Math.min(...counts.values());
    return (counts.get(zone) ?? 0) + 1 - fewest <= rule.maxSkew;
  });
}

/**
 * The moving pods (of those spreading on zone only) that nodes staying could take now, with the
 * zone each would land in; first fit over the nodes in name order.
 */
export function absorbableSpreadPods(moving: Pod[], placed: PlacedPod[], existing: ExistingNode[], zones: string[]): PlacedPod[] {
  const nodes = existing
    .map(({ node, used }) => ({ node, used: { ...used }, zone: node.labels[LABEL.zone] }))
    .filter((n): n is { node: ClusterNode; used: Resources; zone: string } => n.zone !== undefined && zones.includes(n.zone))
    .sort((a, b) => a.node.name.localeCompare(b.node.name));
  const absorbed: PlacedPod[] = [];
  for (const pod of moving) {
    if (!spreadsOnZoneOnly(pod) || (pod.requests.gpus ?? 0) > 0) continue;
    const target = nodes.find((n) => unschedulableReason(pod, n.node, n.used) === undefined && spreadAllows(pod, n.zone, [...placed, ...absorbed], zones));
    if (!target) continue;
    target.used = addRequests(target.used, pod.requests);
    absorbed.push({ pod, zone: target.zone });
  }
  return absorbed;
}
