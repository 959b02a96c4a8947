// The kube-scheduler filters that look at other pods: required pod anti-affinity (both ways),
// required pod affinity, and DoNotSchedule topology spread. Built once per scheduling pass from
// the pods already bound, and told of each pod the pass binds, so later pods see it.
//
// As kube-scheduler's defaults: selectors match pods of the pod's own namespace; spread counts
// the nodes that pass the pod's nodeSelector/affinity (nodeAffinityPolicy Honor) whether or not
// they are tainted or cordoned (nodeTaintsPolicy Ignore), skew = pods in the candidate's domain
// + 1 (when the pod matches its own selector) - the fewest in any counted domain; a node without
// the topology key cannot take a pod that spreads on it. The first pod of a group may ignore its
// own required affinity when no pod matches it anywhere.
import type { ClusterNode, Pod } from '../types.ts';
import { selects } from './pdb.ts';
import { matchesNodeConstraints } from '../scheduling-filters.ts';

export interface BoundPod {
  pod: Pod;
  node: ClusterNode;
  /** Terminating pods still count for (anti-)affinity, not for spread, as in kube-scheduler. */
  terminating: boolean;
}

const sameGroup = (pod: Pod, other: Pod, selector: Record<string, string>) =>
  other.namespace === pod.namespace && selects(selector, other.labels);

export class PodTopology {
  private readonly bound: BoundPod[];

  constructor(
    private readonly nodes: ClusterNode[],
    bound: BoundPod[],
  ) {
    this.bound = [...bound];
  }

  bind(pod: Pod, node: ClusterNode): void {
    this.bound.push({ pod, node, terminating: false });
  }

  /** Why the pod may not go on the node because of other pods, or undefined. */
  reason(pod: Pod, node: ClusterNode): string | undefined {
    for (const term of pod.podAntiAffinity) {
      const domain = node.labels[term.topologyKey];
      if (domain === undefined) continue;
      if (this.bound.some((b) => b.node.labels[term.topologyKey] === domain && sameGroup(pod, b.pod, term.labelSelector))) {
        return `pod anti-affinity on ${term.topologyKey}`;
      }
    }
    for (const b of this.bound) {
      for (const term of b.pod.podAntiAffinity) {
        const domain = b.node.labels[term.topologyKey];
        if (domain !== undefined && node.labels[term.topologyKey] === domain && sameGroup(b.pod, pod, term.labelSelector)) {
          return `anti-affinity of pod ${b.pod.namespace}/${b.pod.name} on ${term.topologyKey}`;
        }
      }
    }
    for (const term of pod.podAffinity ?? []) {
      const domain = node.labels[term.topologyKey];
      const matching = this.bound.filter((b) => sameGroup(pod, b.pod, term.labelSelector));
      if (matching.length === 0 && sameGroup(pod, pod, term.labelSelector)) continue;
      if (domain === undefined || !matching.some((b) => b.node.labels[term.topologyKey] === domain)) {
        return `pod affinity on ${term.topologyKey}`;
      }
    }
    for (const rule of pod.topologySpread) {
      if (rule.whenUnsatisfiable !== 'DoNotSchedule') continue;
      const key = rule.topologyKey;
      const domain = node.labels[key];
      if (domain === undefined) return `topology spread on ${key}: node has no ${key} label`;
      const counts = new Map<string, number>();
      for (const candidate of this.nodes) {
        const value = candidate.labels[key];
        if (value !== undefined && matchesNodeConstraints(pod, candidate.labels)) counts.set(value, 0);
      }
      for (const b of this.bound) {
        const value = b.node.labels[key];
        if (!b.terminating && value !== undefined && counts.has(value) && sameGroup(pod, b.pod, rule.labelSelector)) counts.set(value, counts.get(value)! + 1);
      }
      const fewest = Math.min(...counts.values());
      const self = sameGroup(pod, pod, rule.labelSelector) ? 1 : 0;
      if ((counts.get(domain) ?? 0) + self - fewest > rule.maxSkew) return `topology spread on ${key}: skew above ${rule.maxSkew}`;
    }
    return undefined;
  }
}
