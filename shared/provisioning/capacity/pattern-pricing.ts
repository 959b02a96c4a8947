// Pricing for column generation over fill patterns (pattern-seeds.ts, pattern-bound.ts): given a
// value per pod of each kind (the LP's duals), the pattern of most value one node can hold, and a
// proven ceiling on what any pattern could be worth. A pattern is how many pods of each kind go on
// one node; it must fit the node's CPU, memory, pod slots and storage, never hold more pods of a
// kind than there are, and hold at most `perNode` pods of each forced group (anti-affinity,
// hostname spread).
import { solveKnapsackLp } from './bounded-knapsack-lp.ts';
import { gridCeiling, gridCounts } from './grid-ceiling.ts';
import { podsPerNode } from './pods-per-node.ts';

/** A kind of pod: its requests and the forced groups it counts in. */
export interface PatternItem {
  cpu: number;
  mem: number;
  storage: number;
  groups: number[];
}

export interface NodeCapacity {
  cpu: number;
  mem: number;
  pods: number;
  storage: number;
}

export interface PricingInput {
  node: NodeCapacity;
  items: PatternItem[];
  /** The items that may go on this node. */
  rows: number[];
  /** Pods of each item: a pattern never holds more. */
  demand: ArrayLike<number>;
  /** Value of one pod of each item. */
  value: Float64Array;
  /** Per forced group, the most pods of it one node may hold. */
  perNode: number[];
}

export interface Pattern {
  /** [item, pods], by item. */
  counts: Array<[number, number]>;
  worth: number;
  /** When the fractional knapsack was solved: its prices of CPU, memory, slots and storage (for ceilingWithPrices). */
  resourcePrices?: Float64Array;
}

/** capacity x rate, where an infinite rate (a pod of none of this resource) means no limit. */
const times = (capacity: number, rate: number) => (rate === Number.POSITIVE_INFINITY ? rate : capacity * rate);

/** Nodes with at most this many pod slots get the exact search (up to EXACT_STEPS). */
export const EXACT_SLOTS = 16;
const EXACT_STEPS = 20_000;

/** The rows worth searching: valued, with pods left, and fitting the empty node. */
function candidates(input: PricingInput): number[] {
  const { node, items, demand, value } = input;
  return input.rows.filter((r) => {
    const item = items[r]!;
    return value[r]! > 0 && demand[r]! > 0 && item.cpu <= node.cpu && item.mem <= node.mem && item.storage <= node.storage;
  });
}

/** The groups the rows count in, numbered 0..k-1 for the LP's rows. */
function groupsOf(input: PricingInput, rows: number[]): Map<number, number> {
  const index = new Map<number, number>();
  for (const r of rows) for (const g of input.items[r]!.groups) if (!index.has(g)) index.set(g, index.size);
  return index;
}

/**
 * The fractional knapsack of the node: rows CPU, memory, slots, storage and one per forced group;
 * columns the candidate items, bounded by their demand.
 */
function knapsackOf(input: PricingInput, rows: number[]) {
  const { node, items, demand, value, perNode } = input;
  const groups = groupsOf(input, rows);
  const m = 4 + groups.size;
  const n = rows.length;
  const r = new Float64Array(m * n);
  const capacity = new Float64Array(m);
  capacity.set([node.cpu, node.mem, node.pods, node.storage]);
  for (const [g, k] of groups) capacity[4 + k] = perNode[g]!;
  rows.forEach((row, j) => {
    const item = items[row]!;
    r[j] = item.cpu;
    r[n + j] = item.mem;
    r[2 * n + j] = 1;
    r[3 * n + j] = item.storage;
    for (const g of item.groups) r[(4 + groups.get(g)!) * n + j] = 1;
  });
  return {
    r, capacity, rows: m, cols: n,
    value: Float64Array.from(rows, (row) => value[row]!),
    upper: Float64Array.from(rows, (row) => demand[row]!),
  };
}

/** What is left of a node as pods go on it, the room of its forced groups included. */
class Room {
  cpu: number;
  mem: number;
  pods: number;
  storage: number;
  readonly group = new Map<number, number>();

  constructor(private readonly input: PricingInput) {
    ({ cpu: this.cpu, mem: this.mem, pods: this.pods, storage: this.storage } = input.node);
  }

