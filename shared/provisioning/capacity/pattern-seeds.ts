// Nodes for the pods no pod-to-pod rule touches (or only caps of their own per node: anti-affinity
// with their own pods, hostname spread over their own pods; on request, also each zone's even
// share of pods whose only rule is a zone spread of their own; which pods: seedable.ts), chosen
// together rather than one at a time: the covering LP over fill patterns (pattern-lp.ts), grown
// by column generation, then rounded by diving (commit the LP's whole nodes, solve again for what
// is left; when no node is whole, round the largest fractions up; the last 3% of the pods are
// left out). The packer opens these nodes first and packs every other pod, those last ones
// included, as usual. On request (small requests) the rows are instead solved in whole nodes by
// pattern-ip.ts, when they and their pods are few enough; zone-spread classes then get counts per
// zone that add up to all their pods and keep their skew, chosen with the nodes.
//
// Why: the node-by-node packer opens each node for the largest pods left and fills it with what
// fits best, so small CPU-heavy pods end up on the large nodes opened for memory-heavy ones, when
// the cheapest plan gives them small CPU-rich (often burstable spot) nodes of their own. Which pods
// belong on which type is a global question, and the LP answers it. The patterns are found by a
// heuristic search and the rounding loses a little, so planCapacity keeps the plan only when it is
// the cheaper one.
import { COMPATIBLE } from './class-fit.ts';
import { fitsOne } from './fits-one.ts';
import { mayBeSolved, wholeNodes, type ZoneSpreadRows } from './pattern-ip.ts';
import { wholeNodesByZone } from './pattern-ip-zones.ts';
import { PatternLp, undominated, type Variant } from './pattern-lp.ts';
import type { PatternItem } from './pattern-pricing.ts';
import { kindKey, seedableByPool, spreadKinds, zonesOf, type Seedable } from './seedable.ts';
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

/**
 * The first LP's generation: every variant priced each round, 20 rounds. Pricing only the 60 most
 * hopeful variants a round and stopping at a stall left the 20,000 mixed pods' first LP at 95.33
 * (their liquid bound is 89.17); every variant priced, it is at 93.4 after 20 rounds, 91.2 after
 * 30 and 90.1 after 60. Plans of the 20,000 mixed pods drawn with seeds 42 / 7 / 3: 139.85 /
 * 152.83 / 130.40 USD/h before, 137.63 / 151.17 / 129.84 with 20 rounds, 137.03 / 149.98 /
 * 129.19 with 30; but 30 rounds made their planning about 13% slower than before, 20 about 3%.
 */
const FIRST = { rounds: 20, pricedPerRound: Number.POSITIVE_INFINITY, columnsPerRound: 24 };
/**
 * On large requests (SeedOptions.large), whose planning time is tight, the plain LP's dive adds
 * no columns after its commits (two rounds after each, on the 60 most hopeful variants, took
 * about as long as the first LP's 20 rounds) and that time goes to more first rounds instead.
 * 20,000 mixed pods drawn with seeds 42 / 7 / 3 / 11 / 19: 137.63 / 151.17 / 129.84 / 124.57 /
 * 138.98 USD/h before, 136.82 / 150.42 / 128.90 / 124.81 / 138.10 with 34 rounds and none in
 * the dive (-0.45% on average), planned in the same time; 10,001 pods (seeds 42 / 7 / 3) 68.62 /
 * 69.90 / 76.85 -> 68.14 / 69.41 / 77.46. Not on smaller requests, where the dive's new columns
 * count: 5,000 mixed pods (seed 42) 33.45 -> 34.63.
 */
const FIRST_LARGE = { ...FIRST, rounds: 34 };
/**
 * With zone-spread shares the LP has a row per zone and a variant per zone: 40 rounds, every
 * variant priced. With every kind's rows (below), mixed pods drawn with seeds 42 / 7 / 3: 5,000
 * pods 33.63 / 34.01 / 38.45 USD/h at 20 rounds, 33.45 / 33.85 / 38.02 at 40; 10,000 pods 66.71
 * / 67.12 / 75.98 and 66.55 / 67.07 / 75.98; 1,000 and 2,000 pods within 0.7% either way.
 */
