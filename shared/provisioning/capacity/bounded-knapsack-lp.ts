// The fractional knapsack with a few resources: maximise value.a subject to R a <= capacity and
// 0 <= a <= upper, with R, capacity, value, upper >= 0. The pattern search (pattern-seeds.ts)
// solves one per instance type per round, with four rows (CPU, memory, pod slots, storage) and a
// few dozen columns, so the bounded-variable primal simplex on a 4 x 4 basis inverse is the right
// size: the all-slack basis is feasible from the start, upper bounds are handled by flipping a
// column between its bounds rather than as rows, and each iteration costs rows x columns.
//
// The answer is a feasible point (checked against the rows before it is returned), so callers
// may round it down and know the result fits; it is optimal unless the iteration cap was hit.
// The duals come too: with them clipped at 0, weak duality gives a ceiling on the optimum
// whatever happened inside (pattern-pricing.ts).

export interface KnapsackLp {
  /** Row-major, rows x cols. */
  r: Float64Array;
  capacity: Float64Array;
  value: Float64Array;
  upper: Float64Array;
  rows: number;
  cols: number;
}

const EPS = 1e-9;

export interface KnapsackSolution {
  /** A feasible point: never above its bounds nor over capacity; optimal unless the cap was hit. */
  a: Float64Array;
  /** The last basis's duals, one per row (callers clip them at 0 to use them in a bound). */
  y: Float64Array;
}

export function solveKnapsackLp(lp: KnapsackLp, maxIterations = 50 + 10 * lp.cols): KnapsackSolution {
  const { rows: m, cols: n } = lp;
  // Variables 0..n-1 are the columns, n..n+m-1 the slacks (unbounded above).
  const upperOf = (j: number) => (j < n ? lp.upper[j]! : Number.POSITIVE_INFINITY);
  const column = (j: number, out: Float64Array) => {
    for (let i = 0; i < m; i++) out[i] = j < n ? lp.r[i * n + j]! : j - n === i ? 1 : 0;
  };
  const cost = (j: number) => (j < n ? lp.value[j]! : 0);
  const basis = Int32Array.from({ length: m }, (_, i) => n + i);
  const inv = new Float64Array(m * m);
  for (let i = 0; i < m; i++) inv[i * m + i] = 1;
  const xb = Float64Array.from(lp.capacity);
  // Non-basic columns sit at 0 or at their upper bound.
  const atUpper = new Uint8Array(n + m);
  const isBasic = new Uint8Array(n + m);
  for (let i = 0; i < m; i++) isBasic[n + i] = 1;
  const y = new Float64Array(m);
  const col = new Float64Array(m);
  const dir = new Float64Array(m);

  for (let iteration = 0; iteration < maxIterations; iteration++) {
    // Duals: y = c_B B^-1.
    for (let k = 0; k < m; k++) {
      let sum = 0;
      for (let i = 0; i < m; i++) sum += cost(basis[i]!) * inv[i * m + k]!;
      y[k] = sum;
    }
    // Entering column: the largest improvement rate (Dantzig), up from 0 or down from its bound.
    let enter = -1;
    let best = EPS;
    let sign = 1;
    for (let j = 0; j < n + m; j++) {
      if (isBasic[j]) continue;
      let reduced = cost(j);
      if (j < n) for (let i = 0; i < m; i++) reduced -= y[i]! * lp.r[i * n + j]!;
      else reduced -= y[j - n]!;
      if (!atUpper[j] && reduced > best) {
        best = reduced;
        enter = j;
        sign = 1;
      } else if (atUpper[j] && -reduced > best) {
        best = -reduced;
        enter = j;
        sign = -1;
      }
    }
    if (enter < 0) break;
    // Moving the entering column by t (sign says which way) moves the basics by -t * sign * B^-1 col.
    column(enter, col);
    for (let i = 0; i < m; i++) {
      let sum = 0;
      for (let k = 0; k < m; k++) sum += inv[i * m + k]! * col[k]!;
      dir[i] = sign * sum;
    }
    let step = upperOf(enter);
    let leave = -1;
    let leaveToUpper = false;
    for (let i = 0; i < m; i++) {
      const d = dir[i]!;
      if (d > EPS) {
        const t = xb[i]! / d;
        if (t < step) {
          step = t;
          leave = i;
          leaveToUpper = false;
        }
      } else if (d < -EPS) {
        const room = upperOf(basis[i]!) - xb[i]!;
        const t = room / -d;
        if (t < step) {
          step = t;
          leave = i;
          leaveToUpper = true;
        }
      }
    }
    if (!Number.isFinite(step)) break; // unbounded cannot happen with finite upper bounds; stop safely
    for (let i = 0; i < m; i++) xb[i]! -= step * dir[i]!;
    if (leave < 0) {
      // The entering column reaches its other bound first: a bound flip, the basis stays.
      atUpper[enter] = sign > 0 ? 1 : 0;
      continue;
    }
    // Pivot: the entering column takes the leaving row.
    const entering = sign > 0 ? step : upperOf(enter) - step;
    const out = basis[leave]!;
    isBasic[out] = 0;
    atUpper[out] = leaveToUpper ? 1 : 0;
    isBasic[enter] = 1;
    atUpper[enter] = 0;
    basis[leave] = enter;
    xb[leave] = entering;
    // Update B^-1: row `leave` divided by the pivot, eliminated from the others.
    const pivot = dir[leave]! * sign;
    for (let k = 0; k < m; k++) inv[leave * m + k]! /= pivot;
    for (let i = 0; i < m; i++) {
      if (i === leave) continue;
      const f = dir[i]! * sign;
      if (f === 0) continue;
      for (let k = 0; k < m; k++) inv[i * m + k]! -= f * inv[leave * m + k]!;
    }
  }

  const a = new Float64Array(n);
  for (let j = 0; j < n; j++) if (!isBasic[j] && atUpper[j]) a[j] = lp.upper[j]!;
  for (let i = 0; i < m; i++) if (basis[i]! < n) a[basis[i]!] = Math.min(lp.upper[basis[i]!]!, Math.max(0, xb[i]!));
  // Rounding may leave a row a hair over capacity: scale the point back inside.
  let scale = 1;
  for (let i = 0; i < m; i++) {
    let used = 0;
    for (let j = 0; j < n; j++) used += lp.r[i * n + j]! * a[j]!;
    if (used > lp.capacity[i]!) scale = Math.min(scale, lp.capacity[i]! / used);
  }
  if (scale < 1) for (let j = 0; j < n; j++) a[j]! *= scale;
  for (let k = 0; k < m; k++) {
    let sum = 0;
    for (let i = 0; i < m; i++) sum += cost(basis[i]!) * inv[i * m + k]!;
    y[k] = sum;
  }
  return { a, y };
}
