// A second, usually much tighter lower bound: the covering LP over fill patterns (Gilmore-Gomory),
// where a column is one node of an offering with a whole number of pods of each kind on it. The
// resource LP of lower-bound.ts lets pods be poured into nodes like liquid (a node offers its CPU,
// its memory and its slots at once, though no set of pods may use all three); a pattern cannot.
//
// Rows are the items of lower-bound.ts (a class's pods, or the pods zone spread ties to a zone),
// alike items merged. A pattern holds no more pods of an item than there are, at most `perNode`
// of each forced group (anti-affinity cliques, self-selecting hostname spread), and fits the
// node's CPU, memory, slots and storage: every node of every plan is such a pattern, on an
// offering all its pods accept, so any plan is a solution of the LP (with each node's pods
// counted in the items as lower-bound.ts argues for zone spread).
//
// The LP has far too many columns to write down, so they are generated (pattern-lp.ts), and the
// bound does not trust the generation to be complete: with the duals y of the last LP, every
// node kind is priced again with a proven ceiling on what any of its patterns is worth at y
// (pattern-pricing.ts: exact search on small nodes, the fractional knapsack's dual value on large
// ones, and the lower grid ceiling of grid-ceiling.ts where that one is above the price). If no
// pattern is worth more than theta times its node's price, y / theta is a feasible
// dual of the full LP, and y.b / theta is a lower bound on every plan (Farley's bound).
//
// Requests small enough (a few kinds of pod, few pods of each) are solved in whole nodes instead
// (pattern-ip.ts), which no LP over the same patterns can exceed.
//
// Large requests (more than MAX_ROWS rows) get the liquid relaxation instead (liquidBound): pods
// in fractions on large nodes, but each pod's CPU and memory on the same node, so its ceilings are
// exact and its generation converges in seconds; smaller ones get the larger of both.
//
// Like lower-bound.ts it ignores zone affinity, anti-affinity between different classes outside
// a clique, pool limits and GPU counts: dropping a constraint only lowers the bound.
import { fitSignatures } from './class-fit.ts';
import { fitsOne } from './fits-one.ts';
import { accepts, askedTypes, offeringsOf, ownZoneSkew, perZoneMinimum, reachOf, type Offering } from './bound-inputs.ts';
import { PatternLp, patternWorth, undominated, type PatternOffer, type Variant } from './pattern-lp.ts';
import { ceilingWithPrices, EXACT_SLOTS, gridPattern, liquidPricing, patternCeiling, quickCeiling, type PatternItem } from './pattern-pricing.ts';
import { mayBeSolved, wholeNodes, type ZoneSpreadRows } from './pattern-ip.ts';
import { wholeNodesByZone } from './pattern-ip-zones.ts';
import { forcedNodeGroups } from './topology.ts';
import type { PlanningSetup } from './setup.ts';

/** Column generation for the bound: long, since no clock is running. */
const GENERATE = { rounds: 60, pricedPerRound: Number.POSITIVE_INFINITY, columnsPerRound: 40 };
/**
 * Past this many rows only the liquid relaxation runs: the whole-pod LP's generation and grid
 * rounds take minutes there (20,000 mixed pods, 303 rows: ~3 min) and its ceilings on large
 * nodes stay loose, so it ends below the liquid bound anyway (116.37 against 119.85).
 */
const MAX_ROWS = 32;
/**
 * Rounds of patterns from the grid (grid-ceiling.ts) once the generation stops: its rounding of
 * the fractional knapsack misses the best patterns of mid-size nodes (4 vCPU, 55 slots), so the
 * LP stops short and those nodes' ceilings hold the bound down (mixed 1,000 pods: 3.98 -> 4.17).
 */
const GRID_ROUNDS = 30;
/** The liquid relaxation's generation (liquidBound): Wentges smoothing, and when to stop. */
const LIQUID = { rounds: 400, columnsPerRound: 40, smoothing: 0.5, gap: 1e-3 };

interface Row extends PatternItem {
  /** A class standing for the row, for which offerings it accepts. */
  c: number;
  zones: number;
  count: number;
}

