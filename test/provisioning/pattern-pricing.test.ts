// The pattern search behind the pattern LP: the fractional knapsack solver, the best pattern a
// node can hold at given values per pod, and the ceiling the lower bound relies on. A ceiling
// below some real pattern's worth would make the bound wrong, so it is checked against brute force.
import { describe, expect, it } from 'vitest';
import { solveKnapsackLp } from '../../shared/provisioning/capacity/bounded-knapsack-lp.ts';
import {
  bestPattern, ceilingWithPrices, gridPattern, patternCeiling, quickCeiling, relaxedCeiling, type Pattern, type PatternItem, type PricingInput,
} from '../../shared/provisioning/capacity/pattern-pricing.ts';
import { PatternLp, type Variant } from '../../shared/provisioning/capacity/pattern-lp.ts';

const value = (a: Float64Array, v: number[]) => v.reduce((sum, x, j) => sum + x * a[j]!, 0);

describe('solveKnapsackLp', () => {
  it('takes the densest items first on one resource, the last one in part', () => {
    // Capacity 10; weights 5, 4, 3 with values 6, 5, 4 (densities 1.2, 1.25, 1.33): all of the
    // last two (7) and 3/5 of the first: 4 + 5 + 3.6 = 12.6.
    const { a } = solveKnapsackLp({
      r: Float64Array.of(5, 4, 3), capacity: Float64Array.of(10), value: Float64Array.of(6, 5, 4), upper: Float64Array.of(1, 1, 1), rows: 1, cols: 3,
    });
    expect([...a].map((x) => +x.toFixed(9))).toEqual([0.6, 1, 1]);
    expect(value(a, [6, 5, 4])).toBeCloseTo(12.6, 9);
  });

  it('balances two resources that both bind', () => {
    // 4 CPU and 4 GiB; A = 2 CPU + 1 GiB, B = 1 CPU + 2 GiB, both worth 3: 4/3 of each, worth 8.
    const { a, y } = solveKnapsackLp({
      r: Float64Array.of(2, 1, 1, 2), capacity: Float64Array.of(4, 4), value: Float64Array.of(3, 3), upper: Float64Array.of(10, 10), rows: 2, cols: 2,
    });
    expect(a[0]).toBeCloseTo(4 / 3, 9);
    expect(a[1]).toBeCloseTo(4 / 3, 9);
    // Duals 1 per CPU and 1 per GiB: 4 + 4 = 8, the optimum.
    expect(y[0]).toBeCloseTo(1, 9);
    expect(y[1]).toBeCloseTo(1, 9);
  });

  it('stops an item at its upper bound when capacity is plentiful', () => {
    const { a } = solveKnapsackLp({
      r: Float64Array.of(1, 1), capacity: Float64Array.of(100), value: Float64Array.of(1, 2), upper: Float64Array.of(3, 5), rows: 1, cols: 2,
    });
    expect([...a]).toEqual([3, 5]);
  });

  it('returns a feasible point whose value its duals certify, on random instances', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let trial = 0; trial < 200; trial++) {
      const rows = 1 + Math.floor(random() * 5);
      const cols = 1 + Math.floor(random() * 12);
      const r = Float64Array.from({ length: rows * cols }, () => (random() < 0.2 ? 0 : random() * 10));
      const capacity = Float64Array.from({ length: rows }, () => 5 + random() * 30);
      const v = Float64Array.from({ length: cols }, () => random() * 10);
      const upper = Float64Array.from({ length: cols }, () => 1 + Math.floor(random() * 6));
      const { a, y } = solveKnapsackLp({ r, capacity, value: v, upper, rows, cols });
      for (let j = 0; j < cols; j++) {
        expect(a[j]).toBeGreaterThanOrEqual(0);
        expect(a[j]).toBeLessThanOrEqual(upper[j]! + 1e-9);
      }
      for (let i = 0; i < rows; i++) {
        let used = 0;
        for (let j = 0; j < cols; j++) used += r[i * cols + j]! * a[j]!;
        expect(used).toBeLessThanOrEqual(capacity[i]! * (1 + 1e-9));
      }
      // Weak duality with the duals clipped at 0 bounds every feasible point; at the optimum it is tight.
      let dual = 0;
      for (let i = 0; i < rows; i++) dual += Math.max(0, y[i]!) * capacity[i]!;
      for (let j = 0; j < cols; j++) {
        let priced = 0;
        for (let i = 0; i < rows; i++) priced += Math.max(0, y[i]!) * r[i * cols + j]!;
        dual += upper[j]! * Math.max(0, v[j]! - priced);
      }
      const primal = value(a, [...v]);
      expect(dual).toBeGreaterThanOrEqual(primal - 1e-6);
      expect(dual).toBeCloseTo(primal, 6);
    }
  });
});

