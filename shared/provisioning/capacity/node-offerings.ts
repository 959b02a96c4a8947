// Turns a node's pods into its launch: the cheapest instance type that holds them (a packed node
// shrinks from the type it was opened with), and the ranked offerings for its CreateFleet
// request under the rules every plan follows: spot when a spot offering is no dearer than the
// cheapest on-demand one (dearer spot offerings dropped), at most 60 instance types, minValues
// kept, pool limits never exceeded whichever offering EC2 picks. planCapacity runs it on every
// packed node; planReplacement on the one node that takes over an interrupted node's pods, and
// asks it to count what was left out and why.
import { deviceOf } from '../devices.ts';
import type { CapacityType, PricedOffering } from '../../types.ts';
import {
  EXCLUSION, MAX_INSTANCE_TYPES, capInstanceTypes, minValuesShortfall, specialHardwareAllowed,
  type ExclusionReason, type Exclusions, type SpecialHardwareAsk,
} from '../offering-rules.ts';
import { COMPATIBLE, INCOMPATIBLE, type ClassFit } from './class-fit.ts';
import type { PlannedNode } from './model.ts';
import type { Unschedulable } from './packer.ts';
import { isSingleZone, zoneOfMask, type PlanNode } from './plan-node.ts';
import type { PoolTable, PoolType } from './pool-table.ts';
import type { PlanningSetup } from './setup.ts';

export interface RankedOffering extends PricedOffering {
  typeIndex: number;
}

/** The offering as a plan reports it, without the planner's type index. */
export const pricedOffering = ({ instanceType, zone, capacityType, price }: RankedOffering): PricedOffering =>
  ({ instanceType, zone, capacityType, price });

/** What choosing offerings reads of a node: its pool, its pods' summed requests and where it may be. PlanNode is one. */
export interface NodeLoad {
  pool: PoolTable;
  /** Zone bitmask (bit i = setup.zones[i]). */
  zoneLimit: number;
  cpu: number;
  mem: number;
  gpus: number;
  pods: number;
  /** Ephemeral storage, bytes. */
  storage: number;
}

/** The largest node capacity an offering may bring: a launch must keep the pool within its limits. */
export interface CapacityCeiling {
  cpu: number;
  mem: number;
}

