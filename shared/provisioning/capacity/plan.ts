// planCapacity: the set of new nodes with the least hourly cost that holds the pods, honouring
// every constraint. Pure: no clock, no I/O; the catalog and prices can be injected for tests.
import { Exclusions } from '../offering-rules.ts';
import type { CapacityPlan, CapacityRequest, PlannerOptions } from './model.ts';
import { finalizeNodes } from './node-offerings.ts';
import { pack } from './packer.ts';
import { preparePlanning } from './setup.ts';

export function planCapacity(request: CapacityRequest, options: PlannerOptions = {}): CapacityPlan {
  const setup = preparePlanning(request, options);
  const packed = pack(setup);
  const { planned, unschedulable } = finalizeNodes(setup, packed.nodes);
  const excluded = new Exclusions();
  for (const pool of setup.pools) excluded.merge(pool.exclusions);
  // Rounded to a millionth of a dollar, as EC2 quotes prices: sums of floats drift otherwise.
  const hourlyCost = Math.round(planned.reduce((sum, node) => sum + node.hourlyPrice, 0) * 1e6) / 1e6;
  return {
    nodes: planned,
    unschedulable: [...packed.unschedulable, ...unschedulable],
    hourlyCost,
    excluded: excluded.list(),
  };
}
