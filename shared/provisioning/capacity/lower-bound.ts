// A lower bound on the hourly cost of any plan that places the same pods: the benchmark measures
// the planner against it. It is the dual value of a linear relaxation solved exactly by the dual
// simplex (covering-lp.ts), whose duals are certified, so it is a bound even with rounding.
//
// The relaxation. Columns are offerings (pool, instance type, zone, capacity type) at their
// price, each offering CPU, memory and pod slots net of the kubelet's reservations and the
// pool's DaemonSets, but never more of each than some set of the pods could use on it
// (usable-capacity.ts: a node with one pod slot offers at most the largest pod's CPU); nodes may
// be bought in fractions. Pods come as items: a class's pods, or,
// for zone spread, the pods spread forces into each zone (below) and the rest. An item may only
// use the offerings its pods accept (its "set"). Rows are Hall-type covering constraints: for a
// set U among the item sets (and the union of all), the capacity bought in U must cover, in each
// of CPU, memory and pod slots, the demand of every item whose set lies inside U. Any plan meets
// them, since those pods can only sit on nodes bought in U. For a single group of pods that share
// one set, this is exactly min sum(price_t x_t) s.t. sum(cpu_t x_t) >= CPU, sum(mem_t x_t) >= MEM,
// sum(pods_t x_t) >= PODS; its optimal basic solution mixes at most three types (one per row).
//
// Zone spread (DoNotSchedule, maxSkew k, over the E zones the pods can reach): the final counts
// of a plan have max - min <= k (each placement keeps count[z] <= min + k, and the minimum only
// grows), so n <= |E| min + (|E| - 1) k: every zone holds at least ceil((n - (|E|-1)k) / |E|)
// of the pods. Only those pods are tied to their zone's offerings (and so to its spot prices);
// the rest may use the cheapest zone. This is applied only when the class is the only one its
// selector counts, and has no zone affinity (which narrows E): otherwise the pods stay untied.
//
// Forced nodes. A group of pods of which at most k may share a node (hostname anti-affinity, a
// hostname spread over the pods it selects) needs ceil(n/k) distinct nodes, each bought among the
// offerings that can hold one of its pods: one more covering row, counting nodes. The LP then
// knows those nodes exist and that the other pods may fill them.
//
// Rows are generated: the union and the forced-node rows first, then, up to MAX_ROW_SETS, the
// sets the last solution covers worst. The bound is the dual value y.b of the last LP, with y
// certified (covering-lp.ts), so it holds whatever rows were left out.
//
// Ignored (the relaxation drops them, which only lowers the bound): zone affinity, GPUs, pool
// limits, integrality beyond forced nodes. Pods no plan can place are left out.
import { solveCoveringLp } from './covering-lp.ts';
import type { CapacityRequest, PlannerOptions } from './model.ts';
import { podId, type PodClass } from './pod-classes.ts';
import type { PoolType } from './pool-table.ts';
import type { PlanningSetup } from './setup.ts';
import { preparePlanning } from './setup.ts';
import { patternBoundOf } from './pattern-bound.ts';
import { accepts, askedTypes, offeringsOf, perZoneMinimum, reachOf, separatePodSets, type Offering } from './bound-inputs.ts';
import { fitSignatures } from './class-fit.ts';
import { fitsOne } from './fits-one.ts';
import { forcedNodeGroups } from './topology.ts';
import { UsableCapacity, type NodeRoom } from './usable-capacity.ts';

/** Sets made rows at most (fewer constraints: still a bound), so the LP stays small. */
const MAX_ROW_SETS = 64;

/** Pods of one class bound to one zone mask. */
interface Item {
  cls: PodClass;
  zones: number;
  count: number;
  set: number;
}

/** A set of offerings, as a list and as a bitset over the offering index. */
interface OfferingSet {
  list: number[];
  bits: Uint32Array;
}

function offeringSet(list: number[], size: number): OfferingSet {
  const bits = new Uint32Array((size + 31) >>> 5);
  for (const i of list) bits[i >>> 5]! |= 1 << (i & 31);
  return { list, bits };
}

const isSubset = (a: OfferingSet, b: OfferingSet) => {
  for (let w = 0; w < a.bits.length; w++) if ((a.bits[w]! & ~b.bits[w]!) !== 0) return false;
  return true;
};
const has = (set: OfferingSet, i: number) => (set.bits[i >>> 5]! & (1 << (i & 31))) !== 0;

/** Resources a column offers per row kind: CPU, memory, pod slots, and itself (one node, for forced-node rows). */
const RESOURCES = 4;
type Amount = (type: PoolType, k: number) => number;

/** A type's column amounts: what the planned pods could use of it (usable-capacity.ts), and 1 node. */
function amounts(setup: PlanningSetup, placeable: Uint8Array): Amount {
  const usable = new UsableCapacity(
    setup.classes.filter((_, c) => placeable[c] === 1).map((cls) => ({ cpu: cls.cpu, mem: cls.mem, count: cls.podIds.length })),
  );
  const rooms = new Map<PoolType, NodeRoom>();
  return (type, k) => {
    if (k === 3) return 1;
    let room = rooms.get(type);
    if (!room) {
      room = usable.of({ cpu: type.cpu, mem: type.mem, pods: Math.min(type.pods, 1e6) });
      rooms.set(type, room);
    }
    return k === 0 ? room.cpu : k === 1 ? room.mem : room.pods;
  };
}