/**
 * Items (lower-bound.ts), alike ones merged into one row: same requests, offerings, zones and
 * forced groups. With `wholeSpreads`, a class under a zone spread of its own (ownZoneSkew) gets
 * instead a row of its own in each zone, up to the most a zone may hold, for pattern-ip.ts to
 * choose the counts per zone that keep its skew.
 */
function rowsOf(setup: PlanningSetup, wholeSpreads: boolean): { rows: Row[]; perNode: number[]; spreads: ZoneSpreadRows[] } {
  const { allZones } = setup;
  const placeable = new Uint8Array(setup.classes.length);
  const reaches = setup.classes.map((_, c) => (setup.topologies[c]!.unsupported ? 0 : reachOf(setup, c)));
  reaches.forEach((reach, c) => {
    if (reach !== 0) placeable[c] = 1;
  });
  const groups = forcedNodeGroups(setup.topologies, setup.classes.map((cls) => cls.podIds.length), (c) => placeable[c] === 1);
  const groupsOf: number[][] = setup.classes.map(() => []);
  groups.forEach((g, i) => g.classes.forEach((c) => groupsOf[c]!.push(i)));

  const fitKey = fitSignatures(setup.fits);
  const index = new Map<string, number>();
  const rows: Row[] = [];
  const spreads: ZoneSpreadRows[] = [];
  /** Adds the pods to the row of that key (a new one at the end when there is none); its index. */
  const add = (c: number, zones: number, count: number, own = ''): number => {
    const cls = setup.classes[c]!;
    const key = `${cls.cpu}|${cls.mem}|${cls.storage}|${cls.gpus}|${fitKey(c)}|${zones}|${groupsOf[c]!.join(',')}${own}`;
    const at = index.get(key);
    if (at !== undefined) {
      rows[at]!.count += count;
      return at;
    }
    index.set(key, rows.length);
    return rows.push({ c, zones, count, cpu: cls.cpu, mem: cls.mem, storage: cls.storage, groups: groupsOf[c]! }) - 1;
  };
  setup.classes.forEach((cls, c) => {
    if (!placeable[c]) return;
    const reach = reaches[c]!;
    const skew = wholeSpreads ? ownZoneSkew(setup, c, reach) : undefined;
    if (skew !== undefined) {
      const pods = cls.podIds.length;
      const zones = [...setup.zones.keys()].filter((z) => reach & (1 << z));
      const most = Math.min(pods, Math.floor(pods / zones.length) + skew);
      spreads.push({ rows: zones.map((z) => add(c, 1 << z, most, `|class ${c}`)), pods, maxSkew: skew });
      return;
    }
    const perZone = perZoneMinimum(setup, c, reach);
    let rest = cls.podIds.length;
    if (perZone > 0) {
      for (let z = 0; z < setup.zones.length; z++) {
        if (!(reach & (1 << z))) continue;
        add(c, 1 << z, perZone);
        rest -= perZone;
      }
    }
    if (rest > 0) add(c, allZones, rest);
  });
  return { rows, perNode: groups.map((g) => g.perNode), spreads };
}

/**
 * Node kinds: per offering, the rows that accept it; offerings of a type with the same rows are
 * one kind at the cheapest price, and a kind another beats (as cheap, as large in every
 * resource, for the same rows) is left out: whatever fits it fits the other, so no ceiling is lost.
 */
function variantsOf(setup: PlanningSetup, rows: Row[]): Variant[] {
  const offerings = offeringsOf(setup);
  const asked = askedTypes(setup);
  const byRows = new Map<string, Map<Offering['type'], Variant>>();
  for (const o of offerings) {
    const accepted: number[] = [];
    rows.forEach((row, r) => {
      if (accepts(setup, asked, row.c, o, row.zones) && fitsOne(o.type, setup.classes[row.c]!)) accepted.push(r);
    });
    if (accepted.length === 0) continue;
    const key = accepted.join(',');
    let kinds = byRows.get(key);
    if (!kinds) byRows.set(key, (kinds = new Map()));
    const seen = kinds.get(o.type);
    if (!seen || o.price < seen.price) {
      const t = o.type;
      kinds.set(t, { node: { cpu: t.cpu, mem: t.mem, pods: t.pods, storage: t.storage }, rows: accepted, price: o.price });
    }
  }
  return undominated([...byRows.values()].map((kinds) => [...kinds.values()]));
}

