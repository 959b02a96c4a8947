// A node being packed (packer.ts), and the two questions every placement asks of it: how many
// more pods of a class it can take as it stands (resources, offerings the pods accept, zones,
// hostname rules), and what it becomes once they join. Neither touches the plan-wide counts
// (pods per zone, capacity per pool): the packer keeps those.
import { INCOMPATIBLE } from './class-fit.ts';
import type { NodeLoad } from './node-offerings.ts';
import { bestPrice } from './pool-table.ts';
import type { PlanningSetup } from './setup.ts';

/**
 * A node being packed: its load (pool, zones it may be in whatever its type, summed requests:
 * NodeLoad) and how it was opened and filled.
 */
export interface PlanNode extends NodeLoad {
  /** Opening order: the first-fit scan list stays sorted by it. */
  id: number;
  /** Index in pool.types of the type the node was opened with. */
  type: number;
  /** Zone masks of the opening type's offerings every pod on the node accepts. */
  spot: number;
  od: number;
  classes: number[];
  counts: number[];
  podIds: string[];
  /** Pods on the node per hostname-spread selector group. */
  hostCounts: Map<number, number>;
  /**
   * Per group, the smallest maxSkew of the hostname spreads of pods on the node: kube-scheduler
   * may place those pods last, so the node may never hold more pods of the group than that.
   * Absent until a pod with a hostname spread joins (most nodes: none).
   */
  hostCaps?: Map<number, number>;
}

export const isSingleZone = (mask: number): boolean => mask !== 0 && (mask & (mask - 1)) === 0;
export const zoneOfMask = (mask: number): number => 31 - Math.clz32(mask);

/** How many more pods of class c the node can take, as it stands. */
export function roomFor(setup: PlanningSetup, node: PlanNode, c: number, zoneMask: number): number {
  const cls = setup.classes[c]!;
  const type = node.pool.types[node.type]!;
  // Resources first: the cheapest test, and the one most nodes of a long scan fail.
  let limit = type.pods - node.pods;
  if (cls.cpu > 0) limit = Math.min(limit, Math.floor((type.cpu - node.cpu) / cls.cpu));
  if (cls.mem > 0) limit = Math.min(limit, Math.floor((type.mem - node.mem) / cls.mem));
  if (cls.gpus > 0) limit = Math.min(limit, Math.floor((type.gpus - node.gpus) / cls.gpus));
  if (cls.storage > 0) limit = Math.min(limit, Math.floor((type.storage - node.storage) / cls.storage));
  // Pods other pods' hostname spreads on the node count: never past those spreads' maxSkew.
  if (node.hostCaps) {
    for (const g of setup.topologies[c]!.hostGroups) {
      const cap = node.hostCaps.get(g);
      if (cap !== undefined) limit = Math.min(limit, cap - (node.hostCounts.get(g) ?? 0));
    }
  }
  if (limit <= 0) return 0;
  const fit = setup.fits[c]![node.pool.index];
  if (!fit) return 0;
  const t = node.type;
  if (fit.compat[t] === INCOMPATIBLE) return 0;
  const zones = node.zoneLimit & fit.zones & zoneMask;
  const spot = node.spot & fit.spot[t]! & zones;
  const od = node.od & fit.od[t]! & zones;
  if ((spot | od) === 0) return 0;
  // Joining must not make the node dearer (a pinned zone or an on-demand-only pod on a spot node).
  if ((spot !== node.spot || od !== node.od) && bestPrice(type, spot, od) > bestPrice(type, node.spot, node.od)) return 0;

  const topology = setup.topologies[c]!;
  if (topology.conflicts.size > 0) {
    for (const d of node.classes) if (topology.conflicts.has(d)) return 0;
    if (topology.conflicts.has(c)) limit = 1;
  }
  for (const rule of topology.hostSpread) {
    const count = node.hostCounts.get(rule.group) ?? 0;
    // A new node is always possible, so the least-loaded hostname domain holds 0 pods.
    if (rule.selfMatch) limit = Math.min(limit, rule.maxSkew - count);
    else if (count > rule.maxSkew) return 0;
  }
  return Math.max(0, limit);
}

/** The node's own state after taking `count` pods of class c: zones, offerings, resources, classes, hostname counts. */
export function loadNode(setup: PlanningSetup, node: PlanNode, c: number, count: number, zoneMask: number): void {
  const fit = setup.fits[c]![node.pool.index]!;
  const cls = setup.classes[c]!;
  const zones = node.zoneLimit & fit.zones & zoneMask;
  node.zoneLimit = zones;
  node.spot &= fit.spot[node.type]! & zones;
  node.od &= fit.od[node.type]! & zones;
  node.cpu += cls.cpu * count;
  node.mem += cls.mem * count;
  node.gpus += cls.gpus * count;
  node.pods += count;
  node.storage += cls.storage * count;
  const at = node.classes.indexOf(c);
  if (at >= 0) node.counts[at]! += count;
  else {
    node.classes.push(c);
    node.counts.push(count);
  }
  for (const g of setup.topologies[c]!.hostGroups) node.hostCounts.set(g, (node.hostCounts.get(g) ?? 0) + count);
  for (const rule of setup.topologies[c]!.hostSpread) {
    node.hostCaps ??= new Map();
    node.hostCaps.set(rule.group, Math.min(node.hostCaps.get(rule.group) ?? rule.maxSkew, rule.maxSkew));
  }
}
