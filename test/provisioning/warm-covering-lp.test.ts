import { describe, expect, it } from 'vitest';
import { solveCoveringLp } from '../../shared/provisioning/capacity/covering-lp.ts';
import { WarmCoveringLp } from '../../shared/provisioning/capacity/warm-covering-lp.ts';
import { seeded } from '../../bench/provisioning.ts';

interface Sparse {
  cost: number;
  entries: Array<[number, number]>;
}

/** The same LP, dense, for covering-lp.ts's solver (the reference). */
function reference(rows: number, columns: Sparse[], b: number[]) {
  const cols = columns.length;
  const a = new Float64Array(rows * cols);
  columns.forEach(({ entries }, j) => {
    for (const [r, v] of entries) a[r * cols + j] = v;
  });
  return solveCoveringLp({ a, b: Float64Array.from(b), cost: Float64Array.from(columns, (c) => c.cost), rows, cols }, 100_000);
}

function randomColumn(random: () => number, rows: number): Sparse {
  const entries: Array<[number, number]> = [];
  for (let r = 0; r < rows; r++) if (random() < 0.3) entries.push([r, 1 + Math.floor(random() * 20)]);
  if (entries.length === 0) entries.push([Math.floor(random() * rows), 1 + Math.floor(random() * 5)]);
  return { cost: 0.01 + random() * 5, entries };
}

/** Checks x covers b, the duals are feasible and y.b <= c.x, against the columns given. */
function expectConsistent(solution: ReturnType<WarmCoveringLp['solve']>, columns: Sparse[], b: number[]) {
  const covered = b.map(() => 0);
  columns.forEach(({ entries }, j) => {
    for (const [r, v] of entries) covered[r]! += v * solution.x[j]!;
  });
  b.forEach((need, r) => expect(covered[r]!).toBeGreaterThanOrEqual(need - 1e-6));
  for (const { cost, entries } of columns) expect(entries.reduce((s, [r, v]) => s + solution.duals[r]! * v, 0)).toBeLessThanOrEqual(cost + 1e-9);
  expect(solution.bound).toBeLessThanOrEqual(solution.value + 1e-9);
}

describe('WarmCoveringLp', () => {
  it('solves to the same optimum as the dense dual simplex, from cold and after columns arrive', () => {
    const random = seeded(11);
    for (let trial = 0; trial < 40; trial++) {
      const rows = 2 + Math.floor(random() * 25);
      const b = Array.from({ length: rows }, () => Math.floor(random() * 200));
      const columns: Sparse[] = [];
      const lp = new WarmCoveringLp(rows);
      lp.setDemand(b);
      // Every row coverable: one column per row first, as the pattern LP starts.
      for (let r = 0; r < rows; r++) columns.push({ cost: 1 + random(), entries: [[r, 1]] });
      for (const c of columns) lp.addColumn(c.cost, c.entries);
      for (let round = 0; round < 5; round++) {
        const solution = lp.solve();
        const expected = reference(rows, columns, b);
        expect(solution.optimal).toBe(true);
        expect(solution.value).toBeCloseTo(expected.value, 6);
        expect(solution.bound).toBeCloseTo(expected.value, 6);
        expectConsistent(solution, columns, b);
        for (let k = 0; k < 10; k++) {
          const column = randomColumn(random, rows);
          columns.push(column);
          lp.addColumn(column.cost, column.entries);
        }
      }
    }
  });

  it('re-solves from the old basis when the demand falls, as a dive does', () => {
    const random = seeded(5);
    for (let trial = 0; trial < 30; trial++) {
      const rows = 3 + Math.floor(random() * 15);
      const b = Array.from({ length: rows }, () => 10 + Math.floor(random() * 100));
      const columns: Sparse[] = Array.from({ length: rows }, (_, r) => ({ cost: 2, entries: [[r, 1]] as Array<[number, number]> }));
      for (let k = 0; k < 40; k++) columns.push(randomColumn(random, rows));
      const lp = new WarmCoveringLp(rows);
      for (const c of columns) lp.addColumn(c.cost, c.entries);
      lp.setDemand(b);
      lp.solve();
      for (let step = 0; step < 4; step++) {
        for (let r = 0; r < rows; r++) b[r] = Math.max(0, b[r]! - Math.floor(random() * 40));
        lp.setDemand(b);
        const solution = lp.solve();
        expect(solution.optimal).toBe(true);
        expect(solution.value).toBeCloseTo(reference(rows, columns, b).value, 6);
        expectConsistent(solution, columns, b);
      }
    }
  });

  it('keeps its basis through pruning, and refuses to drop a basic column', () => {
    const lp = new WarmCoveringLp(2);
    lp.setDemand([4, 6]);
    lp.addColumn(10, [[0, 1]]); // 0: dear
    lp.addColumn(1, [[0, 2], [1, 3]]); // 1: covers both, cheap
    lp.addColumn(5, [[1, 1]]); // 2: dear
    const first = lp.solve();
    expect(first.value).toBeCloseTo(2); // two of column 1
    expect(lp.isBasic(1)).toBe(true);
    expect(() => lp.keepColumns([0, 2])).toThrow(/basic/);
    lp.keepColumns([1, 0]);
    const again = lp.solve();
    expect(again.value).toBeCloseTo(2);
    expect(again.x[0]).toBeCloseTo(2);
  });

  it('reports a row no column covers as infeasible', () => {
    const lp = new WarmCoveringLp(2);
    lp.setDemand([3, 1]);
    lp.addColumn(1, [[0, 1]]);
    const solution = lp.solve();
    expect(solution.feasible).toBe(false);
    expect(solution.optimal).toBe(false);
  });

  it('does not cycle on a degenerate LP of many equal columns', () => {
    const rows = 12;
    const lp = new WarmCoveringLp(rows);
    lp.setDemand(Array.from({ length: rows }, () => 1));
    for (let i = 0; i < rows; i++) for (let j = 0; j < rows; j++) lp.addColumn(1, [[i, 1], [j, 1]]);
    const solution = lp.solve();
    expect(solution.optimal).toBe(true);
    expect(solution.value).toBeCloseTo(rows / 2);
    expect(solution.bound).toBeCloseTo(rows / 2);
  });
});
