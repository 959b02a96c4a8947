// The pattern model of pattern-bound.ts solved in whole nodes, when the request is small enough:
// the least cost of buying nodes (each a pattern on some variant) that cover every row's demand.
// Every plan is such a set of nodes, so this is a lower bound like the LP's, and never below it;
// on small requests the LP's fractions are what is left of the gap (mixed 100 pods: 7 pods of a
// hostname spread and 93 small ones, whole-pod LP 0.3014, whole nodes 0.3156, the plan's cost).
//
// Dynamic programming over what is left to cover: a state is a vector of pods left per row
// (mixed radix, 0..demand each), and the cheapest cover of a state is, over every pattern that
// covers some of it, the pattern's price plus the cheapest cover of what it leaves. A pattern only
// ever lowers the state, so states in increasing order see their successors solved. It runs only
// when the states times the patterns stay within a budget of steps; otherwise undefined.
//
// Zone spread: a class under a spread of its own may have a row per zone, whose demand is the most
// a zone may hold; the answer is then the cheapest state whose counts add up to the class and keep
// its skew, so the zones that get the pods an even split leaves over are chosen with the nodes.
// A model of such classes alone can be solved zone by zone (pattern-ip-zones.ts), far smaller.
import type { PatternItem } from './pattern-pricing.ts';
import type { Variant } from './pattern-lp.ts';

/** States at most (a Float64Array of them). */
export const MAX_STATES = 1_000_000;
/** Patterns enumerated at most, over every variant (the same counts on many variants too), whatever the budget. */
const MAX_PATTERNS = 200_000;
/** Patterns enumerated at least, however small the budget of steps. */
const MIN_PATTERNS = 20_000;
/** Distinct patterns up to which the dominated are looked for (pairwise: quadratic). */
const PRUNE_UP_TO = 3_000;
/** State x pattern-row steps at most: ~0.1-0.3 s. */
export const MAX_STEPS = 30_000_000;

export interface PatternModel<V extends Variant = Variant> {
  items: PatternItem[];
  demand: readonly number[];
  variants: V[];
  /** Per forced group, the most pods of it one node may hold. */
  perNode: number[];
  /**
   * Zone-spread classes whose rows are per zone: their demand is the most a zone may hold, and
   * a solution covers counts that add up to the class and keep its skew instead.
   */
  spreads?: ZoneSpreadRows[];
}

/** One zone-spread class as rows of the model, one per zone it may use. */
export interface ZoneSpreadRows {
  rows: number[];
  /** Pods of the class: the rows' counts add up to it. */
  pods: number;
  /** The rows' counts differ by at most this much. */
  maxSkew: number;
}

/** A pattern in sparse form: the rows it holds pods of, how many, and the cheapest variant that holds it. */
interface SparsePattern<V extends Variant> {
  rows: number[];
  counts: number[];
  variant: V;
}

export interface WholeNodes<V extends Variant> {
  cost: number;
  /** The nodes bought: each a variant and its pods per row ([row, pods], none above the demand). */
  nodes: Array<{ variant: V; counts: Array<[number, number]> }>;
}

/**
 * The cheapest set of whole nodes covering the demand; undefined when no set does (a row no
 * variant holds) or when solving it would take more than `maxSteps` state x pattern-row steps.
 */
export function wholeNodes<V extends Variant>(model: PatternModel<V>, maxSteps = MAX_STEPS): WholeNodes<V> | undefined {
  const table = coverTable(model, maxSteps);
  if (!table) return undefined;
  // The cheapest state that places every pod.
  const complete = completeness(model);
  const digits = new Array<number>(model.demand.length).fill(0);
  let goal = -1;
  for (let s = 0; s < table.cost.length; s++) {
    if (s > 0) advance(digits, model.demand);
    if (table.cost[s]! < (goal < 0 ? Number.POSITIVE_INFINITY : table.cost[goal]!) && complete(digits)) goal = s;
  }
  return goal < 0 ? undefined : { cost: table.cost[goal]!, nodes: table.nodesOf(goal) };
}

/** States of a demand (0..d per row), or Infinity past MAX_STATES. */
function statesOf(demand: readonly number[]): number {
  let states = 1;
  for (const d of demand) {
    states *= d + 1;
    if (states > MAX_STATES) return Number.POSITIVE_INFINITY;
  }
  return states;
}

