// The covering LP over fill patterns (Gilmore-Gomory): rows are kinds of pods with their demand,
// columns are patterns (one node of some offering holding so many pods of each kind), at the
// offering's price; minimise the cost of patterns bought, in fractions, so that every kind is
// covered. Columns are generated: at the LP's duals (a value per pod of each kind) every node
// kind ("variant") is priced (pattern-pricing.ts) and the patterns worth more than they cost join.
// Used by pattern-seeds.ts (nodes to open) and pattern-bound.ts (a lower bound).
import type { CoveringSolution } from './covering-lp.ts';
import { podsPerNode } from './pods-per-node.ts';
import { WarmCoveringLp } from './warm-covering-lp.ts';
import { bestPattern, ceilingWithPrices, EXACT_SLOTS, gridPattern, quickCeiling, type NodeCapacity, type PatternItem, type PricingInput } from './pattern-pricing.ts';

/** A kind of node a pattern can be bought on: what it holds, the kinds it may take, its price. */
export interface Variant {
  node: NodeCapacity;
  rows: number[];
  price: number;
}

export interface PatternColumn<V extends Variant> {
  variant: V;
  /** [row, pods], by row. */
  counts: Array<[number, number]>;
}

/** A pattern found by pricing, and what it is worth per dollar over 1 at the duals it was priced at. */
export interface PatternOffer<V extends Variant> extends PatternColumn<V> {
  gain: number;
}

export interface GenerateOptions {
  rounds: number;
  /** Variants searched per round: those with the highest quick ceiling per dollar. */
  pricedPerRound: number;
  columnsPerRound: number;
  /** Stop after three rounds in a row that lower the cost by less than this share; never when absent. */
  stall?: number;
  /**
   * Also search nodes of more than EXACT_SLOTS slots on the grid (pattern-pricing.ts gridPattern),
   * on CPU x memory tables that are exact and at most this many cells (mid-size nodes).
   */
  gridCells?: number;
}

/**
 * Of variants for the same rows, the cheapest first, without those another beats (as cheap, as
 * large in every resource): whatever fits them fits the other, so no pattern or ceiling is lost.
 */
export function undominated<V extends Variant>(groups: Iterable<V[]>): V[] {
  const kept: V[] = [];
  for (const group of groups) {
    const best: V[] = [];
    for (const v of [...group].sort((a, b) => a.price - b.price)) {
      const n = v.node;
      if (best.some((k) => k.node.cpu >= n.cpu && k.node.mem >= n.mem && k.node.pods >= n.pods && k.node.storage >= n.storage)) continue;
      best.push(v);
    }
    kept.push(...best);
  }
  return kept;
}

/** y.a: what the duals y say a pattern's [row, pods] pairs are worth. */
export function patternWorth(y: Float64Array, counts: Array<[number, number]>): number {
  let sum = 0;
  for (const [r, n] of counts) sum += y[r]! * n;
  return sum;
}

/** Columns the master keeps, per row (at least MIN_COLUMNS): each pivot costs rows x columns. */
const COLUMNS_PER_ROW = 3;
const MIN_COLUMNS = 120;

export class PatternLp<V extends Variant> {
  readonly columns: Array<PatternColumn<V>> = [];
  private readonly seen = new Set<string>();
  private readonly ids: Map<V, number>;
  /** Per variant, the resource prices of its last fractional knapsack (ceilingWithPrices). */
  private readonly resourcePrices = new Map<V, Float64Array>();
  /** The LP over `columns`, in the same order, kept warm between solves. */
  private readonly master: WarmCoveringLp;

  constructor(
    readonly items: PatternItem[],
    /** Pods of each row still to cover; callers may lower it between solves. */
    readonly demand: number[],
    readonly variants: V[],
    /** Per forced group, the most pods of it one node may hold. */
    readonly perNode: number[],
  ) {
    this.ids = new Map(variants.map((variant, i) => [variant, i]));
    this.master = new WarmCoveringLp(demand.length);
  }

  private key(variant: V, counts: Array<[number, number]>): string {
    return `${this.ids.get(variant)}|${counts.map(([r, n]) => `${r}:${n}`).join(',')}`;
  }

  /** Adds the column unless it is already there; false when it was. */
  add(variant: V, counts: Array<[number, number]>): boolean {
    if (counts.length === 0) return false;
    const key = this.key(variant, counts);
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    this.columns.push({ variant, counts });
    this.master.addColumn(variant.price, counts);
    return true;
  }

  /**
   * First columns: each row alone on the variant that holds it cheapest per pod, so every row is
   * covered. A row no variant holds gets no demand (nothing to cover, nothing to bound).
   */
  coverEachRow(): void {
    this.items.forEach((item, r) => {
      let best: { variant: V; n: number } | undefined;
      for (const variant of this.variants) {
        if (!variant.rows.includes(r)) continue;
        const n = Math.min(podsPerNode(variant.node, item, this.perNode), this.demand[r]!);
        if (n > 0 && (!best || variant.price / n < best.variant.price / best.n)) best = { variant, n };
      }
      if (best) this.add(best.variant, [[r, best.n]]);
      else this.demand[r] = 0;
    });
  }

