// After packing, nodes whose pods all fit in the room the other nodes have left are removed, as
// Karpenter's consolidation deletes a node whose pods fit elsewhere: the cheapest nodes are tried
// first, and a node goes only when the plan gets cheaper (the nodes taking its pods may need a
// dearer type than before: finalize gives each node the cheapest type that holds its pods).
//
// Why: the packer places pods in order and never looks back, so a node opened late for a few pods
// (a zone spread's odd pods, the LP's tail) often has pods that fit in room left on nodes opened
// before or after it. Pods keep their zone when any zone rule reads it (their own spread, another
// pod's spread counting them, zone affinity), so every zone count, and every skew, stays as packed;
// pods stay in their pool (chosen by weight); hostname rules and offerings are checked by roomFor
// as when packing, and a pool's limits only gain from a node removed.
import { nodePricer } from './node-offerings.ts';
import { isSingleZone, loadNode, roomFor, type PlanNode } from './plan-node.ts';
import type { PlanningSetup } from './setup.ts';

/** A copy of the node's load, for trying moves without touching it (its podIds are shared). */
function copyOf(node: PlanNode): PlanNode {
  return {
    ...node, classes: [...node.classes], counts: [...node.counts], hostCounts: new Map(node.hostCounts),
    ...(node.hostCaps ? { hostCaps: new Map(node.hostCaps) } : {}),
  };
}

/** Whether a zone rule reads where the class's pods are: such pods stay in their zone. */
function keepsZone(setup: PlanningSetup, c: number): boolean {
  const t = setup.topologies[c]!;
  return t.zoneSpread.length > 0 || t.zoneGroups.length > 0 || t.zoneAffinity.length > 0;
}

/**
 * The nodes left once those whose pods fit elsewhere for less are removed; the others take their
 * pods (changed in place). Without a price for a node (a pool with minValues: nodePricer is undefined), none
 * is removed.
 */
export function consolidate(setup: PlanningSetup, nodes: PlanNode[]): PlanNode[] {
  const pricer = nodePricer(setup, nodes);
  if (!pricer || nodes.length < 2) return nodes;
  // A node keeps the ceiling the packing's limits gave it: removing nodes only raises it, so the
  // prices compared are never below what finalize will find.
  const indexOf = new Map(nodes.map((node, i) => [node, i]));
  const priceOf = (node: PlanNode, as: PlanNode = node) => pricer(node, indexOf.get(as)!);
  const classOf = new Map<string, number>();
  for (const cls of setup.classes) for (const id of cls.podIds) classOf.set(id, cls.index);
  const prices = new Map(nodes.map((node) => [node, priceOf(node)]));
  const removed = new Set<PlanNode>();
  const cheapestFirst = [...nodes].sort((a, b) => prices.get(a)! - prices.get(b)! || a.id - b.id);
  const roomy = new RoomyNodes(nodes);
  for (const node of cheapestFirst) {
    const plan = movesFor(setup, node, roomy, removed);
    if (!plan) continue;
    let added = 0;
    for (const [target, copy] of plan.copies) added += priceOf(copy, target) - prices.get(target)!;
    if (added >= prices.get(node)! - 1e-9) continue;
    // The node's pods of each class, in order, go where the moves say.
    const podsOf = new Map<number, string[]>();
    for (const id of node.podIds) {
      const c = classOf.get(id)!;
      let list = podsOf.get(c);
      if (!list) podsOf.set(c, (list = []));
      list.push(id);
    }
    for (const [target, copy] of plan.copies) Object.assign(target, { ...copy, podIds: target.podIds });
    for (const { target, c, count } of plan.moves) target.podIds.push(...podsOf.get(c)!.splice(0, count));
    for (const target of plan.copies.keys()) prices.set(target, priceOf(target));
    removed.add(node);
  }
  return nodes.filter((node) => !removed.has(node));
}

interface Move {
  target: PlanNode;
  c: number;
  count: number;
}

/**
 * Where the node's pods would go (first fit, in packing order) and copies of the nodes taking
 * them as they would be; undefined when some pod fits nowhere.
 */
function movesFor(setup: PlanningSetup, node: PlanNode, roomy: RoomyNodes, removed: Set<PlanNode>): { copies: Map<PlanNode, PlanNode>; moves: Move[] } | undefined {
  const copies = new Map<PlanNode, PlanNode>();
  const moves: Move[] = [];
  for (let i = 0; i < node.classes.length; i++) {
    const c = node.classes[i]!;
    const zoneMask = keepsZone(setup, c) ? node.zoneLimit : setup.allZones;
    if (zoneMask !== setup.allZones && !isSingleZone(zoneMask)) return undefined;
    let left = node.counts[i]!;
    const list = roomy.of(c, zoneMask);
    // Nodes only fill up, so one with no room for the class now never has any: it leaves the list.
    let kept = 0;
    let j = 0;
    for (; j < list.length && left > 0; j++) {
      const other = list[j]!;
      if (removed.has(other)) continue;
      const room = roomFor(setup, other, c, zoneMask);
      if (room <= 0) continue;
      list[kept++] = other;
      // Pods stay in their pool: the packer chose it by weight (a tolerating pod in its tainted pool).
      if (other === node || other.pool !== node.pool) continue;
      // A node already taking some of these pods has less room than it shows for real.
      const taking = copies.get(other);
      const count = Math.min(left, taking ? roomFor(setup, taking, c, zoneMask) : room);
      if (count <= 0) continue;
      const copy = taking ?? copyOf(other);
      loadNode(setup, copy, c, count, zoneMask);
      copies.set(other, copy);
      moves.push({ target: other, c, count });
      left -= count;
    }
    while (j < list.length) list[kept++] = list[j++]!;
    list.length = kept;
    if (left > 0) return undefined;
  }
  return { copies, moves };
}

/** Per class and zone mask, the nodes that may still have room for its pods, in packing order. */
class RoomyNodes {
  private readonly lists = new Map<string, PlanNode[]>();

  constructor(private readonly nodes: PlanNode[]) {}

  of(c: number, zoneMask: number): PlanNode[] {
    const key = `${c}|${zoneMask}`;
    let list = this.lists.get(key);
    if (!list) this.lists.set(key, (list = [...this.nodes]));
    return list;
  }
}