export interface NodeOfferings {
  /** Best first; empty when no offering holds the pods and is accepted by all of them. */
  offerings: RankedOffering[];
  /** Why the offerings cannot meet the pool's minValues; offerings is then what was left. */
  shortfall?: string;
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

const bitCount = (mask: number): number => {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n++;
  return n;
};

function tooSmall(type: PoolType, node: NodeLoad): boolean {
  return type.cpu < node.cpu || type.mem < node.mem || type.gpus < node.gpus || type.pods < node.pods ||
    type.storage < node.storage;
}

function tooLarge(type: PoolType, ceiling: CapacityCeiling): boolean {
  return type.capacityCpuMillis > ceiling.cpu || type.capacityMemoryBytes > ceiling.mem;
}

/**
 * Why type t cannot be the node's type, in the order reasons are reported; undefined when it can.
 * A special-hardware type needs a pod on the node that asked for it (or, on a node with no pods,
 * the pool). `explain` false: any reason will do, so the pods' fits are not read for a type that
 * is too small anyway (the packer's nodes come here by the thousand).
 */
function typeRefusal(
  node: NodeLoad, t: number, fits: ClassFit[], ceiling: CapacityCeiling, explain: boolean,
): ExclusionReason | undefined {
  const type = node.pool.types[t]!;
  const small = tooSmall(type, node);
  if (small && !explain) return EXCLUSION.tooSmall;
  let refused = false;
  let asked = fits.length === 0 && (!type.special || specialHardwareAllowed(type.info, node.pool.ask));
  for (let f = 0; !refused && f < fits.length; f++) {
    const compat = fits[f]!.compat[t];
    if (compat === INCOMPATIBLE) refused = true;
    else if (compat === COMPATIBLE) asked = true;
  }
  if (refused) return EXCLUSION.podConstraints;
  if (!asked) return EXCLUSION.specialHardware;
  if (small) return EXCLUSION.tooSmall;
  if (tooLarge(type, ceiling)) return EXCLUSION.beyondPoolLimits;
  return undefined;
}

/** What planReplacement wants told: the tally to count into, and what the node's pods and pool ask of special hardware. */
export interface Explain {
  tally: Exclusions;
  ask: SpecialHardwareAsk;
}

/**
 * Judges every type of the pool for the node and counts why: one reason per type left out; for a
 * type that can hold the node, each of its offerings left out unpriced or refused. A type with no
 * usable offering is judged on special hardware and size alone: the pods' fits only say which
 * usable offerings they accept, so such a type's offerings are counted instead.
 */
function judgeAll(node: NodeLoad, fits: ClassFit[], ceiling: CapacityCeiling, explain: Explain, verdict: Uint8Array): void {
  const { tally, ask } = explain;
  for (const type of node.pool.types) {
    let reason: ExclusionReason | undefined;
    if ((type.spotZones | type.odZones) !== 0) reason = typeRefusal(node, type.index, fits, ceiling, true);
    else if (type.special && !specialHardwareAllowed(type.info, ask)) reason = EXCLUSION.specialHardware;
    else if (tooSmall(type, node)) reason = EXCLUSION.tooSmall;
    else if (tooLarge(type, ceiling)) reason = EXCLUSION.beyondPoolLimits;
    verdict[type.index] = reason === undefined ? 1 : 2;
    if (reason) {
      tally.add(reason);
      continue;
    }
    tally.add(EXCLUSION.recentlyUnavailable, bitCount(type.refusedSpot) + bitCount(type.refusedOd));
    tally.add(EXCLUSION.noSpotPrice, bitCount(type.unpricedSpot));
    tally.add(EXCLUSION.noOnDemandPrice, bitCount(type.unpricedOd));
  }
}

/**
 * The node's offerings in price order, of the capacity type the cheapest one has, stopping at the
 * type cap unless the whole list is wanted (minValues may need types past it; an explanation
 * needs to see everything, and keeps every offering of the types it keeps).
 */
function rankOfferings(
  setup: PlanningSetup, node: NodeLoad, fits: ClassFit[], ceiling: CapacityCeiling, explain?: Explain, firstOnly = false,
): RankedOffering[] {
  const pool = node.pool;
  const { offerings, types } = pool;
  const tally = explain?.tally;
  const wholeList = pool.minValues.length > 0 || explain !== undefined;
  const stopAtFirst = firstOnly && !wholeList;
  // Per type: 1 = holds the node's pods and every pod accepts it, 2 = not; 0 = not yet known.
  const verdict = new Uint8Array(types.length);
  if (explain) judgeAll(node, fits, ceiling, explain, verdict);
  // Types that pass yet share no offering every pod accepts (say, pods pinned to different zones).
  const offered = new Uint8Array(types.length);
  const out: RankedOffering[] = [];
  const distinct = new Set<number>();
  let capacityType: CapacityType | undefined;
  let onDemandSeen = false;
  // Past the type cap only the kept types' other zones are still wanted (dearer, same types);
  // `wanted` counts those not seen yet, so the scan ends once they all are.
  let capped = false;
  let wanted = 0;
  for (let i = 0; i < offerings.length; i++) {
    const t = offerings.type[i]!;
    if (capped && !distinct.has(t)) continue;
    if (verdict[t] === 0) verdict[t] = typeRefusal(node, t, fits, ceiling, false) === undefined ? 1 : 2;
    if (verdict[t] !== 1) continue;
    const bit = 1 << offerings.zone[i]!;
    if (!(node.zoneLimit & bit)) continue;
    const spot = offerings.spot[i] === 1;
    let accepted = true;
    for (let f = 0; accepted && f < fits.length; f++) accepted = ((spot ? fits[f]!.spot[t]! : fits[f]!.od[t]!) & bit) !== 0;
    if (!accepted) continue;
    offered[t] = 1;
    if (spot) {
      if (onDemandSeen) {
        tally?.add(EXCLUSION.spotDearerThanOnDemand);
        continue;
      }
      capacityType = 'spot';
    } else {
      onDemandSeen = true;
      if (capacityType === 'spot') {
        // Every spot offering from here on is dearer than this one.
        if (!tally) break;
        tally.add(EXCLUSION.otherCapacityType);
        continue;
      }
      capacityType = 'on-demand';
    }
    if (!distinct.has(t)) {
      if (!wholeList && distinct.size >= MAX_INSTANCE_TYPES) {
        if (!capped) {
          capped = true;
          const taken = new Map<number, number>();
          for (const o of out) taken.set(o.typeIndex, (taken.get(o.typeIndex) ?? 0) + 1);
          for (const k of distinct) {
            const kept = types[k]!;
            wanted += bitCount((capacityType === 'spot' ? kept.spotZones : kept.odZones) & node.zoneLimit) - (taken.get(k) ?? 0);
          }
          if (wanted <= 0) break;
        }
        continue;
      }
      distinct.add(t);
    }
    out.push({
      instanceType: types[t]!.info.name,
      zone: setup.zones[offerings.zone[i]!]!,
      capacityType: spot ? 'spot' : 'on-demand',
      price: offerings.price[i]!,
      typeIndex: t,
    });
    if (stopAtFirst || (capped && --wanted <= 0)) break;
  }
  if (tally) {
    for (const type of types) {
      if (verdict[type.index] === 1 && (type.spotZones | type.odZones) !== 0 && !offered[type.index]) tally.add(EXCLUSION.podConstraints);
    }
  }
  return out;
}

/**
 * The node's ranked offerings: at most 60 instance types, the cheapest type for each value a
 * minValues requirement needs kept first. `fits` are the node's pod classes' fits to its pool.
 */
export function nodeOfferings(
  setup: PlanningSetup, node: NodeLoad, fits: ClassFit[], ceiling: CapacityCeiling, explain?: Explain,
): NodeOfferings {
  const pool = node.pool;
  const ranked = rankOfferings(setup, node, fits, ceiling, explain);
  if (pool.minValues.length === 0 && !explain) return { offerings: ranked };
  const labelsOf = (o: RankedOffering) => pool.types[o.typeIndex]!.labels;
  const { kept, droppedTypes } = capInstanceTypes(ranked, pool.minValues, labelsOf);
  explain?.tally.add(EXCLUSION.beyondTypeCap, droppedTypes);
  const shortfall = minValuesShortfall(pool.pool.name, kept, pool.minValues, labelsOf);
  return shortfall ? { offerings: kept, shortfall } : { offerings: kept };
}

/**
 * What a node's offerings depend on: its pool, zones, load, pod classes (their fits) and ceiling.
 * Plans repeat nodes (the pattern LP's above all): nodes alike are ranked once.
 */
function rankingKey(node: PlanNode, ceiling: CapacityCeiling): string {
  const classes = [...node.classes].sort((a, b) => a - b).join(',');
  return `${node.pool.index}|${node.zoneLimit}|${node.cpu}|${node.mem}|${node.gpus}|${node.pods}|${node.storage}|${classes}|${ceiling.cpu}|${ceiling.mem}`;
}

/** The ceiling on a node's capacity that keeps its pool within its limits, per node. */
function ceilingsOf(setup: PlanningSetup, nodes: PlanNode[]): CapacityCeiling[] {
  const allowances = growthAllowance(setup, nodes);
  return nodes.map((node) => {
    const opened = node.pool.types[node.type]!;
    const allowance = allowances[node.pool.index]!;
    return { cpu: opened.capacityCpuMillis + allowance.cpu, mem: opened.capacityMemoryBytes + allowance.mem };
  });
}

/**
 * What finalizeNodes would price each node of the packing at, without ranking every node's
 * offerings: its cheapest offering only, within the ceiling its pool's limits give the packing's
 * i-th node; alike nodes priced once. The node priced may differ from the packing's i-th (a node
 * with more pods, consolidate.ts). Undefined when a pool has minValues, whose ranking may put a
 * dearer offering first and leave pods unschedulable: then only finalizeNodes can tell.
 */
export function nodePricer(setup: PlanningSetup, nodes: PlanNode[]): ((node: PlanNode, i: number) => number) | undefined {
  if (setup.pools.some((pool) => pool.minValues.length > 0)) return undefined;
  const ceilings = ceilingsOf(setup, nodes);
  const cheapest = new Map<string, number>();
  return (node, i) => {
    const key = rankingKey(node, ceilings[i]!);
    let price = cheapest.get(key);
    if (price === undefined) {
      const fits = node.classes.map((c) => setup.fits[c]![node.pool.index]!);
      const [first] = rankOfferings(setup, node, fits, ceilings[i]!, undefined, true);
      if (!first) throw new Error('planner invariant: a packed node has no offering left');
      cheapest.set(key, (price = first.price));
    }
    return price;
  };
}

/** What finalizeNodes would price the packing at (nodePricer); undefined with minValues. */
export function packingCost(setup: PlanningSetup, nodes: PlanNode[]): number | undefined {
  const priceOf = nodePricer(setup, nodes);
  if (!priceOf) return undefined;
  let cost = 0;
  nodes.forEach((node, i) => {
    cost += priceOf(node, i);
  });
  return cost;
}

export function finalizeNodes(setup: PlanningSetup, nodes: PlanNode[]): { planned: PlannedNode[]; unschedulable: Unschedulable[] } {
  const ceilings = ceilingsOf(setup, nodes);
  const planned: PlannedNode[] = [];
  const unschedulable: Unschedulable[] = [];
  const alike = new Map<string, NodeOfferings>();
  for (const [i, node] of nodes.entries()) {
    const pool = node.pool;
    const ceiling = ceilings[i]!;
    const key = rankingKey(node, ceiling);
    let ranking = alike.get(key);
    if (!ranking) {
      const fits = node.classes.map((c) => setup.fits[c]![pool.index]!);
      alike.set(key, (ranking = nodeOfferings(setup, node, fits, ceiling)));
    }
    const { offerings: ranked, shortfall } = ranking;
    if (shortfall) {
      for (const pod of node.podIds) unschedulable.push({ pod, reason: shortfall });
      continue;
    }
    const first = ranked[0];
    if (!first) throw new Error('planner invariant: a packed node has no offering left');
    const type = pool.types[first.typeIndex]!;
    const overhead = type.daemonSetOverhead;
    const storage = node.storage + (overhead.storageBytes ?? 0);
    // Every pod asking for accelerators on a node asks for its type's kind (class-fit.ts).
    const device = deviceOf(type.info);
    const plannedNode: PlannedNode = {
      nodePool: pool.pool.name,
      capacityType: first.capacityType,
      offerings: ranked.map(pricedOffering),
      pods: node.podIds,
      requests: {
        cpuMillis: node.cpu + overhead.cpuMillis,
        memoryBytes: node.mem + overhead.memoryBytes,
        pods: node.pods + overhead.pods,
        gpus: node.gpus + overhead.gpus,
        ...(node.gpus + overhead.gpus > 0 && device ? { gpuResource: device.resource } : {}),
        ...(storage > 0 ? { ephemeralStorageBytes: storage } : {}),
      },
      hourlyPrice: first.price,
    };
    if (isSingleZone(node.zoneLimit)) plannedNode.zone = setup.zones[zoneOfMask(node.zoneLimit)]!;
    planned.push(plannedNode);
  }
  return { planned, unschedulable };
}
