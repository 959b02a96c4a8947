// The master LP of column generation, kept warm between solves: minimise c.x subject to A x >= b,
// x >= 0, with c >= 0, b >= 0 and sparse columns that arrive (and are pruned) between solves.
//
// Why not covering-lp.ts: its dense dual simplex starts from the all-surplus basis every time,
// and each pivot costs rows x (columns + rows). A pattern LP of 300 rows and 900 columns then
// takes seconds per solve, and column generation solves it after every round. This is the
// revised simplex with an explicit basis inverse (rows x rows, refactorised every REFACTOR
// pivots): a pivot costs rows^2 plus the columns' nonzeros, and the solve starts from the last
// optimal basis, which stays primal feasible when columns are added (primal simplex from there)
// and dual feasible when b changes (dual simplex from there), so a round takes a few pivots.
//
// Every row has a surplus (-e_i, cost 0) and an artificial (+e_i, cost M) variable; the first
// basis is the artificials (x = b). M exceeds every value a dual of the real LP can take (y_i <=
// c_j / a_ij for any column j covering row i), so an artificial left in the optimal basis above
// zero means its row cannot be covered: the LP is infeasible.
//
// The duals returned are certified like covering-lp.ts's: clipped at 0 and scaled down until
// y.A_j <= c_j holds for every column, so y.b is a lower bound on the LP whatever happened.
import type { CoveringSolution } from './covering-lp.ts';

/** Pivots between refactorisations of the basis inverse (each is rows^3; a pivot rows^2). */
const REFACTOR = 100;
/** Degenerate pivots in a row after which Bland's rule takes over, so the method cannot cycle. */
const BLAND_AFTER = 50;
const PIVOT_TOL = 1e-9;
const FEASIBLE_TOL = 1e-9;
const OPTIMAL_TOL = 1e-10;

interface Column {
  cost: number;
  rows: Int32Array;
  values: Float64Array;
}

/**
 * A basic variable: a column index j >= 0, the surplus of row i as -1 - i, the artificial of row
 * i as -1 - rows - i.
 */
type Var = number;

export class WarmCoveringLp {
  private columns: Column[] = [];
  private readonly b: Float64Array;
  private readonly basis: Int32Array;
  private readonly inverse: Float64Array;
  private readonly xB: Float64Array;
  private readonly inBasis = new Map<Var, number>();
  private readonly nonbasicBuffer: Var[] = [];
  private artificialCost = 1;
  private sinceRefactor = 0;

  constructor(readonly rows: number) {
    this.b = new Float64Array(rows);
    this.basis = new Int32Array(rows);
    this.inverse = new Float64Array(rows * rows);
    this.xB = new Float64Array(rows);
    this.coldStart();
  }

  /** Adds a column (entries: [row, value], values > 0); its index. */
  addColumn(cost: number, entries: ReadonlyArray<readonly [number, number]>): number {
    const kept = entries.filter(([, v]) => v !== 0);
    this.columns.push({ cost, rows: Int32Array.from(kept, ([r]) => r), values: Float64Array.from(kept, ([, v]) => v) });
    return this.columns.length - 1;
  }

  isBasic(j: number): boolean {
    return this.inBasis.has(j);
  }

  /**
   * Keeps the columns listed, in that order (old indices); every basic column must be among them,
   * so the basis, and with it the warm start, survives.
   */
  keepColumns(order: readonly number[]): void {
    const renumber = new Map(order.map((old, j) => [old, j]));
    for (const v of this.basis) if (v >= 0 && !renumber.has(v)) throw new Error(`column ${v} is basic and cannot be dropped`);
    this.columns = order.map((old) => this.columns[old]!);
    this.inBasis.clear();
    this.basis.forEach((v, k) => {
      const now = v >= 0 ? renumber.get(v)! : v;
      this.basis[k] = now;
      this.inBasis.set(now, k);
    });
  }

  /** New right-hand sides (>= 0); the basis is kept and the next solve repairs it if need be. */
  setDemand(b: ArrayLike<number>): void {
    for (let i = 0; i < this.rows; i++) this.b[i] = b[i]!;
    this.recomputeX();
  }

