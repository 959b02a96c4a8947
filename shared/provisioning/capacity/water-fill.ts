// How many of a class's pods each zone gets under DoNotSchedule zone spread: one pod at a time to
// the eligible zone with the fewest matching pods, so every step keeps skew <= 1 <= maxSkew when
// it can. Counts start from the pods already placed in settled zones, per selector group.
import type { SpreadRule } from './topology.ts';

/**
 * A rule and the zones its skew is measured over, when not the placed pods' own eligible zones
 * (a spread declared by other pods, which may reach zones these pods cannot).
 */
export type PlacementRule = SpreadRule & { domain?: number };

/** Pods per zone index; fewer than `n` in all when no zone keeps every rule within its maxSkew. */
export function waterFill(rules: PlacementRule[], zoneCounts: Int32Array[], zones: number, n: number, eligible: number): number[] {
  const counts = rules.map((r) => Int32Array.from(zoneCounts[r.group]!));
  const quotas = new Array<number>(zones).fill(0);
  const zonesOf = (mask: number) => [...Array(zones).keys()].filter((z) => mask & (1 << z));
  const eligibleZones = zonesOf(eligible);
  const domains = rules.map((rule) => (rule.domain === undefined ? eligibleZones : zonesOf(rule.domain)));
  for (let i = 0; i < n; i++) {
    let best = -1;
    for (const z of eligibleZones) {
      const ok = rules.every((rule, r) => {
        const min = Math.min(...domains[r]!.map((e) => counts[r]![e]!));
        return counts[r]![z]! + (rule.selfMatch ? 1 : 0) - min <= rule.maxSkew;
      });
      if (ok && (best < 0 || counts[0]![z]! < counts[0]![best]!)) best = z;
    }
    if (best < 0) break;
    quotas[best]!++;
    rules.forEach((rule, r) => {
      if (rule.selfMatch) counts[r]![best]!++;
    });
  }
  return quotas;
}
