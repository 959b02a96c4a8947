// Random requests whose Deployments share labels, so that spreads, anti-affinity and affinity
// select other Deployments' pods too: every plan must still hold every rule (capacity-invariants.ts).
import { describe, expect, it } from 'vitest';
import { planCapacity } from '../../shared/provisioning/index.ts';
import type { Pod } from '../../shared/types.ts';
import { ON_DEMAND, request, tinyOptions, tinyPool } from './capacity-fixtures.ts';
import { expectValidPlan } from './capacity-invariants.ts';
import { pod } from './fixtures.ts';

const OPTIONS = tinyOptions();
const ZONE = 'topology.kubernetes.io/zone';
const HOSTNAME = 'kubernetes.io/hostname';

describe('planCapacity on random requests with shared selectors', () => {
  it('holds every rule, or reports the pods it cannot place', () => {
    let seed = 101;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)]!;
    let placed = 0;
    let total = 0;
    for (let trial = 0; trial < 60; trial++) {
      const pods: Pod[] = [];
      for (let d = 0, n = 1 + Math.floor(random() * 5); d < n; d++) {
        const labels = { app: pick(['a', 'b', 'c']) };
        const selector = { app: pick(['a', 'b', 'c']) };
        const kind = pick(['free', 'zone', 'host', 'anti', 'affinity']);
        const extra: Parameters<typeof pod>[1] = {
          cpu: pick([100, 250, 500, 900, 1500]), memoryGiB: pick([0.1, 0.5, 1, 3]), labels,
          ...(kind === 'zone' ? { topologySpread: [{ topologyKey: ZONE, maxSkew: pick([1, 2]), whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: selector }] } : {}),
          ...(kind === 'host' ? { topologySpread: [{ topologyKey: HOSTNAME, maxSkew: pick([1, 2]), whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: selector }] } : {}),
          ...(kind === 'anti' ? { podAntiAffinity: [{ topologyKey: HOSTNAME, labelSelector: selector }] } : {}),
          ...(kind === 'affinity' ? { podAffinity: [{ topologyKey: ZONE, labelSelector: selector }] } : {}),
        };
        pods.push(...Array.from({ length: 1 + Math.floor(random() * 15) }, (_, i) => pod(`d${d}-${i}`, extra)));
      }
      const req = request(pods, { nodePools: [tinyPool([ON_DEMAND])] });
      const plan = planCapacity(req, OPTIONS);
      expectValidPlan(plan, req, OPTIONS);
      placed += pods.length - plan.unschedulable.length;
      total += pods.length;
    }
    // Most pods find a place (a plan that reports everything would pass the rules trivially); the
    // rest are zone-affinity pods with no pod to follow, or pods that would break a spread.
    expect(placed).toBeGreaterThan(0.85 * total);
  });
});