  /** How many more pods of the item fit, at most `wanted`. */
  most(r: number, wanted: number): number {
    const item = this.input.items[r]!;
    let n = Math.min(wanted, this.pods);
    if (item.cpu > 0) n = Math.min(n, Math.floor(this.cpu / item.cpu));
    if (item.mem > 0) n = Math.min(n, Math.floor(this.mem / item.mem));
    if (item.storage > 0) n = Math.min(n, Math.floor(this.storage / item.storage));
    for (const g of item.groups) n = Math.min(n, this.input.perNode[g]! - (this.group.get(g) ?? 0));
    return Math.max(0, n);
  }

  take(r: number, n: number): void {
    const item = this.input.items[r]!;
    this.cpu -= n * item.cpu;
    this.mem -= n * item.mem;
    this.pods -= n;
    this.storage -= n * item.storage;
    for (const g of item.groups) this.group.set(g, (this.group.get(g) ?? 0) + n);
  }
}

/** Rows by value per share of the node they take (CPU and memory alike, plus a slot), best first. */
function byDensity(input: PricingInput, rows: number[]): number[] {
  const { node, items, value } = input;
  const weight = (r: number) => 0.5 * (items[r]!.cpu / node.cpu) + 0.5 * (node.mem > 0 ? items[r]!.mem / node.mem : 0) + 1 / node.pods;
  return rows.map((r) => ({ r, density: value[r]! / weight(r) })).sort((a, b) => b.density - a.density || a.r - b.r).map((e) => e.r);
}

/** The fractional optimum rounded down, then topped up with whole pods by density; with the knapsack's prices of the node's resources. */
function roundedPattern(input: PricingInput, rows: number[]): Pattern {
  const { a, y } = solveKnapsackLp(knapsackOf(input, rows));
  const pattern = filledPattern(input, rows, rows.map((r, j) => [r, Math.floor(a[j]! + 1e-9)]));
  return { ...pattern, resourcePrices: clippedResourcePrices(y) };
}

/**
 * A ceiling on every pattern's worth from any prices y >= 0 of the node's CPU, memory, slots and
 * storage (weak duality, as fractionalCeiling, with the forced groups priced at 0): y.capacity
 * plus, per item, the most pods of it one node holds (pods-per-node.ts, within the demand) times
 * what a pod is worth above its resources' price. A linear scan: with the prices of the last time
 * the node was searched, it tells most nodes that cannot beat their price apart without a search.
 */
export function ceilingWithPrices(input: PricingInput, y: Float64Array): number {
  const { node, items, value, demand } = input;
  let ceiling = y[0]! * node.cpu + y[1]! * node.mem + y[2]! * node.pods + y[3]! * node.storage;
  for (const r of input.rows) {
    const v = value[r]!;
    if (v <= 0 || demand[r]! <= 0) continue;
    const item = items[r]!;
    const surplus = v - y[0]! * item.cpu - y[1]! * item.mem - y[2]! - y[3]! * item.storage;
    if (surplus <= 0) continue;
    ceiling += Math.max(0, Math.min(demand[r]!, podsPerNode(node, item, input.perNode))) * surplus;
  }
  return ceiling;
}

/** The pods asked for, as many of each as still fit, in order; then topped up with whole pods by density. */
function filledPattern(input: PricingInput, rows: number[], asked: Array<[number, number]>): Pattern {
  const room = new Room(input);
  const taken = new Map<number, number>();
  let worth = 0;
  const put = (r: number, n: number) => {
    if (n <= 0) return;
    room.take(r, n);
    taken.set(r, (taken.get(r) ?? 0) + n);
    worth += n * input.value[r]!;
  };
  for (const [r, n] of asked) put(r, room.most(r, n));
  for (const r of byDensity(input, rows)) put(r, room.most(r, input.demand[r]! - (taken.get(r) ?? 0)));
  return { counts: [...taken].sort((x, y) => x[0] - y[0]), worth };
}

/**
 * The exact best pattern of a small node: depth-first over the rows (most valuable first), bounded
 * by what the slots, CPU and memory left could bring at the best remaining value per pod, per
 * millicore and per byte. Undefined when the search runs past EXACT_STEPS.
 */