/**
 * The model in whole nodes, zone spreads as counts per zone (rowsOf), solved when small enough
 * (pattern-ip.ts); rows no node kind holds are left out, as the LPs leave them.
 */
function wholeNodeBound(setup: PlanningSetup): number | undefined {
  const { rows, perNode, spreads } = rowsOf(setup, true);
  // Node kinds take a pass over every offering: not for requests far too large to solve so.
  if (rows.length === 0 || !mayBeSolved(rows.map((row) => row.count), spreads)) return undefined;
  const variants = variantsOf(setup, rows);
  const spreadRows = new Set(spreads.flatMap((spread) => spread.rows));
  const demand = rows.map((row, r) => (spreadRows.has(r) || variants.some((v) => v.rows.includes(r)) ? row.count : 0));
  const model = { items: rows, demand, variants, perNode, spreads };
  // Zone-spread pods alone: each zone apart, far fewer states.
  return (wholeNodes(model) ?? wholeNodesByZone(model, rows.map((row) => row.zones)))?.cost;
}

/** Fresh LPs over the setup's rows and node kinds, each with a first column per row. */
function patternLps(setup: PlanningSetup): { rows: number; newLp: () => PatternLp<Variant> } | undefined {
  const { rows, perNode } = rowsOf(setup, false);
  if (rows.length === 0) return undefined;
  const variants = variantsOf(setup, rows);
  return {
    rows: rows.length,
    newLp: () => {
      const lp = new PatternLp(rows, rows.map((row) => row.count), variants, perNode);
      lp.coverEachRow();
      return lp;
    },
  };
}

/**
 * The cost of whole nodes where the request is small enough to solve the model so (pattern-ip.ts:
 * it is never below either LP); otherwise the larger of the liquid bound and, up to MAX_ROWS
 * rows, the whole-pod LP's.
 */
export function patternBoundOf(setup: PlanningSetup): number {
  const whole = wholeNodeBound(setup);
  // A hair under, for the floating point of the sums.
  if (whole !== undefined) return whole * (1 - 1e-9);
  const lps = patternLps(setup);
  if (!lps) return 0;
  const liquid = liquidBound(lps.newLp());
  return lps.rows > MAX_ROWS ? liquid : Math.max(liquid, wholePodBound(lps.newLp()));
}

/** The liquid relaxation's bound alone (liquidBound). */
export function liquidBoundOf(setup: PlanningSetup): number {
  const lps = patternLps(setup);
  return lps ? liquidBound(lps.newLp()) : 0;
}

/** Farley's bound of the LP over whole-pod patterns, generated and then topped up from the grid. */
function wholePodBound(lp: PatternLp<Variant>): number {
  let solution = lp.generate(GENERATE);
  if (!solution.feasible) return 0;
  for (let round = 0; round < GRID_ROUNDS; round++) {
    let added = 0;
    for (const variant of lp.variants) {
      // Small nodes are priced exactly already; the quick ceiling rules most of the others out.
      const input = lp.pricing(variant, solution.duals);
      const worthBeating = variant.price * (1 + 1e-6);
      if (variant.node.pods <= EXACT_SLOTS || quickCeiling(input) <= worthBeating) continue;
      const found = gridPattern(input, worthBeating);
      if (found && found.worth > worthBeating && lp.add(variant, found.counts)) added++;
    }
    if (added === 0) break;
    solution = lp.generate(GENERATE);
  }
  // A hair under, for the floating point of the ceilings.
  return farleyBound(lp, solution.duals) * (1 - 1e-9);
}