interface Column {
  offering: number;
  /** The rows the column counts in. */
  rows: number[];
}

/**
 * Keeps, among offerings that count in the same rows, the cheapest of each type and then only
 * those no other is at least as cheap and as large as in every resource (a dominated column
 * never carries a certified dual above its price, so dropping it keeps the bound).
 */
function columnsFor(offerings: Offering[], rowsOf: number[][], amount: Amount): Column[] {
  const byRows = new Map<string, number[]>();
  offerings.forEach((_, i) => {
    if (rowsOf[i]!.length === 0) return;
    const key = rowsOf[i]!.join(',');
    let list = byRows.get(key);
    if (!list) byRows.set(key, (list = []));
    list.push(i);
  });
  const out: Column[] = [];
  for (const list of byRows.values()) {
    list.sort((x, y) => offerings[x]!.price - offerings[y]!.price || x - y);
    const kept: PoolType[] = [];
    const holds = (k: PoolType, t: PoolType) => amount(k, 0) >= amount(t, 0) && amount(k, 1) >= amount(t, 1) && amount(k, 2) >= amount(t, 2);
    for (const i of list) {
      const t = offerings[i]!.type;
      if (kept.some((k) => holds(k, t))) continue;
      kept.push(t);
      out.push({ offering: i, rows: rowsOf[i]! });
    }
  }
  return out;
}