function exactPattern(input: PricingInput, candidateRows: number[]): Pattern | undefined {
  const { items, value, demand } = input;
  const rows = [...candidateRows].sort((a, b) => value[b]! - value[a]! || a - b);
  const k = rows.length;
  const perPod = new Float64Array(k + 1);
  const perCpu = new Float64Array(k + 1);
  const perMem = new Float64Array(k + 1);
  for (let i = k - 1; i >= 0; i--) {
    const item = items[rows[i]!]!;
    const v = value[rows[i]!]!;
    perPod[i] = Math.max(perPod[i + 1]!, v);
    perCpu[i] = Math.max(perCpu[i + 1]!, item.cpu > 0 ? v / item.cpu : Number.POSITIVE_INFINITY);
    perMem[i] = Math.max(perMem[i + 1]!, item.mem > 0 ? v / item.mem : Number.POSITIVE_INFINITY);
  }
  const room = new Room(input);
  const counts = new Array<number>(k).fill(0);
  let best = 0;
  let bestCounts: number[] = [];
  let steps = 0;
  const search = (i: number, worth: number): void => {
    if (++steps > EXACT_STEPS) return;
    if (worth > best) {
      best = worth;
      bestCounts = [...counts];
    }
    if (i >= k || room.pods === 0) return;
    const ceiling = Math.min(room.pods * perPod[i]!, times(room.cpu, perCpu[i]!), times(room.mem, perMem[i]!));
    if (worth + ceiling <= best * (1 + 1e-12)) return;
    const r = rows[i]!;
    for (let n = room.most(r, demand[r]!); n >= 0; n--) {
      counts[i] = n;
      room.take(r, n);
      search(i + 1, worth + n * value[r]!);
      room.take(r, -n);
    }
    counts[i] = 0;
  };
  search(0, 0);
  if (steps > EXACT_STEPS) return undefined;
  const out: Array<[number, number]> = [];
  bestCounts.forEach((n, i) => {
    if (n > 0) out.push([rows[i]!, n]);
  });
  return { counts: out.sort((a, b) => a[0] - b[0]), worth: best };
}

/** A pattern of high value: exact on small nodes, the rounded fractional optimum otherwise. */
export function bestPattern(input: PricingInput): Pattern {
  const rows = candidates(input);
  if (rows.length === 0) return { counts: [], worth: 0 };
  return smallNodePattern(input, rows) ?? roundedPattern(input, rows);
}

/**
 * The exact best pattern of a node of at most EXACT_SLOTS slots, when the search finishes; with
 * the fractional knapsack's prices as well, though the search needs none: with them the next
 * rounds can tell without a search that the node has nothing worth its price (ceilingWithPrices).
 */
function smallNodePattern(input: PricingInput, rows: number[]): Pattern | undefined {
  const exact = input.node.pods <= EXACT_SLOTS ? exactPattern(input, rows) : undefined;
  if (!exact) return undefined;
  const { y } = solveKnapsackLp(knapsackOf(input, rows));
  return { ...exact, resourcePrices: clippedResourcePrices(y) };
}

/** The knapsack's duals of CPU, memory, slots and storage, clipped at 0 (for ceilingWithPrices). */
function clippedResourcePrices(y: Float64Array): Float64Array {
  return Float64Array.from(y.subarray(0, 4), (v) => Math.max(0, v));
}

/**
 * The fractional knapsack of the rows on this node, solved: its optimum a, its duals y, and their
 * dual value (clipped at 0), at least every pattern's worth by weak duality.
 */
function fractionalCeiling(input: PricingInput, rows: number[]): { a: Float64Array; y: Float64Array; ceiling: number } {
  const lp = knapsackOf(input, rows);
  const { a, y } = solveKnapsackLp(lp);
  let ceiling = 0;
  for (let i = 0; i < lp.rows; i++) ceiling += Math.max(0, y[i]!) * lp.capacity[i]!;
  for (let j = 0; j < lp.cols; j++) {
    let used = 0;
    for (let i = 0; i < lp.rows; i++) used += Math.max(0, y[i]!) * lp.r[i * lp.cols + j]!;
    ceiling += lp.upper[j]! * Math.max(0, lp.value[j]! - used);
  }
  return { a, y, ceiling };
}

/**
 * For the liquid relaxation (pattern-bound.ts): a column and a proven ceiling from one search.
 * On a small node whose exact search finishes, its best pattern, worth the ceiling. Otherwise the
 * fractional knapsack's optimum itself, pods in fractions (not a node anyone can launch, but a
 * column of the relaxation), and its dual value as the ceiling: the two are equal at the
 * knapsack's optimum, so the generation converges to where no node beats its price. With the
 * knapsack's prices of CPU, memory, slots and storage, for ceilingWithPrices.
 */
