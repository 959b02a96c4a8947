// Which pod classes the pattern LP (pattern-seeds.ts) may place, and how: classes with no
// topology rule but caps of their own per node (anti-affinity with their own pods, hostname
// spread over their own pods), and on request zone-spread classes whose selectors count their
// own pods alone, as an even share of each zone. The rest is the packer's.
import { bitCount, reachOf } from './bound-inputs.ts';
import type { PodClass } from './pod-classes.ts';
import type { PoolTable } from './pool-table.ts';
import type { PlanningSetup } from './setup.ts';

/** Pods alike in requests and in the offerings and taints they accept. */
export const kindKey = (cls: PodClass): string => `${cls.cpu}|${cls.mem}|${cls.storage}|${cls.placementKey}|${JSON.stringify(cls.template.tolerations)}`;

/** Classes with per-node caps (anti-affinity, hostname spread of their own): past this many, the LP takes none of them. */
const MAX_CAPPED = 16;

/** A class the LP may place, with the forced groups (and their per-node caps) its pods count in. */
export interface Seedable {
  cls: PodClass;
  groups: number[];
  /** For zone-spread pods: the zones they can reach and the pods the LP may put in each. */
  quota?: ZoneQuota;
}

export interface ZoneQuota {
  reach: number;
  perZone: number;
  /** The smallest maxSkew of the class's zone spreads. */
  maxSkew: number;
}

/**
 * The LP's share of a zone-spread class: floor(n / zones) pods in each zone it can reach, when
 * zone spread is its only topology rule and its selectors count its own pods alone. Counts at
 * or under an even split never break a skew, and the packer's water-fill then tops the zones up
 * from there (it starts from the pods already placed), so the class ends within maxSkew whatever
 * part of its share the dive commits. Undefined for any other class.
 */
function zoneQuota(setup: PlanningSetup, c: number): ZoneQuota | undefined {
  const t = setup.topologies[c]!;
  if (t.unsupported !== undefined || t.zoneSpread.length === 0 || t.zoneAffinity.length > 0 || t.conflicts.size > 0) return undefined;
  if (t.hostSpread.length > 0 || t.hostGroups.length > 0) return undefined;
  const own = new Set<number>();
  let maxSkew = Number.POSITIVE_INFINITY;
  for (const rule of t.zoneSpread) {
    if (!rule.selfMatch || setup.topologies.some((other, d) => d !== c && other.zoneGroups.includes(rule.group))) return undefined;
    own.add(rule.group);
    maxSkew = Math.min(maxSkew, rule.maxSkew);
  }
  if (t.zoneGroups.some((g) => !own.has(g))) return undefined;
  const reach = reachOf(setup, c);
  const zones = bitCount(reach);
  if (zones === 0) return undefined;
  return { reach, perZone: Math.floor(setup.classes[c]!.podIds.length / zones), maxSkew };
}

/**
 * The per-node caps a class's pods must keep, when those are its only topology rules and no
 * other class takes part in them: anti-affinity with its own pods only (one per node), hostname
 * spreads over its own pods only (maxSkew per node, a new node being the least loaded domain).
 * Undefined when it has other rules. Group ids: a spread's selector group, or groupCount + class
 * index for the anti-affinity.
 */
function ownCaps(setup: PlanningSetup, c: number): Map<number, number> | undefined {
  const t = setup.topologies[c]!;
  if (t.unsupported !== undefined || t.zoneSpread.length > 0 || t.zoneAffinity.length > 0 || t.zoneGroups.length > 0) return undefined;
  if ([...t.conflicts].some((d) => d !== c)) return undefined;
  const caps = new Map<number, number>();
  if (t.conflicts.has(c)) caps.set(setup.groupCount + c, 1);
  for (const rule of t.hostSpread) {
    if (!rule.selfMatch || setup.topologies.some((other, d) => d !== c && other.hostGroups.includes(rule.group))) return undefined;
    caps.set(rule.group, Math.min(caps.get(rule.group) ?? rule.maxSkew, rule.maxSkew));
  }
  if (t.hostGroups.some((g) => !caps.has(g))) return undefined;
  return caps;
}

/**
 * Classes the LP can place: no topology rule but per-node caps of their own (ownCaps), or with
 * zoneShares a zone spread of their own (zoneQuota; with anyShare even when an even split gives
 * each zone none); no GPUs; and only in the first pool (by weight) that takes them, as the packer
 * does, if it has no limits.
 */
export function seedableByPool(setup: PlanningSetup, zoneShares: boolean, anyShare = false): { byPool: Map<PoolTable, Seedable[]>; perNode: number[] } {
  const byPool = new Map<PoolTable, Seedable[]>();
  const perNode: number[] = [];
  // Each capped class is an LP row of its own. With many of them the LP grows past what its
  // rounds can settle in time, and taking only some left the plans dearer (20,000 mixed pods: 51
  // capped classes, 1.150-1.172 of the bound against 1.148 without): all of them or none.
  const capsOf = setup.classes.map((cls) => ownCaps(setup, cls.index));
  const withCaps = capsOf.filter((caps) => caps !== undefined && caps.size > 0).length;
  setup.classes.forEach((cls, c) => {
    const quota = capsOf[c] || !zoneShares ? undefined : zoneQuota(setup, c);
    const caps = capsOf[c] ?? (quota && (quota.perZone > 0 || anyShare) ? new Map<number, number>() : undefined);
    if (!caps || (caps.size > 0 && withCaps > MAX_CAPPED) || cls.gpus > 0 || cls.podIds.length === 0) return;
    const pool = setup.pools.find((p) => setup.fits[c]![p.index]);
    if (!pool || Number.isFinite(pool.limits.cpuMillis) || Number.isFinite(pool.limits.memoryBytes)) return;
    for (const [g, cap] of caps) perNode[g] = cap;
    let list = byPool.get(pool);
    if (!list) byPool.set(pool, (list = []));
    list.push({ cls, groups: [...caps.keys()].sort((a, b) => a - b), ...(quota ? { quota } : {}) });
  });
  return { byPool, perNode };
}

/** The single zones a zone-spread class's shares are in. */
export function zonesOf(setup: PlanningSetup, quota: ZoneQuota): number[] {
  const out: number[] = [];
  for (let z = 0; z < setup.zones.length; z++) if (quota.reach & (1 << z)) out.push(1 << z);
  return out;
}

/** Zone-spread classes grouped by kind of pod, the kinds holding the largest share of CPU and memory first. */
export function spreadKinds(setup: PlanningSetup, seedable: Seedable[]): Seedable[][] {
  const byKind = new Map<string, Seedable[]>();
  for (const s of seedable) {
    if (!s.quota) continue;
    const key = kindKey(s.cls);
    let list = byKind.get(key);
    if (!list) byKind.set(key, (list = []));
    list.push(s);
  }
  let cpu = 0;
  let mem = 0;
  for (const cls of setup.classes) {
    cpu += cls.cpu * cls.podIds.length;
    mem += cls.mem * cls.podIds.length;
  }
  const weight = (kind: Seedable[]) =>
    kind.reduce((sum, { cls }) => sum + cls.podIds.length * (cls.cpu / Math.max(1, cpu) + cls.mem / Math.max(1, mem)), 0);
  return [...byKind.values()].map((kind) => ({ kind, w: weight(kind) })).sort((a, b) => b.w - a.w).map((e) => e.kind);
}
