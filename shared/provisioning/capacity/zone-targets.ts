// Where each class's pods may go, zone by zone, before the packer (packer.ts) places them: all
// zones; the zones its required pod affinity allows (those holding the pods it follows, or for
// the first of a self-affine group the cheapest zone, which the group then keeps); or, when a
// zone spread places it (its own, or one that counts its pods: topology.ts zonePlacementRules),
// a share per zone, water-filled one pod at a time (water-fill.ts). Shares start from the pods
// already placed and from the shares handed out before (run() computes every class's targets
// before it places any), and a spread declared by other pods is measured over their zones.
import { reachOf } from './bound-inputs.ts';
import { fitSignatures } from './class-fit.ts';
import { explainUnplaced } from './explain.ts';
import type { ZoneTarget } from './fill-work.ts';
import type { PoolTable } from './pool-table.ts';
import type { PlanningSetup } from './setup.ts';
import { zonePlacementRules, type SpreadRule } from './topology.ts';
import { waterFill } from './water-fill.ts';

export interface ClassTargets {
  targets: ZoneTarget[];
  /** Pods no target can take, and why. */
  rejected: number;
  reason: string;
}

export class ZoneTargeting {
  /** Per class, the zone-spread rules its pods are placed by. */
  private readonly rules: SpreadRule[][];
  /**
   * Per group and zone, pods given to a zone by the targets computed so far and not yet placed:
   * each water-fill must start from the shares given before it, or two classes counted by one
   * spread each add their odd pod to the same zone.
   */
  private readonly pending: Int32Array[];
  private readonly spreadDomains = new Map<number, number>();
  /** Zone chosen for a self-affine group before any of its pods is on a node. */
  private readonly groupZone = new Map<number, number>();
  private readonly reachCache = new Map<string, number>();
  private readonly fitSignature: (c: number) => string;

  constructor(
    private readonly setup: PlanningSetup,
    /** Pods placed per group and zone, on nodes whose zone is settled: the packer's, kept current. */
    private readonly zoneCounts: Int32Array[],
  ) {
    this.rules = zonePlacementRules(setup.topologies);
    this.pending = zoneCounts.map((counts) => new Int32Array(counts.length));
    this.fitSignature = fitSignatures(setup.fits);
  }

  /** The shares handed out so far are being placed: from now on the zone counts see them. */
  settle(): void {
    for (const counts of this.pending) counts.fill(0);
  }

  /**
   * Targets for the class's `n` pods still to place. `cheapestZone` gives the zone a new node for
   * the class would be cheapest in, among `zones` (for the first pods of a self-affine group).
   */
  targetsOf(c: number, n: number, cheapestZone: (zones: number, usable: PoolTable[]) => number): ClassTargets {
    const { topologies, fits, pools } = this.setup;
    const topology = topologies[c]!;
    const none = (reason: string): ClassTargets => ({ targets: [], rejected: n, reason });
    if (topology.unsupported) return none(topology.unsupported);
    const usable = pools.filter((p) => fits[c]![p.index]);
    if (usable.length === 0) return none(this.setup.poolReasons[c]!.join('; ') || 'no NodePool');

    let reach = this.reachOf(c);
    if (reach === 0) return none(explainUnplaced(this.setup, c, this.setup.allZones, usable));

    for (const rule of topology.zoneAffinity) {
      const counts = this.zoneCounts[rule.group]!;
      let withPods = this.groupZone.get(rule.group) ?? 0;
      counts.forEach((count, z) => {
        if (count > 0) withPods |= 1 << z;
      });
      if (withPods !== 0) reach &= withPods;
      else if (rule.selfMatch) {
        reach = cheapestZone(reach, usable);
        // Later classes of the group follow, even before these pods are on a node.
        this.groupZone.set(rule.group, reach);
      } else return none('required pod affinity on zone: no planned pod matches its selector');
      if (reach === 0) return none('required pod affinity on zone: the zones holding the matching pods offer no instance type for this pod');
    }

    // Spreads other pods declare are measured over those pods' zones.
    const own = new Set(topology.zoneSpread);
    const rules = this.rules[c]!.map((rule) => (own.has(rule) ? rule : { ...rule, domain: this.spreadDomain(rule.group) }));
    if (rules.length === 0) {
      return { targets: [{ c, zones: topology.zoneAffinity.length > 0 ? reach : this.setup.allZones, count: n, usable, taken: 0, epoch: 0 }], rejected: 0, reason: '' };
    }
    const counts = this.zoneCounts.map((placed, g) => Int32Array.from(placed, (count, z) => count + this.pending[g]![z]!));
    const quotas = waterFill(rules, counts, this.setup.zones.length, n, reach);
    quotas.forEach((quota, z) => {
      for (const g of topology.zoneGroups) this.pending[g]![z]! += quota;
    });
    const targets: ZoneTarget[] = [];
    quotas.forEach((quota, z) => {
      if (quota > 0) targets.push({ c, zones: 1 << z, count: quota, usable, taken: 0, epoch: 0 });
    });
    const shared = quotas.reduce((a, b) => a + b, 0);
    const reason = topology.zoneSpread.length > 0
      ? 'topology spread on zone: no zone keeps the skew within maxSkew'
      : "counted by another pod's topology spread on zone: no zone keeps that spread within maxSkew";
    return { targets, rejected: n - shared, reason };
  }

  /** The zones the pods declaring a zone spread on the group can reach: the domains of its skew. */
  private spreadDomain(group: number): number {
    let domain = this.spreadDomains.get(group);
    if (domain === undefined) {
      domain = 0;
      this.setup.topologies.forEach((t, d) => {
        if (!t.zoneSpread.some((rule) => rule.group === group)) return;
        domain! |= this.reachOf(d);
      });
      this.spreadDomains.set(group, domain);
    }
    return domain;
  }

  /** Zones where a node for one of the class's pods could be opened at all (bound-inputs.ts); alike classes share the answer. */
  private reachOf(c: number): number {
    const cls = this.setup.classes[c]!;
    const key = `${this.fitSignature(c)}|${cls.cpu}|${cls.mem}|${cls.gpus}|${cls.storage}`;
    let reach = this.reachCache.get(key);
    if (reach === undefined) this.reachCache.set(key, (reach = reachOf(this.setup, c)));
    return reach;
  }
}