export function liquidPricing(input: PricingInput): { pattern: Pattern; ceiling: number } {
  const rows = candidates(input);
  if (rows.length === 0) return { pattern: { counts: [], worth: 0 }, ceiling: 0 };
  const exact = smallNodePattern(input, rows);
  if (exact) return { pattern: exact, ceiling: exact.worth };
  const { a, y, ceiling } = fractionalCeiling(input, rows);
  const counts: Array<[number, number]> = [];
  let worth = 0;
  rows.forEach((r, j) => {
    if (a[j]! <= 1e-12) return;
    counts.push([r, a[j]!]);
    worth += a[j]! * input.value[r]!;
  });
  return { pattern: { counts, worth, resourcePrices: clippedResourcePrices(y) }, ceiling: Math.max(ceiling, worth) };
}

/**
 * A proven ceiling on the worth of every pattern of this node: the exact optimum when the exact
 * search finishes, else the fractional knapsack's dual value (any duals y >= 0 give
 * y.capacity + sum over items of demand x max(0, value - y.requests), by weak duality); when that
 * is above `refineAbove`, the lower of it and the grid ceiling (grid-ceiling.ts, whole pods on
 * CPU and memory: slower, so only where a looser ceiling would cost the caller something).
 */
export function patternCeiling(input: PricingInput, refineAbove = Number.POSITIVE_INFINITY): number {
  const rows = candidates(input);
  if (rows.length === 0) return 0;
  // The exact search is worth trying on any node: with few kinds of pods it finishes quickly.
  const exact = exactPattern(input, rows);
  if (exact) return exact.worth;
  return relaxedCeiling(input, refineAbove);
}

/** patternCeiling without the exact search: the fractional knapsack's, and the grid's when that is above `refineAbove`. */
export function relaxedCeiling(input: PricingInput, refineAbove = Number.POSITIVE_INFINITY): number {
  const rows = candidates(input);
  if (rows.length === 0) return 0;
  const { y, ceiling } = fractionalCeiling(input, rows);
  if (ceiling <= refineAbove) return ceiling;
  return Math.min(ceiling, gridCeiling(input, rows, y, groupsOf(input, rows)));
}

/**
 * A better pattern than bestPattern's rounding, from the grid (grid-ceiling.ts), for a node the
 * exact search cannot finish: the table's optimum cut to what really fits (slots, storage,
 * groups) and topped up by density; first from the CPU x memory table with slots free, then, if
 * that is worth no more than `worthBeating`, with slots kept. With `quickCells`, the first only,
 * and only on a table that is exact and at most that large (the planner's budget). Slower than
 * bestPattern: for nodes whose ceiling says a better pattern may exist. Undefined when the
 * fractional knapsack already says no pattern is worth more than `worthBeating`, or the grid has nothing.
 */
export function gridPattern(input: PricingInput, worthBeating: number, quickCells?: number): Pattern | undefined {
  const rows = candidates(input);
  if (rows.length === 0) return undefined;
  const { y, ceiling } = fractionalCeiling(input, rows);
  if (ceiling <= worthBeating) return undefined;
  const groups = groupsOf(input, rows);
  let best: Pattern | undefined;
  for (const slotsKept of quickCells === undefined ? [false, true] : [false]) {
    const counts = gridCounts(input, rows, y, groups, slotsKept, quickCells);
    if (!counts) continue;
    const pattern = filledPattern(input, rows, byDensity(input, [...counts.keys()]).map((r) => [r, counts.get(r)!]));
    if (!best || pattern.worth > best.worth) best = pattern;
    if (best.worth > worthBeating) break;
  }
  return best;
}

/**
 * A quick ceiling, for skipping nodes not worth a search: the slots, CPU and memory each filled
 * with the most valuable pods per unit of it.
 */
export function quickCeiling(input: PricingInput): number {
  const { node, items, value, demand } = input;
  let perPod = 0;
  let perCpu = 0;
  let perMem = 0;
  let all = 0;
  for (const r of input.rows) {
    const v = value[r]!;
    if (v <= 0 || demand[r]! <= 0) continue;
    const item = items[r]!;
    all += v * demand[r]!;
    perPod = Math.max(perPod, v);
    perCpu = Math.max(perCpu, item.cpu > 0 ? v / item.cpu : Number.POSITIVE_INFINITY);
    perMem = Math.max(perMem, item.mem > 0 ? v / item.mem : Number.POSITIVE_INFINITY);
  }
  return Math.min(all, node.pods * perPod, times(node.cpu, perCpu), times(node.mem, perMem));
}
