// planCapacity: the set of new nodes with the least hourly cost that holds the pods, honouring
// every constraint. Pure: no clock, no I/O; the catalog and prices can be injected for tests.
import { Exclusions } from '../offering-rules.ts';
import type { CapacityPlan, CapacityRequest, PlannedNode, PlannerOptions } from './model.ts';
import { finalizeNodes } from './node-offerings.ts';
import { pack, type NodeShape } from './packer.ts';
import { patternSeeds, type SeedNode } from './pattern-seeds.ts';
import { preparePlanning } from './setup.ts';

// Rounded to a millionth of a dollar, as EC2 quotes prices: sums of floats drift otherwise.
const costOf = (nodes: PlannedNode[]) => Math.round(nodes.reduce((sum, node) => sum + node.hourlyPrice, 0) * 1e6) / 1e6;

export function planCapacity(request: CapacityRequest, options: PlannerOptions = {}): CapacityPlan {
  const setup = preparePlanning(request, options);
  // Two packings: every node's type fitted to everything left, or each new node tried both
  // fitted to everything left and to the pods that open it (the better trial wins). Neither
  // wins on every workload and both are fast: keep the one that places more pods, then the cheaper.
  const seeds = patternSeeds(setup);
  const runs: Array<[NodeShape[], SeedNode[]]> = [[['remaining'], []], [['remaining', 'class'], []]];
  if (seeds.length > 0) runs.push([['remaining'], seeds]);
  const candidates = runs.map(([shapes, seeded]) => {
    const packed = pack(setup, shapes, seeded);
    const { planned, unschedulable } = finalizeNodes(setup, packed.nodes);
    return { nodes: planned, unschedulable: [...packed.unschedulable, ...unschedulable], hourlyCost: costOf(planned) };
  });
  const [best] = candidates.sort((a, b) => a.unschedulable.length - b.unschedulable.length || a.hourlyCost - b.hourlyCost);
  const excluded = new Exclusions();
  for (const pool of setup.pools) excluded.merge(pool.exclusions);
  return { ...best!, excluded: excluded.list() };
}