const FIRST_WITH_ZONES = { rounds: 40, pricedPerRound: Number.POSITIVE_INFINITY, columnsPerRound: 24 };
/**
 * Rows the LP with zone shares keeps to, giving rows to the largest spread kinds first: mixed 500
 * / 1,000 / 2,000 / 5,000 pods have 20 / 27 / 40 / 115 rows with every kind. A cap of 64 kept the
 * 5,000 pods' LP to 0.6-1.2 s, but its plans were dearer: seeds 42 / 7 / 3, 5,000 pods 34.08 /
 * 34.47 / 38.45 USD/h against 33.45 / 33.85 / 38.02 with 128 rows and 40 rounds, 10,000 pods
 * 67.51 / 68.35 / 75.98 against 66.55 / 67.07 / 75.98. The price is time: 5,000 and 10,000 mixed
 * pods plan in 1.6-3.7 s instead of 0.9-1.6 (the LP only runs up to ZONE_SHARES_REQUEST pods).
 */
const MAX_ZONED_ROWS = 128;
/** After each commit of the dive the columns so far mostly suffice: a few rounds. */
const LATER_ROUNDS = 2;
/**
 * Variants the plain LP's later rounds price: the 60 most hopeful. Every variant, as in its first
 * LP, made the 20,000 mixed pods' dive twice as slow.
 */
const LATER_PRICED = 60;
/**
 * Share of the LP's pods the dive leaves to the packer. Measured on the mixed benchmark (plan /
 * bound at 1,000 / 5,000 / 20,000 pods): 0 gives 1.127 / 1.109 / 1.148, 0.02 1.125 / 1.105 / 1.144,
 * 0.03 1.125 / 1.102 / 1.144, 0.05 1.125 / 1.106 / 1.146.
 */
const DIVE_TAIL = 0.03;
/**
 * In the zone-share LP, once no node is whole and at most this share of its pods is left, the
 * dive stops and leaves them to the packer with the tail: rounding up the LP's last fractions
 * bought large nodes for a few dozen pods (1,000 mixed pods, seed 19: 0.48 and 0.33 of nodes at
 * 0.83 and 0.60 USD/h). Mixed requests of 800-2,000 pods (10 draws): 84.06 -> 83.24 USD/h in all,
 * none dearer; 1,000 pods, seeds 42 / 7 / 3 / 11 / 19: 4.2955 / 3.3182 / 5.6366 / 5.6288 / 8.4842
 * -> 4.2955 / 3.3182 / 5.4876 / 5.6278 / 8.4182; 5,000 pods, seeds 42 / 7 / 3: 33.4532 / 33.8493 /
 * 38.0233 -> 33.4213 / 33.5776 / 38.0953; 5-85 and 100-800 pods (60 and 20 draws) within 0.01%.
 */
const ZONED_ROUNDING_TAIL = 0.06;
/** Work the whole-node solution may take when asked for (pattern-ip.ts): a few milliseconds. */
const EXACT_STEPS = 3_000_000;
/**
 * Grid searches (grid-ceiling.ts) on CPU x memory tables of at most this many cells: nodes up to
 * about 8 vCPU and 32 GiB on 50m / 128 MiB steps. Measured as the only pattern LP on the mixed
 * 1,000 pods (plan over the resource bound): 10,000 cells 1.064, 5,000 cells 1.058, 20,000 cells
 * 1.097, no grid 1.095; each is a different dive, hence a candidate beside the plain LP's.
 */
const GRID_CELLS = 10_000;
/**
 * Per type, the rows that may use it, split by the offerings they accept (rows accepting the same
 * zones share a variant, priced at the cheapest of them); variants another beats (as cheap, as
 * large in every resource, for the same rows) are left out. Rows tied to one zone (a zone-spread
 * class's share there) get variants of that zone's offerings, which the other rows may share.
 */