  solve(maxPivots = 50 * (this.rows + 10)): CoveringSolution {
    this.updateArtificialCost();
    let pivots = 0;
    let optimal = false;
    if (this.primalInfeasibleRow() >= 0) {
      // After a change of b: the last basis is still dual feasible, unless columns came too.
      if (this.dualFeasible(this.duals())) pivots += this.dualSimplex(maxPivots);
      if (this.primalInfeasibleRow() >= 0) this.coldStart();
    }
    if (pivots < maxPivots) optimal = this.primalSimplex(maxPivots - pivots);
    return this.solution(optimal);
  }

  private coldStart(): void {
    this.inBasis.clear();
    this.inverse.fill(0);
    for (let i = 0; i < this.rows; i++) {
      this.basis[i] = -1 - this.rows - i;
      this.inBasis.set(this.basis[i]!, i);
      this.inverse[i * this.rows + i] = 1;
    }
    this.sinceRefactor = 0;
    this.recomputeX();
  }

  /** M: above c_j / a_ij for every column and row it covers, so above every dual of the real LP. */
  private updateArtificialCost(): void {
    let most = 0;
    for (const column of this.columns) for (const v of column.values) if (v > 0) most = Math.max(most, column.cost / v);
    this.artificialCost = Math.max(this.artificialCost, 2 * most + 1);
  }

  private costOf(v: Var): number {
    if (v >= 0) return this.columns[v]!.cost;
    return v >= -this.rows ? 0 : this.artificialCost;
  }

  /** w = B^-1 a_v. */
  private ftran(v: Var, w: Float64Array): void {
    const m = this.rows;
    const inv = this.inverse;
    if (v < 0) {
      const i = v >= -m ? -1 - v : -1 - m - v;
      const sign = v >= -m ? -1 : 1;
      for (let k = 0; k < m; k++) w[k] = sign * inv[k * m + i]!;
      return;
    }
    w.fill(0);
    const { rows, values } = this.columns[v]!;
    for (let e = 0; e < rows.length; e++) {
      const r = rows[e]!;
      const value = values[e]!;
      for (let k = 0; k < m; k++) w[k]! += inv[k * m + r]! * value;
    }
  }

  /** y = c_B B^-1, into `y` (a buffer the pivot loops reuse) or a new array. */
  private duals(y = new Float64Array(this.rows)): Float64Array {
    const m = this.rows;
    y.fill(0);
    for (let k = 0; k < m; k++) {
      const c = this.costOf(this.basis[k]!);
      if (c === 0) continue;
      const at = k * m;
      for (let r = 0; r < m; r++) y[r]! += c * this.inverse[at + r]!;
    }
    return y;
  }

  private reducedCost(v: Var, y: Float64Array): number {
    if (v < 0) {
      const m = this.rows;
      return v >= -m ? y[-1 - v]! : this.artificialCost - y[-1 - m - v]!;
    }
    const { cost, rows, values } = this.columns[v]!;
    let d = cost;
    for (let e = 0; e < rows.length; e++) d -= y[rows[e]!]! * values[e]!;
    return d;
  }

  /** A variable's place in the order nonbasic() walks: Bland's rule needs one order for entering and leaving. */
  private order(v: Var): number {
    return v >= 0 ? v : this.columns.length - 1 - v;
  }

  /** Every nonbasic variable, columns first (in a buffer reused from call to call: read it before the next). */
  private nonbasic(): Var[] {
    const out = this.nonbasicBuffer;
    out.length = 0;
    for (let j = 0; j < this.columns.length; j++) if (!this.inBasis.has(j)) out.push(j);
    for (let v = -1; v >= -2 * this.rows; v--) if (!this.inBasis.has(v)) out.push(v);
    return out;
  }

  /** No nonbasic variable prices out below zero: the basis is optimal for some b, and the dual simplex may start from it. */
  private dualFeasible(y: Float64Array): boolean {
    for (const v of this.nonbasic()) if (this.reducedCost(v, y) < -OPTIMAL_TOL) return false;
    return true;
  }

  private primalInfeasibleRow(): number {
    let worst = -1;
    for (let k = 0; k < this.rows; k++) if (this.xB[k]! < -FEASIBLE_TOL && (worst < 0 || this.xB[k]! < this.xB[worst]!)) worst = k;
    return worst;
  }

