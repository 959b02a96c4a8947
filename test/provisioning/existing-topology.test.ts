// Zones a replacement may go to given where the other pods of the moving pods' groups run:
// cases small enough to check by hand against kube-scheduler's rules.
import { describe, expect, it } from 'vitest';
import { planReplacement, zoneSelectors, zonesForMovingPods, type PlacedPod } from '../../shared/provisioning/index.ts';
import type { Pod, TopologySpreadConstraint } from '../../shared/types.ts';
import { ON_DEMAND, ZONES, tinyOptions, tinyPool } from './capacity-fixtures.ts';
import { nodeClass, pod } from './fixtures.ts';

const [A, B, C] = ZONES as [string, string, string];
const spread = (maxSkew: number, app = 'web'): TopologySpreadConstraint => ({
  topologyKey: 'topology.kubernetes.io/zone', maxSkew, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { app },
});
const web = (name: string, maxSkew = 1): Pod => pod(name, { labels: { app: 'web' }, topologySpread: [spread(maxSkew)] });
const placed = (counts: Record<string, number>, make: (name: string) => Pod = web): PlacedPod[] =>
  Object.entries(counts).flatMap(([zone, n]) => Array.from({ length: n }, (_, i) => ({ pod: make(`${zone}-${i}`), zone })));

describe('zonesForMovingPods: zone spread', () => {
  it.each([
    // Two pods leave a node in a (a had 4: a 2, b 3, c 3 remain). maxSkew 1: back to a makes
    // 4-3-3; b would make 2-5-3 (skew 3).
    ['k=2, maxSkew 1: only the zone they left', { [A]: 2, [B]: 3, [C]: 3 }, 2, 1, [A]],
    // One pod, maxSkew 2: a gives 3-3-3; b gives 2-4-3 (skew 2, fine); c likewise.
    ['k=1, maxSkew 2: any zone', { [A]: 2, [B]: 3, [C]: 3 }, 1, 2, [A, B, C]],
    // One pod, maxSkew 1: b gives 2-4-3 (skew 2): only a.
    ['k=1, maxSkew 1: the emptiest zone', { [A]: 2, [B]: 3, [C]: 3 }, 1, 1, [A]],
    // Even spread, one pod, maxSkew 1: anywhere (3-2-2 is skew 1).
    ['even spread, k=1: any zone', { [A]: 2, [B]: 2, [C]: 2 }, 1, 1, [A, B, C]],
  ])('%s', (_name, counts, k, maxSkew, expected) => {
    const moving = Array.from({ length: k }, (_, i) => web(`moving-${i}`, maxSkew));
    const choice = zonesForMovingPods(moving, placed(counts, (n) => web(n, maxSkew)), ZONES);
    expect(choice.zones).toEqual(expected);
    expect(choice.reasons.length > 0).toBe(expected.length < 3);
  });

  it('keeps every zone and says so when no zone lets all the moving pods schedule', () => {
    // Three pods with maxSkew 1 onto one node, from an even 0-0-0: the second would already skew 2.
    const choice = zonesForMovingPods([web('m1'), web('m2'), web('m3')], [], ZONES);
    expect(choice.zones).toEqual(ZONES);
    expect(choice.reasons.at(-1)).toBe('no zone satisfies every constraint above; planning over all zones');
  });

  it('counts only pods of the same namespace matching the selector', () => {
    const other = (name: string) => pod(name, { namespace: 'other', labels: { app: 'web' } });
    const choice = zonesForMovingPods([web('m1')], [...placed({ [A]: 1, [B]: 1, [C]: 1 }), ...placed({ [A]: 5 }, other)], ZONES);
    expect(choice.zones).toEqual(ZONES);
  });
});

describe('zonesForMovingPods: pod affinity on zone', () => {
  const follower = (name: string) => pod(name, { podAffinity: [{ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { app: 'cache' } }] });
  const cache = (name: string) => pod(name, { labels: { app: 'cache' } });

  it('keeps the zones holding a pod it follows', () => {
    expect(zonesForMovingPods([follower('api-1')], placed({ [B]: 1 }, cache), ZONES).zones).toEqual([B]);
  });

  it('does not restrict when no pod it follows runs anywhere', () => {
    expect(zonesForMovingPods([follower('api-1')], [], ZONES).zones).toEqual(ZONES);
  });

  it('names the selectors to read: zone spread (DoNotSchedule) and zone affinity only', () => {
    const hostSpread = pod('h', { topologySpread: [{ ...spread(1), topologyKey: 'kubernetes.io/hostname' }] });
    const anyway = pod('s', { topologySpread: [{ ...spread(1), whenUnsatisfiable: 'ScheduleAnyway' }] });
    expect(zoneSelectors([web('w1'), web('w2'), follower('f'), hostSpread, anyway])).toEqual([
      { namespace: 'default', selector: { app: 'web' } },
      { namespace: 'default', selector: { app: 'cache' } },
    ]);
  });
});

describe('planReplacement with the pods that stay', () => {
  it('offers only the zone the spread leaves, and reports why', () => {
    const input = {
      pods: [web('m1'), web('m2')], daemonSetPods: [], nodePool: tinyPool([ON_DEMAND]), nodeClass: nodeClass(),
      region: 'us-east-1', zones: ZONES, spotPrices: [], unavailable: [], now: new Date('2026-08-01T12:00:00Z'),
    };
    const free = planReplacement(input, tinyOptions());
    expect(new Set(free.offerings.map((o) => o.zone))).toEqual(new Set(ZONES));
    const kept = planReplacement({ ...input, placedPods: placed({ [A]: 2, [B]: 3, [C]: 3 }) }, tinyOptions());
    expect(new Set(kept.offerings.map((o) => o.zone))).toEqual(new Set([A]));
    expect(kept.zones).toEqual({ allowed: [A], reasons: [expect.stringMatching(/^zone spread of default\/\{"app":"web"\} \(maxSkew 1, 2 moving\): zones us-east-1a keep it$/)] });
  });
});
