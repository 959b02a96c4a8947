// How many pods of one kind an empty node holds: its slots, CPU, memory and storage, and the cap
// of each forced group the kind counts in (anti-affinity, hostname spread). A pattern never holds
// more, so the LP's first columns, the grid's counts and the pricing's ceilings all use it.
import type { NodeCapacity, PatternItem } from './pattern-pricing.ts';

export function podsPerNode(node: NodeCapacity, item: PatternItem, perNode: readonly number[]): number {
  let n = node.pods;
  if (item.cpu > 0) n = Math.min(n, Math.floor(node.cpu / item.cpu));
  if (item.mem > 0) n = Math.min(n, Math.floor(node.mem / item.mem));
  if (item.storage > 0) n = Math.min(n, Math.floor(node.storage / item.storage));
  for (const g of item.groups) n = Math.min(n, perNode[g]!);
  return n;
}
