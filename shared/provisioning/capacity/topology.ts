// Pod-to-pod constraints, compiled per pod class: topology spread on zone and hostname,
// required anti-affinity on hostname, required affinity on zone. Selectors match pods of the
// same namespace (as Kubernetes does without namespaceSelector); an empty selector matches all.
import { LABEL } from '../labels.ts';
import { canonicalLabelKey, selectorMatches } from '../requirements.ts';
import type { PodClass } from './pod-classes.ts';

export const HOSTNAME_KEY = 'kubernetes.io/hostname';

export interface SpreadRule {
  group: number;
  maxSkew: number;
  /** The declaring pods match their own selector, so each one placed raises the count. */
  selfMatch: boolean;
}

export interface ClassTopology {
  zoneSpread: SpreadRule[];
  hostSpread: SpreadRule[];
  zoneAffinity: Array<{ group: number; selfMatch: boolean }>;
  /** Classes whose pods may not share a node with this class's pods (either side's anti-affinity). */
  conflicts: Set<number>;
  /** Groups whose per-zone counts this class's pods add to. */
  zoneGroups: number[];
  /** Groups whose per-node counts this class's pods add to. */
  hostGroups: number[];
  /** Why the planner cannot honour a constraint of this class; its pods are reported unschedulable. */
  unsupported?: string;
}

interface SelectorGroup {
  namespace: string;
  selector: Record<string, string>;
  zoneCounted: boolean;
  hostCounted: boolean;
}

function selects(group: { namespace: string; selector: Record<string, string> }, cls: PodClass): boolean {
  return cls.template.namespace === group.namespace && selectorMatches(group.selector, cls.template.labels);
}

export function compileTopology(classes: PodClass[]): ClassTopology[] {
  const groups: SelectorGroup[] = [];
  const groupIndex = new Map<string, number>();
  const groupOf = (namespace: string, selector: Record<string, string>): number => {
    const key = `${namespace}\u0000${JSON.stringify(Object.entries(selector).sort())}`;
    let index = groupIndex.get(key);
    if (index === undefined) {
      index = groups.length;
      groups.push({ namespace, selector, zoneCounted: false, hostCounted: false });
      groupIndex.set(key, index);
    }
    return index;
  };

  const result: ClassTopology[] = classes.map((cls) => {
    const pod = cls.template;
    const topology: ClassTopology = { zoneSpread: [], hostSpread: [], zoneAffinity: [], conflicts: new Set(), zoneGroups: [], hostGroups: [] };
    for (const c of pod.topologySpread) {
      // ScheduleAnyway is a preference: like Karpenter, nodewright relaxes it rather than pay for it.
      if (c.whenUnsatisfiable !== 'DoNotSchedule') continue;
      const key = canonicalLabelKey(c.topologyKey);
      if (key !== LABEL.zone && key !== HOSTNAME_KEY) continue; // unknown keys are ignored, as Karpenter does
      const group = groupOf(pod.namespace, c.labelSelector);
      const rule = { group, maxSkew: c.maxSkew, selfMatch: selects(groups[group]!, cls) };
      if (key === LABEL.zone) {
        groups[group]!.zoneCounted = true;
        topology.zoneSpread.push(rule);
      } else {
        groups[group]!.hostCounted = true;
        topology.hostSpread.push(rule);
      }
    }
    for (const term of pod.podAffinity ?? []) {
      if (canonicalLabelKey(term.topologyKey) !== LABEL.zone) {
        topology.unsupported = `required pod affinity on ${term.topologyKey} is not supported by the planner (only ${LABEL.zone})`;
        continue;
      }
      const group = groupOf(pod.namespace, term.labelSelector);
      groups[group]!.zoneCounted = true;
      topology.zoneAffinity.push({ group, selfMatch: selects(groups[group]!, cls) });
    }
    for (const term of pod.podAntiAffinity) {
      if (term.topologyKey !== HOSTNAME_KEY) {
        topology.unsupported = `required pod anti-affinity on ${term.topologyKey} is not supported by the planner (only ${HOSTNAME_KEY})`;
      }
    }
    return topology;
  });

  // Anti-affinity is symmetric in effect: neither pod may join a node holding the other.
  classes.forEach((cls, a) => {
    for (const term of cls.template.podAntiAffinity) {
      if (term.topologyKey !== HOSTNAME_KEY) continue;
      const target = { namespace: cls.template.namespace, selector: term.labelSelector };
      classes.forEach((other, b) => {
        if (!selects(target, other)) return;
        result[a]!.conflicts.add(b);
        result[b]!.conflicts.add(a);
      });
    }
  });

  groups.forEach((group, g) => {
    if (!group.zoneCounted && !group.hostCounted) return;
    classes.forEach((cls, c) => {
      if (!selects(group, cls)) return;
      if (group.zoneCounted) result[c]!.zoneGroups.push(g);
      if (group.hostCounted) result[c]!.hostGroups.push(g);
    });
  });
  return result;
}

