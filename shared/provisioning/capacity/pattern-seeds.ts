// Nodes for the pods no pod-to-pod rule touches, chosen together rather than one at a time: the
// covering LP over fill patterns (pattern-lp.ts), grown by column generation, then rounded by
// diving (commit the LP's whole nodes, solve again for what is left; when no node is whole, round
// the largest fractions up). The packer opens these nodes first and packs every other pod as usual.
//
// Why: the node-by-node packer opens each node for the largest pods left and fills it with what
// fits best, so small CPU-heavy pods end up on the large nodes opened for memory-heavy ones, when
// the cheapest plan gives them small CPU-rich (often burstable spot) nodes of their own. Which pods
// belong on which type is a global question, and the LP answers it. The patterns are found by a
// heuristic search and the rounding loses a little, so planCapacity keeps the plan only when it is
// the cheaper one.
import { COMPATIBLE } from './class-fit.ts';
import { fitsOne } from './fits-one.ts';
import { PatternLp, undominated, type Variant } from './pattern-lp.ts';
import type { PatternItem } from './pattern-pricing.ts';
import type { PodClass } from './pod-classes.ts';
import { bestPrice, type PoolTable } from './pool-table.ts';
import type { PlanningSetup } from './setup.ts';

/** One node to open: its pool, type, the zone masks of its offerings, and the pods per class. */
export interface SeedNode {
  pool: PoolTable;
  type: number;
  spot: number;
  od: number;
  pods: Array<[c: number, count: number]>;
}

/** A pool type with the offerings (zone masks) a set of pod kinds all accept. */
interface TypeVariant extends Variant {
  type: number;
  spot: number;
  od: number;
}

const FIRST = { rounds: 20, pricedPerRound: 60, columnsPerRound: 24, stall: 0.002 };
/** After each commit of the dive the columns so far mostly suffice: a few rounds. */
const LATER = { ...FIRST, rounds: 2 };

/** Classes the LP can place freely: no topology rule touches them, no GPUs, and their pool has no limits. */
function freeClassesByPool(setup: PlanningSetup): Map<PoolTable, PodClass[]> {
  const byPool = new Map<PoolTable, PodClass[]>();
  setup.classes.forEach((cls, c) => {
    const t = setup.topologies[c]!;
    const constrained =
      t.unsupported !== undefined || t.zoneSpread.length > 0 || t.hostSpread.length > 0 || t.zoneAffinity.length > 0 ||
      t.conflicts.size > 0 || t.zoneGroups.length > 0 || t.hostGroups.length > 0;
    if (constrained || cls.gpus > 0 || cls.podIds.length === 0) return;
    // The packer opens nodes in the first pool (by weight) that takes the class: so does the LP.
    const pool = setup.pools.find((p) => setup.fits[c]![p.index]);
    if (!pool || Number.isFinite(pool.limits.cpuMillis) || Number.isFinite(pool.limits.memoryBytes)) return;
    let list = byPool.get(pool);
    if (!list) byPool.set(pool, (list = []));
    list.push(cls);
  });
  return byPool;
}

/**
 * Per type, the rows that may use it, split by the offerings they accept (rows accepting the same
 * zones share a variant, priced at the cheapest of them); variants another beats (as cheap, as
 * large in every resource, for the same rows) are left out.
 */
function variantsOf(setup: PlanningSetup, pool: PoolTable, rows: PodClass[]): TypeVariant[] {
  const groups = new Map<string, TypeVariant[]>();
  for (const type of pool.types) {
    const t = type.index;
    const bySignature = new Map<string, TypeVariant>();
    rows.forEach((cls, row) => {
      const fit = setup.fits[cls.index]![pool.index]!;
      if (fit.compat[t] !== COMPATIBLE || !fitsOne(type, cls)) return;
      const spot = fit.spot[t]! & fit.zones;
      const od = fit.od[t]! & fit.zones;
      if ((spot | od) === 0) return;
      const key = `${spot}|${od}`;
      let variant = bySignature.get(key);
      if (!variant) {
        const price = bestPrice(type, spot, od);
        if (!Number.isFinite(price)) return;
        const node = { cpu: type.cpu, mem: type.mem, pods: type.pods, storage: type.storage };
        bySignature.set(key, (variant = { node, rows: [], price, type: t, spot, od }));
      }
      variant.rows.push(row);
    });
    for (const variant of bySignature.values()) {
      const key = variant.rows.join(',');
      let list = groups.get(key);
      if (!list) groups.set(key, (list = []));
      list.push(variant);
    }
  }
  return undominated(groups.values());
}