const GiB = 2 ** 30;

function input(node: PricingInput['node'], items: PatternItem[], demand: number[], values: number[], perNode: number[] = []): PricingInput {
  return { node, items, rows: items.map((_, r) => r), demand, value: Float64Array.from(values), perNode };
}

/** Every pattern by enumeration: the true best worth. */
function bruteForce(p: PricingInput): number {
  let best = 0;
  const counts = p.items.map(() => 0);
  const walk = (r: number) => {
    if (r === p.items.length) {
      let cpu = 0, mem = 0, pods = 0, storage = 0, worth = 0;
      const groups = new Map<number, number>();
      counts.forEach((n, i) => {
        const item = p.items[i]!;
        cpu += n * item.cpu; mem += n * item.mem; pods += n; storage += n * item.storage; worth += n * p.value[i]!;
        for (const g of item.groups) groups.set(g, (groups.get(g) ?? 0) + n);
      });
      const fits = cpu <= p.node.cpu && mem <= p.node.mem && pods <= p.node.pods && storage <= p.node.storage &&
        [...groups].every(([g, n]) => n <= p.perNode[g]!);
      if (fits) best = Math.max(best, worth);
      return;
    }
    for (let n = 0; n <= p.demand[r]!; n++) {
      counts[r] = n;
      walk(r + 1);
    }
    counts[r] = 0;
  };
  walk(0);
  return best;
}

describe('bestPattern and patternCeiling', () => {
  it('finds the best pattern of a small node exactly', () => {
    // 2 CPU, 2 GiB, 4 slots. A (1,000m, 256 MiB) is worth 5, B (500m, 1 GiB) 3, C (250m, 256 MiB) 1.
    // Best: 1 A + 1 B + 2 C = 2,000m and 1.5 GiB in 4 slots, worth 10 (2 A = 10 too, but leaves slots).
    const p = input({ cpu: 2000, mem: 2 * GiB, pods: 4, storage: 0 }, [
      { cpu: 1000, mem: 0.25 * GiB, storage: 0, groups: [] },
      { cpu: 500, mem: GiB, storage: 0, groups: [] },
      { cpu: 250, mem: 0.25 * GiB, storage: 0, groups: [] },
    ], [5, 5, 5], [5, 3, 1]);
    expect(bestPattern(p).worth).toBe(bruteForce(p));
    expect(bestPattern(p).worth).toBe(10);
    expect(patternCeiling(p)).toBe(10);
  });

  it('holds at most perNode pods of a forced group', () => {
    // Anti-affinity pods (group 0, one per node) are worth the most, yet only one goes on.
    const p = input({ cpu: 4000, mem: 8 * GiB, pods: 10, storage: 0 }, [
      { cpu: 500, mem: GiB, storage: 0, groups: [0] },
      { cpu: 500, mem: GiB, storage: 0, groups: [] },
    ], [6, 6], [10, 1], [1]);
    expect(bestPattern(p).counts).toEqual([[0, 1], [1, 6]]);
    expect(bestPattern(p).worth).toBe(16);
  });

  it('never takes more pods of a kind than there are', () => {
    const p = input({ cpu: 64000, mem: 256 * GiB, pods: 110, storage: 0 }, [{ cpu: 100, mem: 0.1 * GiB, storage: 0, groups: [] }], [7], [1]);
    expect(bestPattern(p).counts).toEqual([[0, 7]]);
  });

  it('gives a ceiling no real pattern beats, and a pattern no better than brute force, on random nodes', () => {
    let seed = 11;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let trial = 0; trial < 150; trial++) {
      // Small nodes use the exact search, large ones (over 16 slots) the fractional knapsack.
      const slots = random() < 0.5 ? 2 + Math.floor(random() * 10) : 20 + Math.floor(random() * 40);
      const node = { cpu: 1000 + Math.floor(random() * 8000), mem: (1 + random() * 16) * GiB, pods: slots, storage: 20 * GiB };
      const kinds = 1 + Math.floor(random() * 3);
      const items: PatternItem[] = Array.from({ length: kinds }, () => ({
        cpu: [50, 100, 250, 500, 1000, 2000][Math.floor(random() * 6)]!,
        mem: [128, 256, 512, 1024, 2048, 4096][Math.floor(random() * 6)]! * 2 ** 20,
        storage: random() < 0.2 ? 5 * GiB : 0,
        groups: random() < 0.3 ? [0] : [],
      }));
      const demand = items.map(() => 1 + Math.floor(random() * 8));
      const values = items.map(() => random());
      const p = input(node, items, demand, values, [1 + Math.floor(random() * 3)]);
      const truth = bruteForce(p);
      const found = bestPattern(p);
      expect(found.worth).toBeLessThanOrEqual(truth + 1e-9);
      expect(patternCeiling(p)).toBeGreaterThanOrEqual(truth - 1e-9);
      expect(quickCeiling(p)).toBeGreaterThanOrEqual(truth - 1e-9);
      if (slots <= 16) expect(found.worth).toBeCloseTo(truth, 9);
    }
  });
});