/**
 * Whether a model of this demand might be solved at all, before its node kinds are built: its
 * states fit, or every row with pods is a zone spread's (pattern-ip-zones.ts solves those a zone
 * at a time). The budget of steps is checked later.
 */
export function mayBeSolved(demand: readonly number[], spreads: readonly ZoneSpreadRows[]): boolean {
  if (statesOf(demand) <= MAX_STATES) return true;
  const spreadRows = new Set(spreads.flatMap((spread) => spread.rows));
  return demand.every((d, r) => d === 0 || spreadRows.has(r));
}

/** The next state's digits, in the order states are numbered (mixed radix, row 0 fastest). */
function advance(digits: number[], demand: readonly number[]): void {
  for (let r = 0; r < digits.length; r++) {
    if (digits[r]! < demand[r]!) {
      digits[r]!++;
      return;
    }
    digits[r] = 0;
  }
}

/** The cheapest cover of every state (pods per row, 0..demand each), and the nodes of one. */
export interface CoverTable<V extends Variant> {
  /** Per row, what one of its pods adds to a state's number. */
  place: number[];
  cost: Float64Array;
  steps: number;
  nodesOf(state: number): WholeNodes<V>['nodes'];
}

export function coverTable<V extends Variant>(model: PatternModel<V>, maxSteps: number): CoverTable<V> | undefined {
  const { demand } = model;
  const states = statesOf(demand);
  if (states > MAX_STATES) return undefined;
  // Each distinct pattern costs a step per state and row, so a small budget enumerates fewer; but
  // many variants repeat the same counts, and dominated patterns go, so never under MIN_PATTERNS.
  const patterns = maximalPatterns(model, Math.min(MAX_PATTERNS, Math.max(MIN_PATTERNS, 20 * Math.ceil(maxSteps / states))));
  if (!patterns) return undefined;
  const steps = patterns.reduce((sum, p) => sum + p.rows.length, 0) * states;
  if (steps > maxSteps) return undefined;

  const place: number[] = [];
  let value = 1;
  for (const d of demand) {
    place.push(value);
    value *= d + 1;
  }
  const cost = new Float64Array(states).fill(Number.POSITIVE_INFINITY);
  const choice = new Int32Array(states).fill(-1);
  cost[0] = 0;
  const digits = new Array<number>(demand.length).fill(0);
  for (let s = 1; s < states; s++) {
    advance(digits, demand);
    let best = Number.POSITIVE_INFINITY;
    let chosen = -1;
    for (let j = 0; j < patterns.length; j++) {
      const p = patterns[j]!;
      let left = s;
      for (let k = 0; k < p.rows.length; k++) {
        const r = p.rows[k]!;
        left -= Math.min(digits[r]!, p.counts[k]!) * place[r]!;
      }
      if (left !== s && p.variant.price + cost[left]! < best) {
        best = p.variant.price + cost[left]!;
        chosen = j;
      }
    }
    cost[s] = best;
    choice[s] = chosen;
  }
  // Back from a state: its pattern, holding no more than that state has left, and so on.
  const nodesOf = (state: number) => {
    const nodes: WholeNodes<V>['nodes'] = [];
    for (let s = state; s > 0; ) {
      const p = patterns[choice[s]!]!;
      const counts: Array<[number, number]> = [];
      let left = s;
      p.rows.forEach((r, k) => {
        const n = Math.min(Math.floor(s / place[r]!) % (demand[r]! + 1), p.counts[k]!);
        if (n > 0) counts.push([r, n]);
        left -= n * place[r]!;
      });
      nodes.push({ variant: p.variant, counts });
      s = left;
    }
    return nodes;
  };
  return { place, cost, steps, nodesOf };
}

/**
 * Whether a state's counts place every pod: the full demand of each row, but for a zone-spread
 * class counts per zone that add up to its pods and keep its skew.
 */