/**
 * Per class, the zone-spread rules its pods are placed by: its own, and one per group another
 * class's zone spread counts its pods in, at that spread's maxSkew (the smallest when several
 * spreads count the group). Pods a spread counts change the skew the declaring pods meet
 * wherever they land, so they too go to nodes of a settled zone, evenly: otherwise EC2 could put
 * them all in one zone and leave the spread unsatisfiable.
 */
export function zonePlacementRules(topologies: ClassTopology[]): SpreadRule[][] {
  const skewOf = new Map<number, number>();
  for (const t of topologies) for (const rule of t.zoneSpread) skewOf.set(rule.group, Math.min(skewOf.get(rule.group) ?? rule.maxSkew, rule.maxSkew));
  return topologies.map((t) => {
    const own = new Set(t.zoneSpread.map((rule) => rule.group));
    const counted = t.zoneGroups.filter((g) => skewOf.has(g) && !own.has(g));
    return [...t.zoneSpread, ...counted.map((group) => ({ group, maxSkew: skewOf.get(group)!, selfMatch: true }))];
  });
}

export function groupCount(topologies: ClassTopology[]): number {
  let max = -1;
  for (const t of topologies) {
    for (const g of [...t.zoneGroups, ...t.hostGroups]) max = Math.max(max, g);
    for (const r of [...t.zoneSpread, ...t.hostSpread]) max = Math.max(max, r.group);
    for (const r of t.zoneAffinity) max = Math.max(max, r.group);
  }
  return max + 1;
}

/** Pods that may not share a node beyond `perNode` of them: each group needs ceil(pods / perNode) nodes at least. */
export interface ForcedNodeGroup {
  classes: number[];
  perNode: number;
}

/**
 * Cliques of mutual hostname anti-affinity (built greedily, largest classes first) and hostname
 * spreads over pods that match their own selector. `include` leaves out classes no plan places.
 */
export function forcedNodeGroups(topologies: ClassTopology[], podCounts: number[], include: (c: number) => boolean): ForcedNodeGroup[] {
  const groups: ForcedNodeGroup[] = [];
  const selfConflicting = topologies
    .map((_, c) => c)
    .filter((c) => include(c) && topologies[c]!.conflicts.has(c))
    .sort((a, b) => podCounts[b]! - podCounts[a]!);
  const used = new Set<number>();
  for (const seed of selfConflicting) {
    if (used.has(seed)) continue;
    const clique = [seed];
    for (const c of selfConflicting) {
      if (c === seed || used.has(c)) continue;
      if (clique.every((d) => topologies[c]!.conflicts.has(d))) clique.push(c);
    }
    clique.forEach((c) => used.add(c));
    groups.push({ classes: clique, perNode: 1 });
  }
  const byGroup = new Map<number, ForcedNodeGroup>();
  topologies.forEach((t, c) => {
    if (!include(c)) return;
    for (const rule of t.hostSpread) {
      if (!rule.selfMatch) continue;
      const entry = byGroup.get(rule.group) ?? { classes: [], perNode: rule.maxSkew };
      entry.classes.push(c);
      entry.perNode = Math.min(entry.perNode, rule.maxSkew);
      byGroup.set(rule.group, entry);
    }
  });
  groups.push(...byGroup.values());
  return groups;
}