  pricing(variant: V, value: Float64Array): PricingInput {
    return { node: variant.node, items: this.items, rows: variant.rows, demand: this.demand, value, perNode: this.perNode };
  }

  /**
   * The LP over the columns so far, from the last solve's basis. Rows with nothing left to cover
   * get y = 0 (A x >= 0 holds anyway, so that is still a feasible dual).
   */
  solve(): CoveringSolution {
    this.master.setDemand(this.demand);
    const solved = this.master.solve(50 * (this.demand.length + 10));
    this.demand.forEach((d, r) => {
      if (d <= 0) solved.duals[r] = 0;
    });
    return solved;
  }

  /** Keeps the columns in the basis and those nearest to use (lowest reduced cost at the duals). */
  private prune(solution: CoveringSolution): void {
    const most = Math.max(MIN_COLUMNS, COLUMNS_PER_ROW * this.demand.length);
    if (this.columns.length <= most) return;
    const y = solution.duals;
    const ranked = this.columns.map((column, j) => {
      return { j, column, basic: this.master.isBasic(j), reduced: column.variant.price - patternWorth(y, column.counts) };
    });
    ranked.sort((a, b) => Number(b.basic) - Number(a.basic) || a.reduced - b.reduced);
    const kept = ranked.slice(0, Math.max(most, ranked.filter((c) => c.basic).length));
    for (const { column } of ranked.slice(kept.length)) this.seen.delete(this.key(column.variant, column.counts));
    this.columns.length = 0;
    for (const { column } of kept) this.columns.push(column);
    this.master.keepColumns(kept.map((c) => c.j));
  }

  /**
   * Prices the variants at `y` and adds the best patterns worth more than their price (at most
   * `columnsPerRound`); `solution` is the LP the columns stand in, for pruning. The number added.
   */
  improve(solution: CoveringSolution, y: Float64Array, options: Omit<GenerateOptions, 'rounds' | 'stall'>): number {
    const hopeful = this.variants
      .map((variant) => ({ variant, ceiling: quickCeiling(this.pricing(variant, y)) / variant.price }))
      .filter((h) => h.ceiling > 1 + 1e-6)
      .sort((a, b) => b.ceiling - a.ceiling);
    const offers: Array<PatternOffer<V>> = [];
    // The most hopeful first, a batch at a time; the next batch only when this one found nothing,
    // so that the generation stops only when no variant has a pattern worth its price.
    for (let start = 0; start < hopeful.length && offers.length === 0; start += options.pricedPerRound) {
      for (const { variant } of hopeful.slice(start, start + options.pricedPerRound)) {
        const input = this.pricing(variant, y);
        // The values move little between rounds, so last round's resource prices often prove
        // already that no pattern of this node beats its price: no search needed.
        const prices = this.resourcePrices.get(variant);
        if (prices && ceilingWithPrices(input, prices) <= variant.price * (1 + 1e-6)) continue;
        const found = bestPattern(input);
        if (found.resourcePrices) this.resourcePrices.set(variant, found.resourcePrices);
        let { counts, worth } = found;
        if (options.gridCells !== undefined && variant.node.pods > EXACT_SLOTS) {
          const onGrid = gridPattern(input, Math.max(worth, variant.price) * (1 + 1e-6), options.gridCells);
          if (onGrid && onGrid.worth > worth) ({ counts, worth } = onGrid);
        }
        // Relative reduced cost: what the pattern is worth per dollar, over 1.
        const gain = worth / variant.price - 1;
        if (gain > 1e-6) offers.push({ variant, counts, gain });
      }
    }
    return this.addOffers(solution, offers, options.columnsPerRound);
  }

  /**
   * Adds the offered patterns with the largest gain (worth per dollar over 1), at most
   * `columnsPerRound`, after pruning the columns `solution` (the last LP) does not need. The number added.
   */
  addOffers(solution: CoveringSolution, offers: Array<PatternOffer<V>>, columnsPerRound: number): number {
    if (offers.length === 0) return 0;
    offers.sort((a, b) => b.gain - a.gain);
    this.prune(solution);
    let added = 0;
    for (const offer of offers) {
      if (added >= columnsPerRound) break;
      if (this.add(offer.variant, offer.counts)) added++;
    }
    return added;
  }

  /** Solves, prices, adds the best patterns, solves again: until none is worth its price or the rounds run out. */
  generate(options: GenerateOptions): CoveringSolution {
    let solution = this.solve();
    let stalled = 0;
    for (let round = 0; round < options.rounds && solution.feasible; round++) {
      const added = this.improve(solution, solution.duals, options);
      if (added === 0) {
        // Pruning may have renumbered the columns.
        return this.columns.length === solution.x.length ? solution : this.solve();
      }
      const before = solution.value;
      solution = this.solve();
      if (options.stall === undefined) continue;
      stalled = solution.value > before * (1 - options.stall) ? stalled + 1 : 0;
      if (stalled >= 3) break;
    }
    return solution;
  }
}