function seedsForPool(setup: PlanningSetup, pool: PoolTable, free: PodClass[]): SeedNode[] {
  // One LP row per kind of pod: classes with the same requests that accept the same offerings
  // (they differ only in labels) are one row; the first class stands for them.
  const rowOf = new Map<string, number>();
  const members: PodClass[][] = [];
  for (const cls of free) {
    const key = `${cls.cpu}|${cls.mem}|${cls.storage}|${cls.placementKey}|${JSON.stringify(cls.template.tolerations)}`;
    let row = rowOf.get(key);
    if (row === undefined) {
      row = members.length;
      rowOf.set(key, row);
      members.push([]);
    }
    members[row]!.push(cls);
  }
  const rows = members.map((list) => list[0]!);
  const left = members.map((list) => list.map((cls) => cls.podIds.length));
  const items: PatternItem[] = rows.map((cls) => ({ cpu: cls.cpu, mem: cls.mem, storage: cls.storage, groups: [] }));
  const demand = left.map((counts) => counts.reduce((a, b) => a + b, 0));
  const lp = new PatternLp(items, demand, variantsOf(setup, pool, rows), []);

  // Start: each kind alone on the type that holds it cheapest per pod; the packer reports kinds no type holds.
  lp.coverEachRow();

  const seeds: SeedNode[] = [];
  const commit = (variant: TypeVariant, counts: Array<[number, number]>): boolean => {
    const pods: Array<[number, number]> = [];
    for (const [r, n] of counts) {
      let take = Math.min(n, demand[r]!);
      demand[r]! -= take;
      // The row's classes give their pods in turn.
      const perClass = left[r]!;
      for (let i = 0; i < perClass.length && take > 0; i++) {
        const give = Math.min(take, perClass[i]!);
        if (give === 0) continue;
        pods.push([members[r]![i]!.index, give]);
        perClass[i]! -= give;
        take -= give;
      }
    }
    if (pods.length === 0) return false;
    seeds.push({ pool, type: variant.type, spot: variant.spot, od: variant.od, pods });
    return true;
  };
  for (let dive = 0; demand.some((d) => d > 0); dive++) {
    const solution = lp.generate(dive === 0 ? FIRST : LATER);
    if (!solution.feasible) break;
    const order = lp.columns.map((_, j) => j).sort((p, q) => solution.x[q]! - solution.x[p]! || p - q);
    let committed = 0;
    for (const j of order) {
      const { variant, counts } = lp.columns[j]!;
      for (let k = Math.floor(solution.x[j]! + 1e-9); k > 0 && commit(variant, counts); k--) committed++;
    }
    if (committed > 0) continue;
    // No whole node: round to the nearest, and at least the largest fraction up.
    for (const j of order) {
      if (solution.x[j]! <= 1e-9 || (committed > 0 && solution.x[j]! < 0.5)) break;
      if (commit(lp.columns[j]!.variant, lp.columns[j]!.counts)) committed++;
    }
    if (committed === 0) break;
  }
  return seeds;
}

/** Seed nodes for every pool's unconstrained pods; empty when there are none. */
export function patternSeeds(setup: PlanningSetup): SeedNode[] {
  const seeds: SeedNode[] = [];
  for (const [pool, classes] of freeClassesByPool(setup)) seeds.push(...seedsForPool(setup, pool, classes));
  return seeds;
}
