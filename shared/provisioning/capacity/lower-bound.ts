// A lower bound on the hourly cost of any plan that places the same pods: the benchmark measures
// the planner against it. Two bounds from the dual of the fractional relaxation (nodes may be
// bought in fractions, pods split across nodes), each valid for any resource prices y >= 0 on
// (CPU, memory, pod slots); the best y is searched over a grid, and the larger bound is returned.
//
// B1 (per-type scaling): a node of type t at price p_t offers y.a_t of "value"; a pod class that
// may use types T_c pays at least min_{t in T_c} p_t / (y.a_t) per unit of value, so
//     cost >= sum_c (y.D_c) * min_{t in T_c} p_t / (y.a_t).
// B2 (reduced costs): scale y so that y.a_t <= p_t for every usable type; then every node costs
// its value plus a non-negative reduced cost p_t - y.a_t, and pods that may not share a node
// (anti-affinity on hostname, hostname spread with maxSkew k) need at least that many nodes:
//     cost >= y.D + max over such groups of sum over their forced nodes of min reduced cost.
// Ignored (the relaxation drops them, which only lowers the bound): zone spread and affinity,
// GPUs, pool limits, integrality. Pods no plan can place are left out of D.
import { bestPrice } from './pool-table.ts';
import type { PlanningSetup } from './setup.ts';
import { INCOMPATIBLE } from './class-fit.ts';
import { preparePlanning } from './setup.ts';
import { forcedNodeGroups } from './topology.ts';
import type { CapacityRequest, PlannerOptions } from './model.ts';

interface TypeRow {
  price: number;
  cpu: number;
  mem: number;
  pods: number;
}

interface ClassRows {
  count: number;
  demand: [number, number, number];
  /** Types (with the class's own best price) that can hold one of its pods. */
  rows: TypeRow[];
}

function classRows(setup: PlanningSetup): Array<ClassRows | undefined> {
  // Classes that select the same offerings and have the same requests share one row list.
  const shared = new Map<string, TypeRow[]>();
  const fitIds = new Map<unknown, number>();
  const idOf = (fit: unknown) => {
    let id = fitIds.get(fit);
    if (id === undefined) fitIds.set(fit, (id = fitIds.size));
    return id;
  };
  return setup.classes.map((cls, c) => {
    if (setup.topologies[c]!.unsupported) return undefined;
    const key = `${setup.fits[c]!.map((fit) => (fit ? idOf(fit) : -1)).join(',')}|${cls.cpu}|${cls.mem}|${cls.gpus}`;
    let rows = shared.get(key);
    if (!rows) {
      rows = [];
      for (const pool of setup.pools) {
        const fit = setup.fits[c]![pool.index];
        if (!fit) continue;
        for (const type of pool.types) {
          const t = type.index;
          if (fit.compat[t] === INCOMPATIBLE) continue;
          if (type.cpu < cls.cpu || type.mem < cls.mem || type.gpus < cls.gpus) continue;
          const price = bestPrice(type, fit.spot[t]!, fit.od[t]!);
          if (Number.isFinite(price)) rows.push({ price, cpu: type.cpu, mem: type.mem, pods: type.pods });
        }
      }
      shared.set(key, rows);
    }
    if (rows.length === 0) return undefined;
    const count = cls.podIds.length;
    return { count, demand: [cls.cpu * count, cls.mem * count, count], rows };
  });
}

/** Maximises f over the simplex {u >= 0, sum u = 1} restricted to `active` coordinates: grid, then local refinement. */
function maximiseOnSimplex(f: (u: [number, number, number]) => number, active: [boolean, boolean, boolean]): number {
  const dims = [0, 1, 2].filter((d) => active[d]);
  const point = (a: number, b: number): [number, number, number] => {
    const u: [number, number, number] = [0, 0, 0];
    if (dims.length === 1) u[dims[0]!] = 1;
    else if (dims.length === 2) {
      u[dims[0]!] = a;
      u[dims[1]!] = 1 - a;
    } else {
      u[dims[0]!] = a;
      u[dims[1]!] = b;
      u[dims[2]!] = Math.max(0, 1 - a - b);
    }
    return u;
  };
  if (dims.length === 0) return 0;
  if (dims.length === 1) return f(point(1, 0));
  const steps = 24;
  let best = { a: 0, b: 0, value: Number.NEGATIVE_INFINITY };
  for (let i = 0; i <= steps; i++) {
    for (let j = 0; j <= (dims.length === 3 ? steps - i : 0); j++) {
      const a = i / steps;
      const b = j / steps;
      const value = f(point(a, b));
      if (value > best.value) best = { a, b, value };
    }
  }
  for (let step = 1 / steps; step > 1e-4; step /= 2) {
    let improved = true;
    while (improved) {
      improved = false;
      for (const [da, db] of [[step, 0], [-step, 0], [0, step], [0, -step], [step, -step], [-step, step]] as const) {
        const a = best.a + da;
        const b = dims.length === 3 ? best.b + db : 0;
        if (a < 0 || b < 0 || a + b > 1) continue;
        const value = f(point(a, b));
        if (value > best.value * (1 + 1e-12)) {
          best = { a, b, value };
          improved = true;
        }
      }
    }
  }
  return best.value;
}