export function lowerBoundOf(setup: PlanningSetup): number {
  const offerings = offeringsOf(setup);
  const asked = askedTypes(setup);
  const { allZones } = setup;
  const signature = fitSignatures(setup.fits);

  // Item sets: the offerings a class accepts in a zone mask that can hold one of its pods.
  // Classes alike share the accepted list; sets with the same members are one set.
  const accepted = new Map<string, number[]>();
  const setIds = new Map<string, number>();
  const sets: OfferingSet[] = [];
  const setOf = (c: number, zones: number) => {
    const baseKey = `${signature(c)}|${zones}`;
    let base = accepted.get(baseKey);
    if (!base) {
      base = [];
      for (let i = 0; i < offerings.length; i++) if (accepts(setup, asked, c, offerings[i]!, zones)) base.push(i);
      accepted.set(baseKey, base);
    }
    const cls = setup.classes[c]!;
    const list = base.filter((i) => fitsOne(offerings[i]!.type, cls));
    let h1 = 0x811c9dc5;
    let h2 = 17;
    for (const i of list) {
      h1 = Math.imul(h1 ^ i, 0x01000193);
      h2 = (Math.imul(h2, 31) + i) | 0;
    }
    const key = `${list.length}:${h1}:${h2}`;
    let id = setIds.get(key);
    if (id === undefined) {
      id = sets.length;
      setIds.set(key, id);
      sets.push(offeringSet(list, offerings.length));
    }
    return id;
  };
  const items: Item[] = [];
  const placeable = new Uint8Array(setup.classes.length);
  setup.classes.forEach((cls, c) => {
    if (setup.topologies[c]!.unsupported) return;
    const reach = reachOf(setup, c);
    if (reach === 0) return;
    placeable[c] = 1;
    const perZone = perZoneMinimum(setup, c, reach);
    let rest = cls.podIds.length;
    if (perZone > 0) {
      for (let z = 0; z < setup.zones.length; z++) {
        if (!(reach & (1 << z))) continue;
        items.push({ cls, zones: 1 << z, count: perZone, set: setOf(c, 1 << z) });
        rest -= perZone;
      }
    }
    if (rest > 0) items.push({ cls, zones: allZones, count: rest, set: setOf(c, allZones) });
  });
  if (items.length === 0) return 0;
  const amount = amounts(setup, placeable);

  // Candidate rows: every item set, plus their union, each with the demand of the items inside
  // it; and per group of pods that force nodes, the offerings that can hold one of them, with the
  // number of nodes the group needs (those nodes are distinct, and each is bought in that set).
  const union = new Set<number>();
  for (const item of items) for (const i of sets[item.set]!.list) union.add(i);
  const candidates = [offeringSet([...union].sort((x, y) => x - y), offerings.length), ...sets];
  const itemSets = [...new Set(items.map((item) => item.set))];
  const inside = candidates.map((candidate, k) => {
    const holds = new Set(itemSets.filter((s) => k === 0 || isSubset(sets[s]!, candidate)));
    const d = [0, 0, 0, 0];
    for (const item of items) {
      if (!holds.has(item.set)) continue;
      d[0]! += item.cls.cpu * item.count;
      d[1]! += item.cls.mem * item.count;
      d[2]! += item.count;
    }
    return d;
  });
  const groups = forcedNodeGroups(setup.topologies, setup.classes.map((cls) => cls.podIds.length), (c) => placeable[c] === 1);
  const forcedRows: number[] = [];
  // Groups with the same host offerings share one row: the one forcing the most nodes.
  const forcedByHosts = new Map<string, number>();
  for (const group of groups) {
    const hosts = new Set<number>();
    for (const c of group.classes) for (const i of sets[setOf(c, allZones)]!.list) hosts.add(i);
    const pods = group.classes.reduce((sum, c) => sum + setup.classes[c]!.podIds.length, 0);
    const list = [...hosts].sort((x, y) => x - y);
    const key = list.join(',');
    const nodes = Math.ceil(pods / group.perNode);
    const seen = forcedByHosts.get(key);
    if (seen !== undefined) {
      inside[seen]![3] = Math.max(inside[seen]![3]!, nodes);
      continue;
    }
    forcedByHosts.set(key, candidates.length);
    forcedRows.push(candidates.length);
    candidates.push(offeringSet(list, offerings.length));
    inside.push([0, 0, 0, nodes]);
  }

  // Row generation: start from the union and the groups forcing the most nodes, then add the
  // sets the last solution under-covers most, up to MAX_ROW_SETS + 1 rows.
  // Every round's bound is valid; later rounds only add rows.
  forcedRows.sort((p, q) => inside[q]![3]! - inside[p]![3]! || p - q);
  const rows = [0, ...forcedRows.slice(0, Math.floor(MAX_ROW_SETS / 2))];
  let solution: ReturnType<typeof solveCoveringLp> | undefined;
  let lpRows: Array<{ r: number; resource: number }> = [];
  for (let round = 0; round < 8; round++) {
    const rowsOf: number[][] = offerings.map(() => []);
    rows.forEach((k, r) => {
      for (const i of candidates[k]!.list) rowsOf[i]!.push(r);
    });
    const columns = columnsFor(offerings, rowsOf, amount);
    lpRows = [];
    rows.forEach((k, r) => {
      for (let resource = 0; resource < RESOURCES; resource++) if (inside[k]![resource]! > 0) lpRows.push({ r, resource });
    });
    const cols = columns.length;
    const a = new Float64Array(lpRows.length * cols);
    const b = new Float64Array(lpRows.length);
    const cost = new Float64Array(cols);
    const lpRowOf = new Map(lpRows.map(({ r, resource }, row) => [r * RESOURCES + resource, row]));
    lpRows.forEach(({ r, resource }, row) => {
      b[row] = inside[rows[r]!]![resource]!;
    });
    columns.forEach((col, j) => {
      const type = offerings[col.offering]!.type;
      for (const r of col.rows) {
        for (let resource = 0; resource < RESOURCES; resource++) {
          const row = lpRowOf.get(r * RESOURCES + resource);
          if (row !== undefined) a[row * cols + j] = amount(type, resource);
        }
      }
    });
    columns.forEach((col, j) => {
      cost[j] = offerings[col.offering]!.price;
    });
    solution = solveCoveringLp({ a, b, cost, rows: lpRows.length, cols });
    if (!solution.feasible) throw new Error('planner invariant: the lower-bound LP has an uncoverable row');
    if (rows.length > MAX_ROW_SETS) break;
    const x = solution.x;
    const violations: Array<{ k: number; by: number }> = [];
    candidates.forEach((candidate, k) => {
      if (rows.includes(k)) return;
      const cover = [0, 0, 0, 0];
      columns.forEach((col, j) => {
        if (x[j]! <= 0 || !has(candidate, col.offering)) return;
        for (let resource = 0; resource < RESOURCES; resource++) cover[resource]! += x[j]! * amount(offerings[col.offering]!.type, resource);
      });
      let by = 0;
      for (let resource = 0; resource < RESOURCES; resource++) {
        const need = inside[k]![resource]!;
        if (need > 0) by = Math.max(by, (need - cover[resource]!) / need);
      }
      if (by > 1e-6) violations.push({ k, by });
    });
    if (violations.length === 0) break;
    violations.sort((p, q) => q.by - p.by || p.k - q.k);
    for (const v of violations.slice(0, Math.min(12, MAX_ROW_SETS + 1 - rows.length))) rows.push(v.k);
  }
  if (!solution) return 0;
  const lp = solution;
  return lp.bound;
}

export function costLowerBound(request: CapacityRequest, options: PlannerOptions = {}): number {
  const setup = preparePlanning(request, options);
  // Both are bounds, so the larger is one: the pattern LP's where it is computed (small requests)
  // and usually tighter; the resource LP's otherwise.
  const bestOf = (part: PlanningSetup) => Math.max(lowerBoundOf(part), patternBoundOf(part));
  // Pods no node can mix are bounded apart, and the bounds added: a small set gets the pattern LP.
  const sets = separatePodSets(setup);
  if (!sets) return bestOf(setup);
  return sets.reduce((sum, ids) => {
    const wanted = new Set(ids);
    return sum + bestOf(preparePlanning({ ...request, pods: request.pods.filter((pod) => wanted.has(podId(pod))) }, options));
  }, 0);
}