function variantsOf(setup: PlanningSetup, pool: PoolTable, rows: PodClass[], rowZones: number[]): TypeVariant[] {
  const { allZones } = setup;
  const groups = new Map<string, TypeVariant[]>();
  // The offerings a node is bought among: any zone, or one zone some row is tied to.
  const contexts = [allZones, ...new Set(rowZones.filter((zones) => zones !== allZones))];
  for (const type of pool.types) {
    const t = type.index;
    for (const context of contexts) {
      const bySignature = new Map<string, TypeVariant>();
      rows.forEach((cls, row) => {
        if (context === allZones ? rowZones[row] !== allZones : (rowZones[row]! & context) === 0) return;
        const fit = setup.fits[cls.index]![pool.index]!;
        if (fit.compat[t] !== COMPATIBLE || !fitsOne(type, cls)) return;
        const spot = fit.spot[t]! & fit.zones & context;
        const od = fit.od[t]! & fit.zones & context;
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
  }
  return undominated(groups.values());
}

/** An LP row's key: pods alike in requests, offerings, forced groups (a capped class is a row of its own) and zones. */
function rowKey(cls: PodClass, groups: number[], zones: number): string {
  return `${kindKey(cls)}|${groups.length > 0 ? `class ${cls.index}` : ''}|${zones}`;
}

/**
 * The pool's seed nodes, and whether the LP had zone shares; undefined when zone shares were
 * asked for and none fits the LP (MAX_ZONED_ROWS), or when `exact` was and the rows are too many
 * to solve in whole nodes.
 */
function seedsForPool(setup: PlanningSetup, pool: PoolTable, seedable: Seedable[], perNode: number[], options: SeedOptions): { seeds: SeedNode[]; zoned: boolean } | undefined {
  const { grid = false, exact = false, large = false } = options;
  // One LP row per kind of pod: classes with the same requests, accepting the same offerings and
  // in no forced group (they differ only in labels) are one row; the first class stands for them.
  // A zone-spread class has a row per zone it reaches, for its share there (zoneQuota).
  const { allZones } = setup;
  const rowOf = new Map<string, number>();
  const members: PodClass[][] = [];
  const left: number[][] = [];
  const rowZones: number[] = [];
  const groupsOf = new Map(seedable.map((s) => [s.cls, s.groups]));
  const spreads: ZoneSpreadRows[] = [];
  // Solved whole, a zone-spread class's rows are its own: their counts are chosen per class.
  const keyOf = (cls: PodClass, groups: number[], zones: number, spread: boolean) =>
    rowKey(cls, groups, zones) + (exact && spread ? `|class ${cls.index}` : '');
  const addRow = (cls: PodClass, groups: number[], zones: number, count: number, spread = false): number => {
    const key = keyOf(cls, groups, zones, spread);
    let row = rowOf.get(key);
    if (row === undefined) {
      row = members.length;
      rowOf.set(key, row);
      members.push([]);
      left.push([]);
      rowZones.push(zones);
    }
    members[row]!.push(cls);
    left[row]!.push(count);
    return row;
  };
  for (const { cls, groups, quota } of seedable) if (!quota) addRow(cls, groups, allZones, cls.podIds.length);
  // Zone-spread shares, the largest kinds first, while the rows stay within MAX_ZONED_ROWS; the
  // others are left to the packer.
  for (const kind of spreadKinds(setup, seedable)) {
    const added = new Set(kind.flatMap(({ cls, groups, quota }) => zonesOf(setup, quota!).map((zones) => keyOf(cls, groups, zones, true))));
    if ([...added].filter((key) => !rowOf.has(key)).length + members.length > MAX_ZONED_ROWS) continue;
    for (const { cls, groups, quota } of kind) {
      if (!exact) {
        for (const zones of zonesOf(setup, quota!)) addRow(cls, groups, zones, quota!.perZone, true);
        continue;
      }
      // Solved whole: a row per zone for this class alone, up to the most a zone may hold, and
      // the solution's counts must add up to the class and keep its skew (pattern-ip.ts).
      const zones = zonesOf(setup, quota!);
      const pods = cls.podIds.length;
      const most = Math.min(pods, Math.floor(pods / zones.length) + quota!.maxSkew);
      const spreadRows = zones.map((zone) => addRow(cls, groups, zone, most, true));
      spreads.push({ rows: spreadRows, pods, maxSkew: quota!.maxSkew });
    }
  }
  const rows = members.map((list) => list[0]!);
  const zoned = rowZones.some((zones) => zones !== allZones);
  if (!zoned && seedable.some((s) => s.quota)) return undefined;
  const items: PatternItem[] = rows.map((cls) => ({ cpu: cls.cpu, mem: cls.mem, storage: cls.storage, groups: groupsOf.get(cls)! }));
  const demand = left.map((counts) => counts.reduce((a, b) => a + b, 0));
  if (exact && !mayBeSolved(demand, spreads)) return undefined;
  const variants = variantsOf(setup, pool, rows, rowZones);
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
  if (exact) {
    // The cheapest whole nodes for every pod of these rows (pattern-ip.ts), or none: no LP, no tail.
    const model = { items, demand, variants, perNode, spreads };
    const whole = wholeNodes(model, EXACT_STEPS) ?? wholeNodesByZone(model, rowZones, EXACT_STEPS);
    if (!whole) return undefined;
    for (const node of whole.nodes) commit(node.variant, node.counts);
    return { seeds, zoned };
  }
  const lp = new PatternLp(items, demand, variants, perNode);
  // Start: each kind alone on the type that holds it cheapest per pod; the packer reports kinds no type holds.
  lp.coverEachRow();
  // The last few pods are left to the packer, which mixes them with the pods the LP does not
  // place, rather than rounding the LP's last fractions up.
  const total = demand.reduce((a, b) => a + b, 0);
  const tail = DIVE_TAIL * total;
  let roundedUp = false;
  for (let dive = 0; demand.reduce((a, b) => a + b, 0) > tail; dive++) {
    const first = zoned ? FIRST_WITH_ZONES : large ? FIRST_LARGE : FIRST;
    // After a node is rounded up the columns so far suffice: the LP is only solved again.
    const later = { ...first, rounds: roundedUp || (large && !zoned) ? 0 : LATER_ROUNDS, pricedPerRound: zoned ? first.pricedPerRound : LATER_PRICED };
    const rounds = dive === 0 ? first : later;
    const solution = lp.generate(grid ? { ...rounds, gridCells: GRID_CELLS } : rounds);
    if (!solution.feasible) break;
    const order = lp.columns.map((_, j) => j).sort((p, q) => solution.x[q]! - solution.x[p]! || p - q);
    let committed = 0;
    for (const j of order) {
      const { variant, counts } = lp.columns[j]!;
      for (let k = Math.floor(solution.x[j]! + 1e-9); k > 0 && commit(variant, counts); k--) committed++;
    }
    roundedUp = committed === 0;
    if (!roundedUp) continue;
    // No whole node. In the zone-share LP, with little left, the rest is the packer's
    // (ZONED_ROUNDING_TAIL); else the largest fraction alone is rounded up and the LP
    // places the rest around it: its rows per zone hold few pods, and rounding every fraction of
    // 0.5 or more up at once bought whole nodes the LP wanted halves of (5,000 zone-spread pods
    // alone: 6.56 against 6.44 USD/h). In the plain LP that made the 20,000 pods' planning about
    // 20% slower for 0.1%, so there every fraction of 0.5 or more is rounded up, at least the largest.
    if (zoned && demand.reduce((a, b) => a + b, 0) <= ZONED_ROUNDING_TAIL * total) break;
    for (const j of order) {
      if (solution.x[j]! <= 1e-9 || (committed > 0 && (zoned || solution.x[j]! < 0.5))) break;
      if (commit(lp.columns[j]!.variant, lp.columns[j]!.counts)) committed++;
    }
    if (committed === 0) break;
  }
  return { seeds, zoned };
}

export interface SeedOptions {
  /**
   * Also search mid-size nodes' patterns on the grid (GRID_CELLS): slower, and better or worse
   * depending on the request (the dive rounds a different LP).
   */
  grid?: boolean;
  /**
   * Also give the LP zone-spread pods, their even share of each zone (seedable.ts zoneQuota), so
   * they share nodes with the rest: a row per zone, a variant per zone, every variant priced each
   * round. Several times slower: planCapacity asks for it up to ZONE_SHARES_REQUEST pods.
   */
  zoneShares?: boolean;
  /**
   * Where the rows and their pods are few enough (EXACT_STEPS), the cheapest whole nodes for them
   * (pattern-ip.ts) instead of the LP's dive.
   */
  exact?: boolean;
  /** A large request, whose time is tight: the plain LP's rounds all before its dive (FIRST_LARGE). */
  large?: boolean;
}

/**
 * Seed nodes for every pool's unconstrained pods (and, with zoneShares, zone-spread shares); empty
 * when there are none, and with zoneShares also when no LP got a share (the plain LP's seeds
 * then) or a pool's LP could give none a row.
 */
export function patternSeeds(setup: PlanningSetup, options: SeedOptions = {}): SeedNode[] {
  const seeds: SeedNode[] = [];
  let zoned = false;
  const { byPool, perNode } = seedableByPool(setup, options.zoneShares === true, options.exact === true);
  for (const [pool, seedable] of byPool) {
    const found = seedsForPool(setup, pool, seedable, perNode, options);
    if (!found) return [];
    seeds.push(...found.seeds);
    zoned ||= found.zoned;
  }
  return options.zoneShares && !zoned ? [] : seeds;
}
