// Which moving pods nodes that stay could take, so that their zone spread no longer pins the
// replacement: kube-scheduler's node filters and the spread's skew, case by case, checkable by hand.
import { describe, expect, it } from 'vitest';
import { absorbableSpreadPods, openNodesIn, planReplacement, roomOf, type ExistingNode, type PlacedPod } from '../../shared/provisioning/index.ts';
import type { ClusterNode, Pod, TopologySpreadConstraint } from '../../shared/types.ts';
import { ON_DEMAND, ZONES, tinyOptions, tinyPool } from './capacity-fixtures.ts';
import { nodeClass, pod } from './fixtures.ts';

const GiB = 2 ** 30;
const [A, B, C] = ZONES as [string, string, string];
const spread = (maxSkew: number): TopologySpreadConstraint => ({
  topologyKey: 'topology.kubernetes.io/zone', maxSkew, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { app: 'web' },
});
const web = (name: string, overrides: Parameters<typeof pod>[1] = {}): Pod =>
  pod(name, { cpu: 500, memoryGiB: 1, labels: { app: 'web' }, topologySpread: [spread(1)], ...overrides });
const placed = (counts: Record<string, number>): PlacedPod[] =>
  Object.entries(counts).flatMap(([zone, n]) => Array.from({ length: n }, (_, i) => ({ pod: web(`${zone}-${i}`), zone })));

function node(name: string, zone: string, overrides: Partial<ClusterNode> = {}): ClusterNode {
  return {
    name, labels: { 'topology.kubernetes.io/zone': zone, 'kubernetes.io/arch': 'amd64' }, annotations: {}, taints: [], unschedulable: false,
    conditions: [{ type: 'Ready', status: 'True' }], createdAt: '2026-08-01T00:00:00Z',
    allocatable: { cpuMillis: 2000, memoryBytes: 4 * GiB, pods: 10 }, ...overrides,
  };
}
const room = (n: ClusterNode, used = { cpuMillis: 0, memoryBytes: 0, pods: 0 }): ExistingNode => ({ node: n, used });

// Two web pods leave a node in a; a keeps 2, b and c hold 3 each: only a keeps maxSkew 1 for both.
const counts = { [A]: 2, [B]: 3, [C]: 3 };

describe('absorbableSpreadPods', () => {
  it('places pods on a node with room in a zone their spread allows, one at a time', () => {
    const absorbed = absorbableSpreadPods([web('m1'), web('m2')], placed(counts), [room(node('n-a', A))], ZONES);
    // a: 2 -> 3 (skew 0) -> 4 (skew 1): both fit the 2 CPUs.
    expect(absorbed.map((p) => [p.pod.name, p.zone])).toEqual([['m1', A], ['m2', A]]);
  });

  it('stops at the spread: a node in a zone already ahead takes none', () => {
    // b holds 3 against a's 2: one more in b is a skew of 2.
    expect(absorbableSpreadPods([web('m1')], placed(counts), [room(node('n-b', B))], ZONES)).toEqual([]);
  });

  it.each([
    ['not Ready', { conditions: [{ type: 'Ready', status: 'False' }] }],
    ['cordoned', { unschedulable: true }],
    ['tainted', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' as const }] }],
    ['of the wrong architecture', { labels: { 'topology.kubernetes.io/zone': A, 'kubernetes.io/arch': 'arm64' } }],
    ['without room for the CPU', { allocatable: { cpuMillis: 400, memoryBytes: 4 * GiB, pods: 10 } }],
    ['out of pod slots', { allocatable: { cpuMillis: 2000, memoryBytes: 4 * GiB, pods: 0 } }],
  ] as Array<[string, Partial<ClusterNode>]>)('takes nothing on a node %s', (_what, overrides) => {
    const amd64 = web('m1', { nodeSelector: { 'kubernetes.io/arch': 'amd64' } });
    expect(absorbableSpreadPods([amd64], placed(counts), [room(node('n-a', A, overrides))], ZONES)).toEqual([]);
  });

  it('counts what the node already runs', () => {
    // 1,800m of 2,000m in use: a 500m pod does not fit.
    expect(absorbableSpreadPods([web('m1')], placed(counts), [room(node('n-a', A), { cpuMillis: 1800, memoryBytes: 0, pods: 3 })], ZONES)).toEqual([]);
  });

  it('leaves pods with other pod-to-pod rules to the replacement', () => {
    const anti = web('m1', { podAntiAffinity: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { app: 'web' } }] });
    const hostSpread = web('m2', { topologySpread: [spread(1), { ...spread(1), topologyKey: 'kubernetes.io/hostname' }] });
    expect(absorbableSpreadPods([anti, hostSpread], placed(counts), [room(node('n-a', A))], ZONES)).toEqual([]);
  });
});