  /** Primal simplex from a feasible basis, Dantzig's rule (Bland's after a degenerate run); true when optimal. */
  private primalSimplex(maxPivots: number): boolean {
    const m = this.rows;
    const w = new Float64Array(m);
    const y = new Float64Array(m);
    let degenerate = 0;
    for (let pivot = 0; pivot < maxPivots; pivot++) {
      this.duals(y);
      const bland = degenerate >= BLAND_AFTER;
      let enter: Var | undefined;
      let best = -OPTIMAL_TOL;
      for (const v of this.nonbasic()) {
        const d = this.reducedCost(v, y);
        if (d < best) {
          enter = v;
          if (bland) break;
          best = d;
        }
      }
      if (enter === undefined) return true;
      this.ftran(enter, w);
      let leave = -1;
      let ratio = Number.POSITIVE_INFINITY;
      for (let k = 0; k < m; k++) {
        if (w[k]! <= PIVOT_TOL) continue;
        const t = Math.max(0, this.xB[k]!) / w[k]!;
        const tie = leave >= 0 && Math.abs(t - ratio) <= 1e-12 * Math.max(1, ratio);
        if (leave < 0 || (t < ratio && !tie)) {
          ratio = t;
          leave = k;
        } else if (tie && (bland ? this.order(this.basis[k]!) < this.order(this.basis[leave]!) : w[k]! > w[leave]!)) {
          leave = k;
        }
      }
      // No row limits it: an unbounded ray, impossible with c >= 0 but for rounding; stop.
      if (leave < 0) return false;
      degenerate = ratio <= 1e-12 ? degenerate + 1 : 0;
      this.pivot(leave, enter, w);
    }
    return false;
  }

  /** Dual simplex from a dual feasible basis until primal feasible; the pivots used. */
  private dualSimplex(maxPivots: number): number {
    const m = this.rows;
    const w = new Float64Array(m);
    const y = new Float64Array(m);
    for (let pivot = 0; pivot < maxPivots; pivot++) {
      const leave = this.primalInfeasibleRow();
      if (leave < 0) return pivot;
      this.duals(y);
      const rho = this.inverse.subarray(leave * m, leave * m + m);
      let enter: Var | undefined;
      let ratio = Number.POSITIVE_INFINITY;
      let size = 0;
      for (const v of this.nonbasic()) {
        const alpha = this.rowEntry(rho, v);
        if (alpha >= -PIVOT_TOL) continue;
        const t = Math.max(0, this.reducedCost(v, y)) / -alpha;
        if (t < ratio - 1e-12 || (t <= ratio + 1e-12 && -alpha > size)) {
          ratio = t;
          enter = v;
          size = -alpha;
        }
      }
      // No variable can raise the row: it cannot be covered (cannot happen with artificials).
      if (enter === undefined) return pivot;
      this.ftran(enter, w);
      this.pivot(leave, enter, w);
    }
    return maxPivots;
  }

  /** (e_leave B^-1) a_v. */
  private rowEntry(rho: Float64Array, v: Var): number {
    const m = this.rows;
    if (v < 0) return v >= -m ? -rho[-1 - v]! : rho[-1 - m - v]!;
    const { rows, values } = this.columns[v]!;
    let alpha = 0;
    for (let e = 0; e < rows.length; e++) alpha += rho[rows[e]!]! * values[e]!;
    return alpha;
  }

  /** Variable `enter` replaces the basic one in position `leave`; w = B^-1 a_enter. */
  private pivot(leave: number, enter: Var, w: Float64Array): void {
    const m = this.rows;
    const inv = this.inverse;
    const p = w[leave]!;
    const at = leave * m;
    for (let r = 0; r < m; r++) inv[at + r]! /= p;
    const theta = this.xB[leave]! / p;
    for (let k = 0; k < m; k++) {
      if (k === leave) continue;
      const f = w[k]!;
      if (f === 0) continue;
      const row = k * m;
      for (let r = 0; r < m; r++) inv[row + r]! -= f * inv[at + r]!;
      this.xB[k]! -= f * theta;
    }
    this.xB[leave] = theta;
    this.inBasis.delete(this.basis[leave]!);
    this.basis[leave] = enter;
    this.inBasis.set(enter, leave);
    if (++this.sinceRefactor >= REFACTOR) this.refactor();
  }

