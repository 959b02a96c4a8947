// Which zones a replacement node may go to so that the pods moving onto it can actually be
// scheduled there, given where the other pods of their groups already run: kube-scheduler refuses
// a pod whose zone spread (DoNotSchedule) would exceed maxSkew, or whose required pod affinity on
// zone finds no matching pod in the zone. Only the moving pods' own constraints are looked at, as
// the scheduler does when it places them.
import type { Pod } from '../types.ts';
import { LABEL } from './labels.ts';
import { canonicalLabelKey, selectorMatches } from './requirements.ts';

/** A pod that stays where it is, and the zone of its node. */
export interface PlacedPod {
  pod: Pod;
  zone: string;
}

export interface ZoneChoice {
  /** The zones (of `zones`) where every moving pod could be scheduled; all of them when none can. */
  zones: string[];
  /** One line per constraint that ruled zones out, or that no zone can keep. */
  reasons: string[];
  /** Set when no zone keeps every constraint, so `zones` is all of them. */
  unsatisfiable?: true;
}

const isZoneKey = (key: string) => canonicalLabelKey(key) === LABEL.zone;

const inGroup = (namespace: string, selector: Record<string, string>, pod: Pod) =>
  pod.namespace === namespace && selectorMatches(selector, pod.labels);

/** The label selectors moving pods spread or follow on zone: what the caller must list pods for. */
export function zoneSelectors(moving: Pod[]): Array<{ namespace: string; selector: Record<string, string> }> {
  const seen = new Map<string, { namespace: string; selector: Record<string, string> }>();
  for (const pod of moving) {
    const terms = [
      ...pod.topologySpread.filter((c) => c.whenUnsatisfiable === 'DoNotSchedule' && isZoneKey(c.topologyKey)),
      ...(pod.podAffinity ?? []).filter((t) => isZoneKey(t.topologyKey)),
    ];
    for (const term of terms) {
      const key = `${pod.namespace}\u0000${JSON.stringify(Object.entries(term.labelSelector).sort())}`;
      if (!seen.has(key)) seen.set(key, { namespace: pod.namespace, selector: term.labelSelector });
    }
  }
  return [...seen.values()];
}

/**
 * Zones of `zones` a node holding all of `moving` may be in. Spread: the pods join one zone, so
 * zone z is allowed when count(z) + k - (fewest in any other zone) <= maxSkew, with k the moving
 * pods the rule's selector matches and the counted zones those of `zones` and of the placed pods
 * (the last of the k placed decides; if z stays below every other zone, any skew is fine).
 * Affinity: z must hold a matching placed pod, unless none exists anywhere.
 */
export function zonesForMovingPods(moving: Pod[], placed: PlacedPod[], zones: string[]): ZoneChoice {
  let allowed = new Set(zones);
  const reasons: string[] = [];
  const rules = new Map<string, { pod: Pod; maxSkew: number; selector: Record<string, string> }>();
  for (const pod of moving) {
    for (const c of pod.topologySpread) {
      if (c.whenUnsatisfiable !== 'DoNotSchedule' || !isZoneKey(c.topologyKey)) continue;
      const key = `${pod.namespace}\u0000${c.maxSkew}\u0000${JSON.stringify(Object.entries(c.labelSelector).sort())}`;
      if (!rules.has(key)) rules.set(key, { pod, maxSkew: c.maxSkew, selector: c.labelSelector });
    }
  }
  for (const { pod, maxSkew, selector } of rules.values()) {
    const counts = new Map<string, number>(zones.map((z) => [z, 0]));
    for (const p of placed) if (inGroup(pod.namespace, selector, p.pod)) counts.set(p.zone, (counts.get(p.zone) ?? 0) + 1);
    const k = moving.filter((p) => inGroup(pod.namespace, selector, p)).length;
    const fits = zones.filter((z) => {
      const others = [...counts].filter(([y]) => y !== z).map(([, n]) => n);
      const fewest = others.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...others);
      const mine = counts.get(z)! + k;
      return mine - 1 <= fewest || mine - fewest <= maxSkew;
    });
    const group = `${pod.namespace}/${JSON.stringify(selector)}`;
    const narrowed = new Set([...allowed].filter((z) => fits.includes(z)));
    if (narrowed.size < allowed.size) reasons.push(`zone spread of ${group} (maxSkew ${maxSkew}, ${k} moving): zones ${fits.join(', ') || 'none'} keep it`);
    allowed = narrowed;
  }
  for (const pod of moving) {
    for (const term of pod.podAffinity ?? []) {
      if (!isZoneKey(term.topologyKey)) continue;
      const holding = new Set(placed.filter((p) => inGroup(pod.namespace, term.labelSelector, p.pod)).map((p) => p.zone));
      if (holding.size === 0) continue;
      const narrowed = new Set([...allowed].filter((z) => holding.has(z)));
      if (narrowed.size < allowed.size) reasons.push(`pod affinity of ${pod.namespace}/${pod.name} on zone: pods it follows run in ${[...holding].sort().join(', ')}`);
      allowed = narrowed;
    }
  }
  if (allowed.size === 0) {
    // No zone lets every moving pod schedule: plan anyway (the pods that can still go, go), and say so.
    return { zones: [...zones], reasons: [...reasons, 'no zone satisfies every constraint above; planning over all zones'], unsatisfiable: true };
  }
  return { zones: zones.filter((z) => allowed.has(z)), reasons };
}
