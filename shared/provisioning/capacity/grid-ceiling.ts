// A proven ceiling on what one node's best pattern is worth, tighter than the fractional
// knapsack's on mid-size nodes, and the pattern behind it: a Lagrangian relaxation solved exactly
// by dynamic programming.
//
// The fractional knapsack (bounded-knapsack-lp.ts) lets a node take part of a pod, so on a node
// of 4 vCPU and 55 slots its ceiling can sit 5-10% above any whole-pod pattern, and Farley's bound
// (pattern-bound.ts) divides by the worst such ceiling. Exact search gives up on such nodes. Here:
//   - CPU and memory stay as constraints, in whole pods, on a grid: each pod's request in grid
//     units is rounded down and the node's capacity too (a sum of rounded-down requests is at
//     most the rounded-down sum, so every pattern that fits the node fits the grid). The grid unit
//     is the greatest common divisor of the requests when that gives few enough cells (then the
//     grid loses nothing: 50 millicores, 128 MiB), else the capacity over a fixed cell count.
//   - Pod slots are a third side of the table when that stays small (exact grids only); else they
//     leave the constraints at a price per slot, searched for. Storage and the forced groups that
//     several kinds share leave them too, priced at the fractional knapsack's duals (clipped at
//     0): a pod's value drops by what it uses of them, and the prices times the node's capacity
//     are added back. For any prices >= 0 this is at least every feasible pattern's worth (weak
//     duality), whole pods included.
//   - What one pod of each kind may number on its own (demand, slots, its group caps, CPU and
//     memory) bounds its count, a constraint every pattern keeps; a group only one kind counts
//     in is kept exactly so.
// The bounded knapsack that is left is solved exactly (binary splitting of the counts, a 0/1
// table over the grid), and its optimum plus the prices' share is the ceiling.
import type { PricingInput } from './pattern-pricing.ts';
import { podsPerNode } from './pods-per-node.ts';

/** Cells of the CPU x memory table: at most this many, so one ceiling costs pieces x cells. */
const MAX_CELLS = 40_000;
/**
 * Cells of the CPU x memory table when both grids are exact: a 16 vCPU, 26 GiB node on 50m and
 * 128 MiB steps is 65,000. Split into MAX_CELLS instead, its requests are rounded down by up to
 * a third, and its ceiling stays where the fractional knapsack's is (mixed benchmark, generic pods
 * of 20,000: theta 1.044 from one such node, whose best pattern is worth 1.040 of its price).
 */
const EXACT_CELLS = 100_000;
/** Cells of the CPU x memory x slots table, used instead when the first two are exact and it is this small. */
const MAX_CELLS_WITH_SLOTS = 600_000;
/** Golden-section steps over the slot price: each narrows the interval to 62% of itself. */
const SLOT_PRICE_STEPS = 12;
/** Choices kept to walk the optimum back, one bit per piece and cell (16 MB); past it, no pattern. */
const MAX_RECORDED = 128_000_000;

