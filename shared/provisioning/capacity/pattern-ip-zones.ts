// The pattern model in whole nodes (pattern-ip.ts) for zone-spread pods alone, zone by zone:
// their node kinds each hold one zone's rows, so each zone is solved apart (its table holds the
// cheapest nodes for any counts of each class there), and then each class's counts per zone are
// chosen within its skew for the least cost in all. The zones' rows multiply only within a zone:
// two Deployments of 40 pods over three zones are 15^6 states in one piece, 15^2 a zone.
import { coverTable, MAX_STATES, MAX_STEPS, type CoverTable, type PatternModel, type WholeNodes, type ZoneSpreadRows } from './pattern-ip.ts';
import type { Variant } from './pattern-lp.ts';

/**
 * The cheapest whole nodes for a model of zone-spread classes alone (`zoneOf`: each row's zone).
 * Undefined when some row is no spread's, some node kind spans zones, or past `maxSteps`.
 */
export function wholeNodesByZone<V extends Variant>(model: PatternModel<V>, zoneOf: readonly number[], maxSteps = MAX_STEPS): WholeNodes<V> | undefined {
  const spreads = model.spreads ?? [];
  const spreadOf = new Map<number, number>();
  spreads.forEach((spread, i) => spread.rows.forEach((r) => spreadOf.set(r, i)));
  if (model.demand.some((d, r) => d > 0 && !spreadOf.has(r))) return undefined;
  if (model.variants.some((v) => v.rows.some((r) => zoneOf[r] !== zoneOf[v.rows[0]!]))) return undefined;

  // Each zone's table, over its own rows.
  const zones = [...new Set(zoneOf)];
  let budget = maxSteps;
  type Local = Variant & { original: V };
  const parts: Array<{ rows: number[]; table: CoverTable<Local>; rowOf: number[] }> = [];
  for (const zone of zones) {
    const rows = model.demand.map((_, r) => r).filter((r) => zoneOf[r] === zone);
    const local = new Map(rows.map((r, i) => [r, i]));
    const variants: Local[] = model.variants
      .filter((v) => zoneOf[v.rows[0]!] === zone)
      .map((v) => ({ node: v.node, price: v.price, rows: v.rows.map((r) => local.get(r)!), original: v }));
    const table = coverTable({ items: rows.map((r) => model.items[r]!), demand: rows.map((r) => model.demand[r]!), variants, perNode: model.perNode }, budget);
    if (!table) return undefined;
    budget -= table.steps;
    // Per spread, its row here (local index), or -1.
    const rowOf = spreads.map((spread) => {
      const r = spread.rows.find((row) => zoneOf[row] === zone);
      return r === undefined ? -1 : local.get(r)!;
    });
    parts.push({ rows, table, rowOf });
  }

  // Counts per zone: for each choice of each spread's least count m (from what its skew forces
  // up to an even split), every zone takes m to m + maxSkew of it; a DP over the zones on the
  // counts so far finds the cheapest that add up to every spread's pods.
  const sums = spreads.map((spread) => spread.pods + 1);
  const sumStates = sums.reduce((a, b) => a * b, 1);
  const levels = spreads.map((spread) => {
    const z = spread.rows.length;
    const lo = Math.max(0, Math.ceil((spread.pods - (z - 1) * spread.maxSkew) / z));
    return Array.from({ length: Math.floor(spread.pods / z) - lo + 1 }, (_, i) => lo + i);
  });
  const choices = levels.reduce((a, l) => a * l.length, 1) * spreads.reduce((a, s) => a * (s.maxSkew + 1), 1);
  if (choices * sumStates * parts.length > budget || sumStates > MAX_STATES) return undefined;

  let best: WholeNodes<V> | undefined;
  for (const least of cartesian(levels)) {
    const found = cheapestCounts(parts, spreads, least, sums, sumStates, model.demand);
    if (!found || (best && found.cost >= best.cost)) continue;
    const nodes: WholeNodes<V>['nodes'] = [];
    found.states.forEach((state, p) => {
      const { rows, table } = parts[p]!;
      for (const node of table.nodesOf(state)) {
        nodes.push({ variant: node.variant.original, counts: node.counts.map(([r, n]) => [rows[r]!, n]) });
      }
    });
    best = { cost: found.cost, nodes };
  }
  return best;
}

