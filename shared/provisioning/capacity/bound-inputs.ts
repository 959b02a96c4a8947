// What both lower bounds (lower-bound.ts, pattern-bound.ts) read off a planning setup: every
// offering with its price, which offerings a pod class accepts, the zones its pods can reach and
// how many of them zone spread ties to each zone.
import { COMPATIBLE, INCOMPATIBLE, SPECIAL_NOT_ASKED } from './class-fit.ts';
import { fitsOne } from './fits-one.ts';
import type { PoolType } from './pool-table.ts';
import type { PlanningSetup } from './setup.ts';

export interface Offering {
  pool: number;
  type: PoolType;
  zone: number;
  spot: boolean;
  price: number;
}

/** Offerings a class accepts, in a zone mask: special hardware only where some pod asked for it. */
export function accepts(setup: PlanningSetup, asked: Uint8Array[], c: number, o: Offering, zones: number): boolean {
  const fit = setup.fits[c]![o.pool];
  if (!fit) return false;
  const t = o.type.index;
  const compat = fit.compat[t];
  if (compat === INCOMPATIBLE || (compat === SPECIAL_NOT_ASKED && !asked[o.pool]![t])) return false;
  return (((o.spot ? fit.spot[t]! : fit.od[t]!) & zones) & (1 << o.zone)) !== 0;
}

/** Every priced, usable offering of every pool. */
export function offeringsOf(setup: PlanningSetup): Offering[] {
  const out: Offering[] = [];
  for (const pool of setup.pools) {
    const { offerings } = pool;
    for (let i = 0; i < offerings.length; i++) {
      out.push({
        pool: pool.index, type: pool.types[offerings.type[i]!]!, zone: offerings.zone[i]!, spot: offerings.spot[i] === 1, price: offerings.price[i]!,
      });
    }
  }
  return out;
}

/** Per pool, the special-hardware types some pod asked for: the only ones other pods may share. */
export function askedTypes(setup: PlanningSetup): Uint8Array[] {
  return setup.pools.map((pool) => {
    const asked = new Uint8Array(pool.types.length);
    for (let c = 0; c < setup.classes.length; c++) {
      const fit = setup.fits[c]![pool.index];
      if (!fit) continue;
      for (const type of pool.types) if (type.special && fit.compat[type.index] === COMPATIBLE) asked[type.index] = 1;
    }
    return asked;
  });
}

/** The zones a node for one pod of the class could be opened in: the domains its spread counts (as the packer's). */
export function reachOf(setup: PlanningSetup, c: number): number {
  const cls = setup.classes[c]!;
  let reach = 0;
  for (const pool of setup.pools) {
    const fit = setup.fits[c]![pool.index];
    if (!fit) continue;
    for (const type of pool.types) {
      if (fit.compat[type.index] === COMPATIBLE && fitsOne(type, cls)) reach |= fit.spot[type.index]! | fit.od[type.index]!;
    }
  }
  return reach;
}

export const bitCount = (mask: number): number => {
  let n = 0;
  for (let m = mask >>> 0; m !== 0; m &= m - 1) n++;
  return n;
};

/**
 * The smallest maxSkew of the class's zone spreads that count its pods alone (DoNotSchedule,
 * selecting the class and no other), over the zones it reaches; undefined when it has none, when
 * it has zone affinity (which narrows the zones) or reaches fewer than two zones.
 */
export function ownZoneSkew(setup: PlanningSetup, c: number, reach: number): number | undefined {
  const topology = setup.topologies[c]!;
  if (topology.zoneAffinity.length > 0 || bitCount(reach) < 2) return undefined;
  let skew: number | undefined;
  for (const rule of topology.zoneSpread) {
    if (!rule.selfMatch) continue;
    const counted = setup.topologies.every((t, d) => d === c || !t.zoneGroups.includes(rule.group));
    if (counted) skew = Math.min(skew ?? rule.maxSkew, rule.maxSkew);
  }
  return skew;
}

/**
 * Pods of the class every zone it reaches must hold under its own zone spread (ownZoneSkew):
 * the counts end within maxSkew k of each other, so n <= |E| min + (|E| - 1) k.
 */
export function perZoneMinimum(setup: PlanningSetup, c: number, reach: number): number {
  const skew = ownZoneSkew(setup, c, reach);
  if (skew === undefined) return 0;
  const zones = bitCount(reach);
  return Math.max(0, Math.ceil((setup.classes[c]!.podIds.length - (zones - 1) * skew) / zones));
}

/**
 * The pods split into sets no node can mix, as pod ids: a node belongs to one pool, so classes
 * that share no pool (a tainted pool and the pods that tolerate it, say) never share a node, and
 * the cheapest plan is the sum of each set's cheapest plan. A bound per set is then a bound on
 * the whole, and a tighter one where a set is small enough for the pattern LP. Undefined when
 * there is only one set, or when a topology rule's pods (a spread's or an affinity's selector)
 * fall in two sets: each set alone would check the rule on part of its pods, which is not a relaxation.
 */
export function separatePodSets(setup: PlanningSetup): string[][] | undefined {
  const parent = setup.pools.map((_, p) => p);
  const find = (p: number): number => (parent[p] === p ? p : (parent[p] = find(parent[p]!)));
  const poolsOf = setup.classes.map((_, c) => setup.pools.filter((pool) => setup.fits[c]![pool.index]).map((pool) => pool.index));
  for (const pools of poolsOf) for (const p of pools.slice(1)) parent[find(p)] = find(pools[0]!);
  // Classes no pool takes place nowhere: any set will do.
  const setOf = poolsOf.map((pools) => (pools.length > 0 ? find(pools[0]!) : -1));
  const sets = new Set(setOf.filter((s) => s >= 0));
  if (sets.size < 2) return undefined;
  const groupSet = new Map<number, number>();
  for (const [c, topology] of setup.topologies.entries()) {
    const groups = [
      ...topology.zoneSpread.map((r) => r.group), ...topology.hostSpread.map((r) => r.group),
      ...topology.zoneAffinity.map((r) => r.group), ...topology.zoneGroups, ...topology.hostGroups,
    ];
    for (const g of groups) {
      const seen = groupSet.get(g);
      if (seen === undefined) groupSet.set(g, setOf[c]!);
      else if (seen !== setOf[c]) return undefined;
    }
  }
  const first = [...sets][0]!;
  const pods = new Map<number, string[]>([...sets].map((s) => [s, []]));
  setup.classes.forEach((cls, c) => pods.get(setOf[c]! >= 0 ? setOf[c]! : first)!.push(...cls.podIds));
  return [...pods.values()];
}