/**
 * The liquid relaxation: the same LP, but on a node whose exact search does not finish (more than
 * EXACT_SLOTS slots, or too many kinds) pods may be bought in fractions, each pod still bringing
 * its CPU, memory, slot and storage together onto one node. Weaker than whole pods, but its
 * pricing is one small LP per node kind (the fractional knapsack) whose optimum is a column and
 * whose dual value is the ceiling, so the generation converges to theta = 1 where the whole-pod
 * LP's ceilings on large nodes stay loose; and much stronger than lower-bound.ts's resource LP,
 * which pours CPU and memory into different nodes (20,000 mixed pods' main set: 119.85 against
 * 114.57, in ~30 s).
 *
 * Every round gives a bound (Farley's, at the duals priced), and the best is kept. The duals are
 * smoothed (Wentges): priced halfway between the LP's and those of the best bound so far, which
 * damps the oscillation of column generation; when that finds nothing the LP's own duals are
 * priced. It stops when the LP's value (an upper bound on the relaxation's optimum) is within
 * LIQUID.gap of the best bound, or after LIQUID.rounds.
 */
function liquidBound(lp: PatternLp<Variant>): number {
  const resourcePrices = new Map<Variant, Float64Array>();
  const price = (y: Float64Array) => {
    let theta = 1;
    const offers: Array<PatternOffer<Variant>> = [];
    for (const variant of lp.variants) {
      const input = lp.pricing(variant, y);
      // Ceilings at most the price cannot raise theta: the quick one, or the last resource prices'.
      if (quickCeiling(input) <= variant.price) continue;
      const last = resourcePrices.get(variant);
      if (last && ceilingWithPrices(input, last) <= variant.price) continue;
      const { pattern, ceiling } = liquidPricing(input);
      if (pattern.resourcePrices) resourcePrices.set(variant, pattern.resourcePrices);
      theta = Math.max(theta, ceiling / variant.price);
      if (pattern.worth > variant.price * (1 + 1e-6)) offers.push({ variant, counts: pattern.counts, gain: 0 });
    }
    return { offers, bound: demandWorth(y, lp.demand) / theta };
  };
  /** The offers that are worth more than their price at the LP's duals y, with that gain. */
  const gainingAt = (y: Float64Array, offers: Array<PatternOffer<Variant>>) =>
    offers
      .map((offer) => ({ ...offer, gain: patternWorth(y, offer.counts) / offer.variant.price - 1 }))
      .filter((offer) => offer.gain > 1e-6);

  let solution = lp.solve();
  let best = 0;
  let center: Float64Array | undefined;
  for (let round = 0; round < LIQUID.rounds && solution.feasible; round++) {
    const y = solution.duals;
    const tried = center ? [smoothed(center, y), y] : [y];
    let offers: Array<PatternOffer<Variant>> = [];
    for (const at of tried) {
      const priced = price(at);
      if (priced.bound > best) {
        best = priced.bound;
        center = at;
      }
      offers = gainingAt(y, priced.offers);
      if (offers.length > 0) break;
    }
    if (offers.length === 0 || best >= solution.value * (1 - LIQUID.gap)) break;
    if (lp.addOffers(solution, offers, LIQUID.columnsPerRound) === 0) break;
    solution = lp.solve();
  }
  // A hair under, for the floating point of the ceilings.
  return best * (1 - 1e-9);
}

/** Halfway between the best bound's duals and the LP's. */
function smoothed(center: Float64Array, y: Float64Array): Float64Array {
  return Float64Array.from(y, (value, r) => LIQUID.smoothing * center[r]! + (1 - LIQUID.smoothing) * value);
}

/** y.b: what the duals y say the demand b is worth. */
function demandWorth(y: Float64Array, b: ArrayLike<number>): number {
  let sum = 0;
  for (let r = 0; r < b.length; r++) sum += y[r]! * b[r]!;
  return sum;
}

/** y.b / theta, where theta >= 1 bounds what any pattern of any variant is worth at y per dollar. */
function farleyBound(lp: PatternLp<Variant>, y: Float64Array): number {
  let theta = 1;
  // The grid only where the fractional ceiling would raise theta: it is slow.
  for (const variant of lp.variants) theta = Math.max(theta, patternCeiling(lp.pricing(variant, y), variant.price * theta) / variant.price);
  return demandWorth(y, lp.demand) / theta;
}