/** Every combination of one value from each list. */
function* cartesian(lists: number[][]): Generator<number[]> {
  const at = lists.map(() => 0);
  if (lists.some((l) => l.length === 0)) return;
  for (;;) {
    yield at.map((i, k) => lists[k]![i]!);
    let k = 0;
    while (k < lists.length && ++at[k]! === lists[k]!.length) at[k++] = 0;
    if (k === lists.length) return;
  }
}

/**
 * Given each spread's least count per zone, the cheapest counts per zone (each within least to
 * least + maxSkew, and no more than the zone's row holds) that add up to every spread's pods:
 * the cost and each zone's state in its table.
 */
function cheapestCounts<V extends Variant>(
  parts: Array<{ table: CoverTable<V>; rowOf: number[] }>,
  spreads: ZoneSpreadRows[],
  least: number[],
  sums: number[],
  sumStates: number,
  demand: readonly number[],
): { cost: number; states: number[] } | undefined {
  const sumPlace: number[] = [];
  let value = 1;
  for (const n of sums) {
    sumPlace.push(value);
    value *= n;
  }
  let cost = new Float64Array(sumStates).fill(Number.POSITIVE_INFINITY);
  cost[0] = 0;
  const back: Array<{ from: Int32Array; state: Int32Array }> = [];
  for (const { table, rowOf } of parts) {
    // This zone's options: a count per spread with a row here, as the step they add to the
    // counts so far and the zone's table state they make.
    let options = [{ step: 0, state: 0 }];
    spreads.forEach((spread, i) => {
      const r = rowOf[i]!;
      if (r < 0) return;
      // Every row of a spread holds the same most (its demand).
      const most = Math.min(least[i]! + spread.maxSkew, demand[spread.rows[0]!]!);
      const next = [];
      for (const o of options) for (let k = least[i]!; k <= most; k++) next.push({ step: o.step + k * sumPlace[i]!, state: o.state + k * table.place[r]! });
      options = next;
    });
    const nextCost = new Float64Array(sumStates).fill(Number.POSITIVE_INFINITY);
    const from = new Int32Array(sumStates).fill(-1);
    const state = new Int32Array(sumStates).fill(-1);
    for (let s = 0; s < sumStates; s++) {
      if (!Number.isFinite(cost[s]!)) continue;
      for (const o of options) {
        const t = s + o.step;
        if (t >= sumStates || !overflowFree(s, o.step, sums, sumPlace)) continue;
        const c = cost[s]! + table.cost[o.state]!;
        if (c < nextCost[t]!) {
          nextCost[t] = c;
          from[t] = s;
          state[t] = o.state;
        }
      }
    }
    back.push({ from, state });
    cost = nextCost;
  }
  const goal = spreads.reduce((sum, spread, i) => sum + spread.pods * sumPlace[i]!, 0);
  if (!Number.isFinite(cost[goal]!)) return undefined;
  const states: number[] = new Array(parts.length);
  for (let p = parts.length - 1, s = goal; p >= 0; p--) {
    states[p] = back[p]!.state[s]!;
    s = back[p]!.from[s]!;
  }
  return { cost: cost[goal]!, states };
}

/** Whether adding `step` to state `s` keeps every digit within its radix (no carry). */
function overflowFree(s: number, step: number, sums: number[], place: number[]): boolean {
  for (let i = 0; i < sums.length; i++) {
    if ((Math.floor(s / place[i]!) % sums[i]!) + (Math.floor(step / place[i]!) % sums[i]!) >= sums[i]!) return false;
  }
  return true;
}
