// The instance type a new node is opened with: the least price per unit of what the node is meant
// to hold. Pure; the packer decides what a node should hold and caches the answer.
import { COMPATIBLE, type ClassFit } from './class-fit.ts';
import { fitsOne } from './fits-one.ts';
import type { PodClass } from './pod-classes.ts';
import { bestPrice, type PoolTable, type PoolType } from './pool-table.ts';

/** What one new node is meant to hold (0 where a resource does not count). */
export interface NodeWant {
  cpu: number;
  mem: number;
  pods: number;
  storage: number;
}

/** A type of the pool, and the zones (bitmasks) where its spot and on-demand offerings are usable. */
export interface TypeChoice {
  type: number;
  spot: number;
  od: number;
}

/**
 * Of the pool's types that hold one pod of the class, that the class accepts in the zones of
 * zoneMask and that `allowed` lets through (pool limits), the one with the least price per unit
 * of `want`, where the unit is the share of `want` the type holds in its scarcest resource and a
 * type holding all of it counts as one unit (so the tail of a request gets the cheapest type that
 * holds it). Ties within a billionth go to the cheaper type, then the first.
 */
export function cheapestPerShare(
  pool: PoolTable,
  fit: ClassFit,
  cls: PodClass,
  zoneMask: number,
  want: NodeWant,
  allowed: (type: PoolType) => boolean,
): TypeChoice | undefined {
  let best: TypeChoice | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  let bestCost = Number.POSITIVE_INFINITY;
  const zones = fit.zones & zoneMask;
  for (const type of pool.types) {
    const t = type.index;
    if (fit.compat[t] !== COMPATIBLE || !fitsOne(type, cls) || !allowed(type)) continue;
    const spot = fit.spot[t]! & zones;
    const od = fit.od[t]! & zones;
    if ((spot | od) === 0) continue;
    const price = bestPrice(type, spot, od);
    let share = 1;
    if (want.cpu > 0) share = Math.min(share, type.cpu / want.cpu);
    if (want.mem > 0) share = Math.min(share, type.mem / want.mem);
    if (want.pods > 0) share = Math.min(share, type.pods / want.pods);
    if (want.storage > 0) share = Math.min(share, type.storage / want.storage);
    const score = price / share;
    if (score < bestScore * (1 - 1e-9) || (score <= bestScore * (1 + 1e-9) && price < bestCost)) {
      best = { type: t, spot, od };
      bestScore = score;
      bestCost = price;
    }
  }
  return best;
}