describe('openNodesIn and roomOf', () => {
  it('keeps the nodes of the zones that could take pods now, not the leaving one', () => {
    const nodes = [
      node('leaving', A), node('ok-a', A), node('ok-b', B), node('cordoned', A, { unschedulable: true }),
      node('not-ready', A, { conditions: [{ type: 'Ready', status: 'Unknown' }] }), { ...node('new', A), allocatable: undefined },
    ];
    expect(openNodesIn(nodes, 'leaving', [A]).map((n) => n.name)).toEqual(['ok-a']);
  });

  it('adds up what the unfinished pods bound to each node request, counting them as pods', () => {
    const at = (name: string, nodeName: string | undefined, phase: Pod['phase'] = 'Running') => ({ ...pod(name, { cpu: 250, memoryGiB: 0.5 }), nodeName, phase });
    const open = [node('n1', A), node('n2', A)];
    const room = roomOf(open, [at('p1', 'n1'), at('p2', 'n1'), at('done', 'n1', 'Succeeded'), at('elsewhere', 'n9'), at('pending', undefined)]);
    expect(room.map((r) => [r.node.name, r.used])).toEqual([
      ['n1', { cpuMillis: 500, memoryBytes: GiB, pods: 2 }],
      ['n2', { cpuMillis: 0, memoryBytes: 0, pods: 0 }],
    ]);
  });
});

describe('planReplacement with nodes that stay', () => {
  const input = {
    pods: [web('m1'), web('m2')], daemonSetPods: [], nodePool: tinyPool([ON_DEMAND]), nodeClass: nodeClass(),
    region: 'us-east-1', zones: ZONES, spotPrices: [], unavailable: [], now: new Date('2026-08-01T12:00:00Z'), placedPods: placed(counts),
  };

  it('frees the replacement of the zone when nodes there can take the spread pods, and says so', () => {
    const plan = planReplacement({ ...input, existingNodes: [room(node('n-a', A))] }, tinyOptions());
    expect(new Set(plan.offerings.map((o) => o.zone))).toEqual(new Set([A, B, C]));
    expect(plan.zones?.reasons.at(-1)).toBe(
      `2 of the moving pods fit nodes that stay (in ${A}): their zone spread no longer narrows the replacement's zones (${A} without them)`,
    );
  });

  it('keeps the zone when the nodes that stay have no room', () => {
    const full = room(node('n-a', A), { cpuMillis: 2000, memoryBytes: 0, pods: 4 });
    const plan = planReplacement({ ...input, existingNodes: [full] }, tinyOptions());
    expect(new Set(plan.offerings.map((o) => o.zone))).toEqual(new Set([A]));
  });

  it('frees it when one pod fits there and the other may then go anywhere', () => {
    // Room for one 500m pod: a 2 -> 3 evens the zones at 3-3-3, and one more pod anywhere keeps skew 1.
    const tight = room(node('n-a', A), { cpuMillis: 1500, memoryBytes: 0, pods: 1 });
    const plan = planReplacement({ ...input, existingNodes: [tight] }, tinyOptions());
    expect(new Set(plan.offerings.map((o) => o.zone))).toEqual(new Set([A, B, C]));
  });

  it('keeps the zone when the pods the nodes can take are too few', () => {
    // a holds 1, b and c 3: one pod to n-a makes 2-3-3, and the other still needs a (b would be 2-4-3).
    const tight = room(node('n-a', A), { cpuMillis: 1500, memoryBytes: 0, pods: 1 });
    const plan = planReplacement({ ...input, placedPods: placed({ [A]: 1, [B]: 3, [C]: 3 }), existingNodes: [tight] }, tinyOptions());
    expect(new Set(plan.offerings.map((o) => o.zone))).toEqual(new Set([A]));
  });
});
