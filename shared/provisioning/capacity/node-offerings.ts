// Turns each packed node into its launch: the cheapest instance type that holds its pods (the
// node shrinks from the type it was opened with), and the ranked offerings for its CreateFleet
// request under the rules every plan follows: spot when a spot offering is no dearer than the
// cheapest on-demand one (dearer spot offerings dropped), at most 60 instance types, minValues
// kept, pool limits never exceeded whichever offering EC2 picks.
import type { CapacityType, PricedOffering } from '../../types.ts';
import { MAX_INSTANCE_TYPES, capInstanceTypes, minValuesShortfall } from '../offering-rules.ts';
import { COMPATIBLE, INCOMPATIBLE } from './class-fit.ts';
import type { PlannedNode } from './model.ts';
import { isSingleZone, zoneOfMask, type PlanNode, type Unschedulable } from './packer.ts';
import type { PoolTable } from './pool-table.ts';
import type { PlanningSetup } from './setup.ts';

interface RankedOffering extends PricedOffering {
  typeIndex: number;
}

/** Per pool, how much capacity each node may grow by when EC2 launches a later offering. */
function growthAllowance(setup: PlanningSetup, nodes: PlanNode[]): Array<{ cpu: number; mem: number }> {
  return setup.pools.map((pool) => {
    const own = nodes.filter((n) => n.pool === pool);
    if (own.length === 0) return { cpu: 0, mem: 0 };
    let cpu = 0;
    let mem = 0;
    for (const node of own) {
      cpu += pool.types[node.type]!.capacityCpuMillis;
      mem += pool.types[node.type]!.capacityMemoryBytes;
    }
    return { cpu: (pool.limits.cpuMillis - cpu) / own.length, mem: (pool.limits.memoryBytes - mem) / own.length };
  });
}

function rankOfferings(setup: PlanningSetup, node: PlanNode, allowance: { cpu: number; mem: number }): RankedOffering[] {
  const pool: PoolTable = node.pool;
  const { offerings, types } = pool;
  const opened = types[node.type]!;
  const maxCpu = opened.capacityCpuMillis + allowance.cpu;
  const maxMem = opened.capacityMemoryBytes + allowance.mem;
  const fits = node.classes.map((c) => setup.fits[c]![pool.index]!);
  const wholeList = pool.minValues.length > 0;
  // Per type: 1 = holds the node's pods and every pod accepts it, 2 = not; 0 = not yet known.
  const verdict = new Uint8Array(types.length);
  const out: RankedOffering[] = [];
  const distinct = new Set<number>();
  let capacityType: CapacityType | undefined;
  for (let i = 0; i < offerings.length; i++) {
    const t = offerings.type[i]!;
    if (verdict[t] === 0) {
      const type = types[t]!;
      let ok = type.cpu >= node.cpu && type.mem >= node.mem && type.gpus >= node.gpus && type.pods >= node.pods &&
        type.capacityCpuMillis <= maxCpu && type.capacityMemoryBytes <= maxMem;
      let asked = false;
      for (let f = 0; ok && f < fits.length; f++) {
        const compat = fits[f]!.compat[t];
        if (compat === INCOMPATIBLE) ok = false;
        else if (compat === COMPATIBLE) asked = true;
      }
      verdict[t] = ok && asked ? 1 : 2;
    }
    if (verdict[t] !== 1) continue;
    const bit = 1 << offerings.zone[i]!;
    if (!(node.zoneLimit & bit)) continue;
    const spot = offerings.spot[i] === 1;
    let accepted = true;
    for (let f = 0; accepted && f < fits.length; f++) accepted = ((spot ? fits[f]!.spot[t]! : fits[f]!.od[t]!) & bit) !== 0;
    if (!accepted) continue;
    if (spot) {
      if (capacityType === 'on-demand') continue; // dearer than the cheapest on-demand offering
      capacityType = 'spot';
    } else {
      if (capacityType === 'spot') break; // every spot offering from here on is dearer than this one
      capacityType = 'on-demand';
    }
    if (!distinct.has(t)) {
      if (!wholeList && distinct.size >= MAX_INSTANCE_TYPES) break;
      distinct.add(t);
    }
    out.push({
      instanceType: types[t]!.info.name,
      zone: setup.zones[offerings.zone[i]!]!,
      capacityType: spot ? 'spot' : 'on-demand',
      price: offerings.price[i]!,
      typeIndex: t,
    });
  }
  return out;
}

export function finalizeNodes(setup: PlanningSetup, nodes: PlanNode[]): { planned: PlannedNode[]; unschedulable: Unschedulable[] } {
  const allowances = growthAllowance(setup, nodes);
  const planned: PlannedNode[] = [];
  const unschedulable: Unschedulable[] = [];
  for (const node of nodes) {
    const pool = node.pool;
    let ranked = rankOfferings(setup, node, allowances[pool.index]!);
    if (pool.minValues.length > 0) {
      const labelsOf = (o: RankedOffering) => pool.types[o.typeIndex]!.labels;
      ranked = capInstanceTypes(ranked, pool.minValues, labelsOf).kept;
      const shortfall = minValuesShortfall(pool.pool.name, ranked, pool.minValues, labelsOf);
      if (shortfall) {
        for (const pod of node.podIds) unschedulable.push({ pod, reason: shortfall });
        continue;
      }
    }
    const first = ranked[0];
    if (!first) throw new Error('planner invariant: a packed node has no offering left');
    const type = pool.types[first.typeIndex]!;
    const overhead = type.daemonSetOverhead;
    const plannedNode: PlannedNode = {
      nodePool: pool.pool.name,
      capacityType: first.capacityType,
      offerings: ranked.map(({ instanceType, zone, capacityType, price }) => ({ instanceType, zone, capacityType, price })),
      pods: node.podIds,
      requests: {
        cpuMillis: node.cpu + overhead.cpuMillis,
        memoryBytes: node.mem + overhead.memoryBytes,
        pods: node.pods + overhead.pods,
        gpus: node.gpus + overhead.gpus,
      },
      hourlyPrice: first.price,
    };
    if (isSingleZone(node.zoneLimit)) plannedNode.zone = setup.zones[zoneOfMask(node.zoneLimit)]!;
    planned.push(plannedNode);
  }
  return { planned, unschedulable };
}