function completeness(model: PatternModel): (digits: readonly number[]) => boolean {
  const spreads = model.spreads ?? [];
  const plain = model.demand.map((_, r) => r).filter((r) => !spreads.some((spread) => spread.rows.includes(r)));
  return (digits) => {
    for (const r of plain) if (digits[r] !== model.demand[r]) return false;
    for (const { rows, pods, maxSkew } of spreads) {
      let sum = 0;
      let least = Number.POSITIVE_INFINITY;
      let most = 0;
      for (const r of rows) {
        const n = digits[r]!;
        sum += n;
        least = Math.min(least, n);
        most = Math.max(most, n);
      }
      if (sum !== pods || most - least > maxSkew) return false;
    }
    return true;
  };
}

/**
 * Per variant, every pattern that takes as many pods of its last row as still fit: the others are
 * below one of these. The same counts on several variants are one pattern at the cheapest price,
 * and a pattern another covers (as many pods of every row, as cheap) is dropped.
 */
function maximalPatterns<V extends Variant>(model: PatternModel<V>, budget: number): Array<SparsePattern<V>> | undefined {
  const { items, demand, variants, perNode } = model;
  const cheapest = new Map<string, SparsePattern<V>>();
  let enumerated = 0;
  for (const variant of variants) {
    const rows = variant.rows.filter((r) => demand[r]! > 0);
    const counts = new Array<number>(rows.length).fill(0);
    const groupUse = new Array<number>(perNode.length).fill(0);
    const used = { cpu: 0, mem: 0, pods: 0, storage: 0 };
    const node = variant.node;
    const room = (item: PatternItem, k: number) => {
      let n = Math.min(demand[rows[k]!]!, node.pods - used.pods);
      if (item.cpu > 0) n = Math.min(n, Math.floor((node.cpu - used.cpu) / item.cpu));
      if (item.mem > 0) n = Math.min(n, Math.floor((node.mem - used.mem) / item.mem));
      if (item.storage > 0) n = Math.min(n, Math.floor((node.storage - used.storage) / item.storage));
      for (const g of item.groups) n = Math.min(n, perNode[g]! - groupUse[g]!);
      return Math.max(0, n);
    };
    const take = (item: PatternItem, n: number) => {
      used.cpu += n * item.cpu;
      used.mem += n * item.mem;
      used.storage += n * item.storage;
      used.pods += n;
      for (const g of item.groups) groupUse[g]! += n;
    };
    const visit = (k: number): boolean => {
      if (k === rows.length) {
        const held = rows.map((r, i) => [r, counts[i]!] as const).filter(([, n]) => n > 0);
        if (held.length === 0) return true;
        const key = held.map(([r, n]) => `${r}:${n}`).join(',');
        const seen = cheapest.get(key);
        if (!seen) cheapest.set(key, { rows: held.map(([r]) => r), counts: held.map(([, n]) => n), variant });
        else if (variant.price < seen.variant.price) seen.variant = variant;
        return ++enumerated <= budget;
      }
      const item = items[rows[k]!]!;
      const most = room(item, k);
      for (let n = k === rows.length - 1 ? most : 0; n <= most; n++) {
        counts[k] = n;
        take(item, n);
        const more = visit(k + 1);
        take(item, -n);
        if (!more) return false;
      }
      counts[k] = 0;
      return true;
    };
    if (!visit(0)) return undefined;
  }
  const distinct = [...cheapest.values()];
  return distinct.length <= PRUNE_UP_TO ? undominatedPatterns(distinct, demand.length) : distinct;
}

/** The patterns no other covers as cheaply (as many pods of every row, at most its price). */
function undominatedPatterns<V extends Variant>(patterns: Array<SparsePattern<V>>, rows: number): Array<SparsePattern<V>> {
  const dense = (p: SparsePattern<V>) => {
    const all = new Array<number>(rows).fill(0);
    p.rows.forEach((r, k) => (all[r] = p.counts[k]!));
    return all;
  };
  const pods = (p: SparsePattern<V>) => p.counts.reduce((sum, n) => sum + n, 0);
  // Of equal prices the fuller first, so that it is the one kept.
  const sorted = [...patterns].sort((a, b) => a.variant.price - b.variant.price || pods(b) - pods(a));
  const kept: Array<{ pattern: SparsePattern<V>; all: number[] }> = [];
  for (const pattern of sorted) {
    const all = dense(pattern);
    if (kept.some((k) => k.all.every((n, r) => n >= all[r]!))) continue;
    kept.push({ pattern, all });
  }
  return kept.map((k) => k.pattern);
}