function gcd(a: number, b: number): number {
  while (b > 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Grid of one resource: the requests' common divisor when the capacity is then at most `cells`
 * units (exact: requests are whole units), else the capacity over `cells`. `units` rounds a
 * request down, with a hair to spare on the inexact grid so that floating point never rounds one up.
 */
function gridOf(requests: number[], capacity: number, cells: number): { units: (request: number) => number; size: number; exact: boolean } {
  let divisor = 0;
  for (const r of requests) divisor = Number.isInteger(r) && divisor >= 0 ? gcd(divisor, r) : -1;
  if (divisor > 0 && capacity / divisor <= cells) {
    return { units: (request) => Math.round(request / divisor), size: Math.floor(capacity / divisor), exact: true };
  }
  const unit = capacity / cells;
  return { units: (request) => Math.max(0, Math.floor(request / unit - 1e-9)), size: cells, exact: false };
}

/**
 * The ceiling for the rows given, with `y` the multipliers for the fractional knapsack's rows
 * (CPU, memory, slots, storage, then one per forced group in `groups` order; the first two are
 * not used). Infinity when the node has no CPU or memory to grid.
 */
export function gridCeiling(input: PricingInput, rows: number[], y: ArrayLike<number>, groups: Map<number, number>): number {
  if (input.node.cpu <= 0 || input.node.mem <= 0) return Number.POSITIVE_INFINITY;
  // Small enough to keep the slots as a third side of the table: no slot price to search for.
  const withSlots = ceilingAt(input, rows, y, groups, { slotPrice: 0, record: false, slotSide: true, exactCells: MAX_CELLS_WITH_SLOTS });
  if (withSlots) return withSlots.ceiling;
  // Every slot price gives a ceiling, and the ceiling is convex in it: the duals' price, then a
  // golden-section search between 0 and the dearest pod (above it no pod is worth its slot).
  const at = (slotPrice: number) => ceilingAt(input, rows, y, groups, { slotPrice, record: false, slotSide: false })!.ceiling;
  let best = at(Math.max(0, y[2] ?? 0));
  let low = 0;
  let high = Math.max(0, ...rows.map((r) => input.value[r]!));
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = high - ratio * (high - low);
  let b = low + ratio * (high - low);
  let fa = at(a);
  let fb = at(b);
  for (let step = 0; step < SLOT_PRICE_STEPS; step++) {
    if (fa <= fb) {
      high = b;
      b = a;
      fb = fa;
      a = high - ratio * (high - low);
      fa = at(a);
    } else {
      low = a;
      a = b;
      fa = fb;
      b = low + ratio * (high - low);
      fb = at(b);
    }
    best = Math.min(best, fa, fb);
  }
  return best;
}

/**
 * The pods per row of the table's optimum, a pattern once cut to what really fits: with slots
 * kept as a third side when that table is small enough, or from the CPU x memory table alone,
 * slots free (on mid-size nodes they rarely bind); with `quickCells`, only when that table is
 * exact and at most that large. Undefined when nothing can be walked back.
 */
export function gridCounts(
  input: PricingInput, rows: number[], y: ArrayLike<number>, groups: Map<number, number>, slotsKept: boolean, quickCells?: number,
): Map<number, number> | undefined {
  if (input.node.cpu <= 0 || input.node.mem <= 0) return undefined;
  const exactCells = slotsKept ? MAX_CELLS_WITH_SLOTS : quickCells;
  return ceilingAt(input, rows, y, groups, { slotPrice: 0, record: true, slotSide: slotsKept, exactCells })?.counts;
}

/** A ceiling, and the pods per row of the table's optimum when recorded (they may break the relaxed rules). */
interface GridResult {
  ceiling: number;
  counts?: Map<number, number>;
}

/** How one table is built and read. */
interface TableOptions {
  /** Price per slot taken off each pod's worth (added back per slot of the node). */
  slotPrice: number;
  /** Walk the optimum back to pods per row. */
  record: boolean;
  /** Slots as a third side of the table (exact in them) rather than priced. */
  slotSide: boolean;
  /** Build the table only when both grids are exact and it has at most this many cells; undefined otherwise. */
  exactCells?: number;
}

/** The ceiling for one table (the multipliers other than the slot price from y); with `record`, the optimum's pods per row. */
function ceilingAt(input: PricingInput, rows: number[], y: ArrayLike<number>, groups: Map<number, number>, table: TableOptions): GridResult | undefined {
  const { node, items, demand, value, perNode } = input;
  const { slotPrice, record, slotSide, exactCells } = table;
  const storagePrice = Math.max(0, y[3] ?? 0);
  // A group only one of the rows counts in is kept exactly by that row's count (below): no price.
  const members = new Map<number, number>();
  for (const r of rows) for (const g of items[r]!.groups) members.set(g, (members.get(g) ?? 0) + 1);
  const groupPrice = (g: number) => (members.get(g)! > 1 ? Math.max(0, y[4 + groups.get(g)!] ?? 0) : 0);

  let ceiling = slotPrice * node.pods + storagePrice * node.storage;
  for (const [g] of groups) ceiling += groupPrice(g) * perNode[g]!;

  // Each kind: its value less what it uses of the relaxed resources, and how many one node may hold.
  const kinds: Array<{ row: number; cpu: number; mem: number; worth: number; most: number }> = [];
  for (const r of rows) {
    const item = items[r]!;
    let worth = value[r]! - slotPrice - storagePrice * item.storage;
    for (const g of item.groups) worth -= groupPrice(g);
    const most = Math.min(demand[r]!, podsPerNode(node, item, perNode));
    if (worth > 0 && most > 0) kinds.push({ row: r, cpu: item.cpu, mem: item.mem, worth, most });
  }
  const counts = record ? new Map<number, number>() : undefined;
  if (kinds.length === 0) return { ceiling, counts };

  // Exact in both when that table is small enough (EXACT_CELLS); else at most MAX_CELLS.
  let cpuGrid = gridOf(kinds.map((k) => k.cpu), node.cpu, Number.POSITIVE_INFINITY);
  let memGrid = gridOf(kinds.map((k) => k.mem), node.mem, Number.POSITIVE_INFINITY);
  if (!cpuGrid.exact || !memGrid.exact || (cpuGrid.size + 1) * (memGrid.size + 1) > EXACT_CELLS) {
    const side = Math.floor(Math.sqrt(MAX_CELLS));
    cpuGrid = gridOf(kinds.map((k) => k.cpu), node.cpu, side);
    memGrid = gridOf(kinds.map((k) => k.mem), node.mem, Math.floor(MAX_CELLS / (Math.min(side, cpuGrid.size) + 1)));
  }
  const width = cpuGrid.size;
  const height = memGrid.size;
  const depth = slotSide ? node.pods + 1 : 1;
  const cols = height + 1;
  const cells = (width + 1) * cols * depth;
  if (exactCells !== undefined && (cells > exactCells || !cpuGrid.exact || !memGrid.exact)) return undefined;
  const best = new Float64Array(cells);
  // Binary splitting: pieces of 1, 2, 4, ... pods make every count up to `most` a sum of pieces.
  const pieces: Array<{ row: number; pods: number; pc: number; pm: number; worth: number }> = [];
  for (const kind of kinds) {
    const dc = cpuGrid.units(kind.cpu);
    const dm = memGrid.units(kind.mem);
    if (dc === 0 && dm === 0) {
      // Smaller than a cell in both: the grid cannot limit it, only its count does.
      ceiling += kind.worth * kind.most;
      counts?.set(kind.row, kind.most);
      continue;
    }
    for (let left = kind.most, piece = 1; left > 0; piece *= 2) {
      const pods = Math.min(piece, left);
      left -= pods;
      if (dc * pods <= width && dm * pods <= height) pieces.push({ row: kind.row, pods, pc: dc * pods, pm: dm * pods, worth: kind.worth * pods });
    }
  }
  // Which cells each piece improved, to walk the optimum back (only when asked: pieces x cells bytes).
  const taken = record && pieces.length * cells <= MAX_RECORDED ? new Uint8Array(Math.ceil((pieces.length * cells) / 8)) : undefined;
  // Cell (c, m, s) at (c x cols + m) x depth + s: the most worth within c CPU units, m memory
  // units and s slots (depth 1: slots relaxed).
  const plane = cols * depth;
  pieces.forEach(({ pods, pc, pm, worth }, p) => {
    const ps = slotSide ? pods : 0;
    if (ps >= depth) return;
    for (let c = width; c >= pc; c--) {
      for (let m = height; m >= pm; m--) {
        const at = c * plane + m * depth;
        const from = (c - pc) * plane + (m - pm) * depth - ps;
        for (let k = depth - 1; k >= ps; k--) {
          const candidate = best[from + k]! + worth;
          if (candidate > best[at + k]!) {
            best[at + k] = candidate;
            if (taken) {
              const bit = p * cells + at + k;
              taken[bit >>> 3]! |= 1 << (bit & 7);
            }
          }
        }
      }
    }
  });
  const last = width * plane + height * depth + depth - 1;
  if (!taken) return { ceiling: ceiling + best[last]! };
  if (counts) {
    let at = last;
    for (let p = pieces.length - 1; p >= 0; p--) {
      const piece = pieces[p]!;
      const bit = p * cells + at;
      if (!(taken[bit >>> 3]! & (1 << (bit & 7)))) continue;
      counts.set(piece.row, (counts.get(piece.row) ?? 0) + piece.pods);
      at -= piece.pc * plane + piece.pm * depth + (slotSide ? piece.pods : 0);
    }
  }
  return { ceiling: ceiling + best[last]!, counts };
}