/** Whether the pattern fits the node, its demand and its groups. */
function fits(p: PricingInput, pattern: Pattern): boolean {
  let cpu = 0, mem = 0, pods = 0, storage = 0;
  const groups = new Map<number, number>();
  for (const [r, n] of pattern.counts) {
    const item = p.items[r]!;
    if (n > p.demand[r]!) return false;
    cpu += n * item.cpu; mem += n * item.mem; pods += n; storage += n * item.storage;
    for (const g of item.groups) groups.set(g, (groups.get(g) ?? 0) + n);
  }
  return cpu <= p.node.cpu && mem <= p.node.mem && pods <= p.node.pods && storage <= p.node.storage && [...groups].every(([g, n]) => n <= p.perNode[g]!);
}

describe('the grid ceiling (whole pods on CPU and memory)', () => {
  it('counts whole pods where the fractional knapsack counts parts (hand-checked)', () => {
    // 2,500m of CPU; pods of 1,000m worth 1 each. Fractionally 2.5 pods fit (worth 2.5); whole,
    // two (worth 2). On a 50m grid the table holds exactly that.
    const p = input({ cpu: 2500, mem: 8 * GiB, pods: 30, storage: 0 }, [{ cpu: 1000, mem: 0.5 * GiB, storage: 0, groups: [] }], [5], [1]);
    expect(relaxedCeiling(p)).toBeCloseTo(2.5, 9);
    expect(relaxedCeiling(p, 0)).toBeCloseTo(2, 9);
    expect(gridPattern(p, 0)).toEqual({ counts: [[0, 2]], worth: 2 });
  });

  it('keeps CPU and memory together: the fractional mix of two shapes is not a pattern (hand-checked)', () => {
    // 4 CPU, 4 GiB, 20 slots. A = 2 CPU + 1 GiB, B = 1 CPU + 2 GiB, both worth 3. Fractionally
    // 4/3 of each fill the node exactly (worth 8); whole pods, at most two (worth 6).
    const p = input({ cpu: 4000, mem: 4 * GiB, pods: 20, storage: 0 }, [
      { cpu: 2000, mem: GiB, storage: 0, groups: [] },
      { cpu: 1000, mem: 2 * GiB, storage: 0, groups: [] },
    ], [4, 4], [3, 3]);
    expect(relaxedCeiling(p)).toBeCloseTo(8, 9);
    expect(relaxedCeiling(p, 0)).toBeCloseTo(6, 9);
    expect(gridPattern(p, 0)?.worth).toBe(6);
  });

  it('stays exact on a 16 vCPU node, whose table on 50m / 128 MiB steps has 65,000 cells (hand-checked)', () => {
    // 15,600m and 26 GiB; A = 250m + 1.5 GiB, B = 1,050m + 384 MiB, both worth 1. Fractionally
    // 14.48 A + 11.41 B fill both (25.89). Whole: 14 A + 11 B = 15,050m and 25,728 MiB (25); 15 A
    // leave memory for 9 B, 13 A CPU for 11 B (24 each). A coarser grid rounds the requests down
    // and lets a 26th pod in.
    const p = input({ cpu: 15600, mem: 26 * GiB, pods: 400, storage: 0 }, [
      { cpu: 250, mem: 1.5 * GiB, storage: 0, groups: [] },
      { cpu: 1050, mem: 384 * 2 ** 20, storage: 0, groups: [] },
    ], [200, 200], [1, 1]);
    expect(relaxedCeiling(p)).toBeCloseTo(25.89, 2);
    expect(relaxedCeiling(p, 0)).toBeCloseTo(25, 9);
    expect(gridPattern(p, 0)).toEqual({ counts: [[0, 14], [1, 11]], worth: 25 });
  });

  it('keeps the slots when the table is small: exact with them, slot-bound nodes included', () => {
    // 8.1 CPU, 8.125 GiB, 5 slots; tiny pods worth 1 (100m, 128 MiB) and big ones worth 3 (2 CPU,
    // 2 GiB). Best: 4 big + 1 tiny = 13 (the slots bind with CPU and memory).
    const p = input({ cpu: 8100, mem: 8 * GiB + 128 * 2 ** 20, pods: 5, storage: 0 }, [
      { cpu: 100, mem: 128 * 2 ** 20, storage: 0, groups: [] },
      { cpu: 2000, mem: 2 * GiB, storage: 0, groups: [] },
    ], [10, 10], [1, 3]);
    expect(bruteForce(p)).toBe(13);
    expect(relaxedCeiling(p, 0)).toBeCloseTo(13, 9);
  });

  it('never falls below a real pattern (nor does the linear-scan ceiling at any resource prices), and finds only patterns that fit, on random nodes', () => {
    let seed = 29;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    let priced = 0;
    for (let trial = 0; trial < 120; trial++) {
      // Requests on the usual 50m / 128 MiB steps (an exact grid), or odd ones (a coarse grid).
      const odd = random() < 0.4;
      const big = random() < 0.2;
      const node = {
        cpu: big ? 64000 + Math.floor(random() * 4000) : 1000 + Math.floor(random() * 8000),
        mem: (big ? 256 : 1 + random() * 16) * GiB, pods: 17 + Math.floor(random() * 40), storage: 20 * GiB,
      };
      const kinds = 1 + Math.floor(random() * 3);
      const items: PatternItem[] = Array.from({ length: kinds }, () => ({
        cpu: odd ? 37 + Math.floor(random() * 3000) : [50, 100, 250, 500, 1000, 2000][Math.floor(random() * 6)]!,
        mem: odd ? Math.floor(random() * 3 * GiB) + 12345 : [128, 256, 512, 1024, 2048, 4096][Math.floor(random() * 6)]! * 2 ** 20,
        storage: random() < 0.2 ? 5 * GiB : 0,
        // Group 0 may hold two kinds at once: then the grid prices it instead of keeping it.
        groups: random() < 0.3 ? [0] : [],
      }));
      const demand = items.map(() => 1 + Math.floor(random() * (big ? 9 : 7)));
      const values = items.map(() => random());
      const p = input(node, items, demand, values, [1 + Math.floor(random() * 3)]);
      const truth = bruteForce(p);
      expect(relaxedCeiling(p, 0)).toBeGreaterThanOrEqual(truth - 1e-9);
      expect(relaxedCeiling(p, 0)).toBeLessThanOrEqual(relaxedCeiling(p) + 1e-9);
      // The linear-scan ceiling, at the knapsack's own resource prices and at any others.
      const rounded = bestPattern(p);
      if (rounded.resourcePrices) {
        priced++;
        expect(ceilingWithPrices(p, rounded.resourcePrices)).toBeGreaterThanOrEqual(truth - 1e-9);
      }
      const prices = Float64Array.of(random() / node.cpu, random() / node.mem, random() / node.pods, random() < 0.5 ? 0 : random() / node.storage);
      expect(ceilingWithPrices(p, prices)).toBeGreaterThanOrEqual(truth - 1e-9);
      const found = gridPattern(p, Number.POSITIVE_INFINITY);
      if (found) {
        expect(fits(p, found)).toBe(true);
        expect(found.worth).toBeLessThanOrEqual(truth + 1e-9);
      }
    }
    // Most nodes had a kind that fits, so the knapsack ran and gave its prices.
    expect(priced).toBeGreaterThan(60);
  });
});