  /** B^-1 again from the basis columns (Gauss-Jordan, partial pivoting), to shed rounding; cold start if singular. */
  private refactor(): void {
    const m = this.rows;
    const a = new Float64Array(m * m);
    this.basis.forEach((v, k) => {
      // Column k of B.
      if (v < 0) {
        const i = v >= -m ? -1 - v : -1 - m - v;
        a[i * m + k] = v >= -m ? -1 : 1;
        return;
      }
      const { rows, values } = this.columns[v]!;
      for (let e = 0; e < rows.length; e++) a[rows[e]! * m + k] = values[e]!;
    });
    const inv = this.inverse;
    inv.fill(0);
    for (let i = 0; i < m; i++) inv[i * m + i] = 1;
    for (let col = 0; col < m; col++) {
      let pivotRow = col;
      for (let r = col + 1; r < m; r++) if (Math.abs(a[r * m + col]!) > Math.abs(a[pivotRow * m + col]!)) pivotRow = r;
      const p = a[pivotRow * m + col]!;
      if (Math.abs(p) < 1e-12) {
        this.coldStart();
        return;
      }
      if (pivotRow !== col) {
        for (let c = 0; c < m; c++) {
          [a[col * m + c], a[pivotRow * m + c]] = [a[pivotRow * m + c]!, a[col * m + c]!];
          [inv[col * m + c], inv[pivotRow * m + c]] = [inv[pivotRow * m + c]!, inv[col * m + c]!];
        }
      }
      for (let c = 0; c < m; c++) {
        a[col * m + c]! /= p;
        inv[col * m + c]! /= p;
      }
      for (let r = 0; r < m; r++) {
        if (r === col) continue;
        const f = a[r * m + col]!;
        if (f === 0) continue;
        for (let c = 0; c < m; c++) {
          a[r * m + c]! -= f * a[col * m + c]!;
          inv[r * m + c]! -= f * inv[col * m + c]!;
        }
      }
    }
    this.sinceRefactor = 0;
    this.recomputeX();
  }

  private recomputeX(): void {
    const m = this.rows;
    for (let k = 0; k < m; k++) {
      let s = 0;
      for (let r = 0; r < m; r++) s += this.inverse[k * m + r]! * this.b[r]!;
      this.xB[k] = s;
    }
  }

  private solution(optimal: boolean): CoveringSolution {
    const m = this.rows;
    const x = new Float64Array(this.columns.length);
    let feasible = true;
    this.basis.forEach((v, k) => {
      if (v >= 0) x[v] = Math.max(0, this.xB[k]!);
      else if (v < -m && this.xB[k]! > FEASIBLE_TOL * Math.max(1, this.b[-1 - m - v]!)) feasible = false;
    });
    let value = 0;
    this.columns.forEach((column, j) => {
      value += column.cost * x[j]!;
    });
    const duals = this.duals();
    for (let i = 0; i < m; i++) duals[i] = Math.max(0, duals[i]!);
    this.certify(duals);
    let bound = 0;
    for (let i = 0; i < m; i++) bound += duals[i]! * this.b[i]!;
    return { x, duals, value, bound, optimal: optimal && feasible, feasible };
  }

  /** Scales y down (in place) until y.A_j <= c_j for every column (covering-lp.ts certify, on sparse columns). */
  private certify(y: Float64Array): void {
    let worst = 1;
    for (const { cost, rows, values } of this.columns) {
      let used = 0;
      for (let e = 0; e < rows.length; e++) used += y[rows[e]!]! * values[e]!;
      if (used > cost) worst = Math.max(worst, cost > 0 ? used / cost : Number.POSITIVE_INFINITY);
    }
    if (worst === 1) return;
    const factor = Number.isFinite(worst) ? (1 - 1e-12) / worst : 0;
    for (let i = 0; i < y.length; i++) y[i]! *= factor;
  }
}