export function lowerBoundOf(setup: PlanningSetup): number {
  const rows = classRows(setup);
  const present = rows.filter((r): r is ClassRows => r !== undefined);
  if (present.length === 0) return 0;
  const total: [number, number, number] = [0, 0, 0];
  for (const r of present) for (let d = 0; d < 3; d++) total[d]! += r.demand[d]!;
  const active: [boolean, boolean, boolean] = [total[0] > 0, total[1] > 0, total[2] > 0];
  // Resource prices per unit of demand share, so that each coordinate of u weighs alike.
  const prices = (u: [number, number, number]): [number, number, number] =>
    [active[0] ? u[0] / total[0] : 0, active[1] ? u[1] / total[1] : 0, active[2] ? u[2] / total[2] : 0];
  const value = (y: [number, number, number], row: TypeRow) => y[0] * row.cpu + y[1] * row.mem + y[2] * row.pods;
  const demandValue = (y: [number, number, number], r: ClassRows) => y[0] * r.demand[0] + y[1] * r.demand[1] + y[2] * r.demand[2];

  // B1 only needs each distinct row list once, with the demand of its classes summed.
  const byRows = new Map<TypeRow[], ClassRows>();
  for (const r of present) {
    const seen = byRows.get(r.rows);
    if (!seen) byRows.set(r.rows, { count: r.count, demand: [...r.demand], rows: r.rows });
    else for (let d = 0; d < 3; d++) seen.demand[d]! += r.demand[d]!;
  }
  const merged = [...byRows.values()];
  const b1 = maximiseOnSimplex((u) => {
    const y = prices(u);
    let sum = 0;
    for (const r of merged) {
      let best = Number.POSITIVE_INFINITY;
      for (const row of r.rows) {
        const v = value(y, row);
        if (v > 0) best = Math.min(best, row.price / v);
      }
      if (Number.isFinite(best)) sum += demandValue(y, r) * best;
    }
    return sum;
  }, active);

  const allRows = merged.flatMap((r) => r.rows);
  const groups = forcedNodeGroups(setup.topologies, setup.classes.map((c) => c.podIds.length), (c) => rows[c] !== undefined);
  // B2 is concave in the scale of y (from 0 to the most the types allow): search it by thirds.
  const b2 = maximiseOnSimplex((u) => {
    const direction = prices(u);
    let most = Number.POSITIVE_INFINITY;
    for (const row of allRows) {
      const v = value(direction, row);
      if (v > 0) most = Math.min(most, row.price / v);
    }
    if (!Number.isFinite(most)) return 0;
    const bound = (scale: number): number => {
      const y: [number, number, number] = [direction[0] * scale, direction[1] * scale, direction[2] * scale];
      let base = 0;
      for (const r of merged) base += demandValue(y, r);
      const memo = new Map<TypeRow[], number>();
      const reduced = (c: number) => {
        const list = rows[c]!.rows;
        let least = memo.get(list);
        if (least === undefined) {
          least = Number.POSITIVE_INFINITY;
          for (const row of list) least = Math.min(least, row.price - (y[0] * row.cpu + y[1] * row.mem + y[2] * row.pods));
          least = Math.max(0, least);
          memo.set(list, least);
        }
        return least;
      };
      let forced = 0;
      for (const group of groups) {
        let sum: number;
        if (group.perNode === 1) {
          sum = group.classes.reduce((acc, c) => acc + rows[c]!.count * reduced(c), 0);
        } else {
          const pods = group.classes.reduce((acc, c) => acc + rows[c]!.count, 0);
          sum = Math.ceil(pods / group.perNode) * Math.min(...group.classes.map(reduced));
        }
        forced = Math.max(forced, sum);
      }
      return base + forced;
    };
    if (groups.length === 0) return bound(most);
    let low = 0;
    let high = most;
    for (let i = 0; i < 20; i++) {
      const a = low + (high - low) / 3;
      const b = high - (high - low) / 3;
      if (bound(a) < bound(b)) low = a;
      else high = b;
    }
    return Math.max(bound(0), bound(most), bound((low + high) / 2));
  }, active);

  return Math.max(b1, b2);
}

export function costLowerBound(request: CapacityRequest, options: PlannerOptions = {}): number {
  return lowerBoundOf(preparePlanning(request, options));
}