describe('PatternLp.generate', () => {
  it('prices past the most hopeful variants when they have nothing, before it stops', () => {
    // Two pods: A (1 CPU, 3 GiB) and B (3 CPU, 1 GiB). S holds A alone and T holds B alone at 1
    // each, so the first LP buys both (2) at values 1 and 1. Q (3.5 CPU, 3.5 GiB, price 1) looks
    // best to the quick ceiling (2 per dollar) but holds only one of them; Big (4 CPU, 4 GiB,
    // 1.5) holds both, worth 2 > 1.5, and ranks second (1.33). Pricing one variant a round, the
    // generation must go on to Big when Q has nothing: the LP then costs 1.5.
    const items: PatternItem[] = [{ cpu: 1000, mem: 3, storage: 0, groups: [] }, { cpu: 3000, mem: 1, storage: 0, groups: [] }];
    const node = (cpu: number, mem: number) => ({ cpu, mem, pods: 10, storage: 0 });
    const variants: Variant[] = [
      { node: node(1000, 3), rows: [0], price: 1 },
      { node: node(3000, 1), rows: [1], price: 1 },
      { node: node(3500, 3.5), rows: [0, 1], price: 1 },
      { node: node(4000, 4), rows: [0, 1], price: 1.5 },
    ];
    const lp = new PatternLp(items, [1, 1], variants, []);
    lp.coverEachRow();
    expect(lp.solve().value).toBeCloseTo(2, 9);
    const solution = lp.generate({ rounds: 5, pricedPerRound: 1, columnsPerRound: 4 });
    expect(solution.value).toBeCloseTo(1.5, 9);
    const used = lp.columns.filter((_, j) => solution.x[j]! > 1e-9);
    expect(used.map((column) => [column.variant.price, column.counts])).toEqual([[1.5, [[0, 1], [1, 1]]]]);
  });
});
