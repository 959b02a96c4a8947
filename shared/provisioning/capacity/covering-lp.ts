// A small exact solver for covering LPs: minimise c.x subject to A x >= b, x >= 0, with c >= 0
// and b >= 0. The planner's LPs have a handful of rows (CPU, memory and pod slots per group of
// pods) and up to a few thousand columns (instance type offerings), so the dual simplex method on
// a dense tableau of m rows is the right tool: with c >= 0 the all-surplus basis is dual feasible
// from the start, no phase 1 is needed, and each pivot costs m x n.
//
// Every iterate of the dual simplex is dual feasible, and the caller gets the duals y certified:
// clipped to y >= 0 and scaled down until y.A_j <= c_j holds for every column in floating point.
// By weak duality y.b is then a lower bound on the LP optimum, and so on the cost of any integer
// solution, whatever rounding or early stopping happened inside.

export interface CoveringLp {
  /** Row-major, rows x cols. */
  a: Float64Array;
  b: Float64Array;
  cost: Float64Array;
  rows: number;
  cols: number;
}

export interface CoveringSolution {
  /** x_j per column: the optimal (or last) basic solution, clipped at 0. */
  x: Float64Array;
  /** Certified duals, one per row: y >= 0 and y.A_j <= cost_j for every column. */
  duals: Float64Array;
  /** c.x of the returned x (an upper estimate of the optimum when `optimal`). */
  value: number;
  /** y.b: a proven lower bound on every solution's cost. */
  bound: number;
  optimal: boolean;
  /** False when a row cannot be covered by any column: then no solution exists. */
  feasible: boolean;
}

const EPS = 1e-9;

export function solveCoveringLp(lp: CoveringLp, maxPivots = 20 * (lp.rows + 10)): CoveringSolution {
  const { rows: m, cols: n } = lp;
  const width = n + m;
  // Rows scaled so b_i = 1, so that CPU millis, memory bytes and pod counts weigh alike in the
  // pivot tolerances. A row with b_i = 0 is satisfied by x = 0 and never leaves the basis.
  const scale = new Float64Array(m);
  const tab = new Float64Array(m * width);
  const rhs = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const bi = lp.b[i]!;
    scale[i] = bi > 0 ? 1 / bi : 1;
    // Negated row: -A_i x + s_i = -b_i, with the surplus s_i basic.
    for (let j = 0; j < n; j++) tab[i * width + j] = -lp.a[i * n + j]! * scale[i]!;
    tab[i * width + n + i] = 1;
    rhs[i] = -bi * scale[i]!;
  }
  const reduced = new Float64Array(width);
  for (let j = 0; j < n; j++) reduced[j] = lp.cost[j]!;
  const basis = new Int32Array(m);
  for (let i = 0; i < m; i++) basis[i] = n + i;

  let optimal = false;
  let feasible = true;
  for (let pivot = 0; pivot < maxPivots; pivot++) {
    let r = -1;
    for (let i = 0; i < m; i++) if (rhs[i]! < -EPS && (r < 0 || rhs[i]! < rhs[r]!)) r = i;
    if (r < 0) {
      optimal = true;
      break;
    }
    const row = r * width;
    let enter = -1;
    let best = Number.POSITIVE_INFINITY;
    for (let j = 0; j < width; j++) {
      const t = tab[row + j]!;
      if (t >= -EPS) continue;
      const ratio = Math.max(0, reduced[j]!) / -t;
      if (ratio < best - 1e-12) {
        best = ratio;
        enter = j;
      }
    }
    if (enter < 0) {
      feasible = false;
      break;
    }
    const p = tab[row + enter]!;
    for (let j = 0; j < width; j++) tab[row + j]! /= p;
    rhs[r]! /= p;
    for (let i = 0; i < m; i++) {
      if (i === r) continue;
      const f = tab[i * width + enter]!;
      if (f === 0) continue;
      const at = i * width;
      for (let j = 0; j < width; j++) tab[at + j]! -= f * tab[row + j]!;
      rhs[i]! -= f * rhs[r]!;
    }
    const d = reduced[enter]!;
    if (d !== 0) for (let j = 0; j < width; j++) reduced[j]! -= d * tab[row + j]!;
    basis[r] = enter;
  }

  const x = new Float64Array(n);
  for (let i = 0; i < m; i++) if (basis[i]! < n) x[basis[i]!] = Math.max(0, rhs[i]!);
  let value = 0;
  for (let j = 0; j < n; j++) value += lp.cost[j]! * x[j]!;
  // The surplus column of row i has reduced cost y_i (in scaled units): undo the row scaling.
  const duals = new Float64Array(m);
  for (let i = 0; i < m; i++) duals[i] = Math.max(0, reduced[n + i]!) * scale[i]!;
  certify(lp, duals);
  let bound = 0;
  for (let i = 0; i < m; i++) bound += duals[i]! * lp.b[i]!;
  return { x, duals, value, bound, optimal: optimal && feasible, feasible };
}

/** Scales y down (in place) until y.A_j <= cost_j for every column: weak duality then holds exactly. */
export function certify(lp: CoveringLp, y: Float64Array): void {
  let worst = 1;
  for (let j = 0; j < lp.cols; j++) {
    let used = 0;
    for (let i = 0; i < lp.rows; i++) used += y[i]! * lp.a[i * lp.cols + j]!;
    const c = lp.cost[j]!;
    if (used > c) worst = Math.max(worst, c > 0 ? used / c : Number.POSITIVE_INFINITY);
  }
  if (worst === 1) return;
  const factor = Number.isFinite(worst) ? (1 - 1e-12) / worst : 0;
  for (let i = 0; i < lp.rows; i++) y[i]! *= factor;
}
