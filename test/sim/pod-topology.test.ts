// The simulated scheduler's inter-pod filters, checked through SimCluster as a user sees them:
// where pods end up (or that they stay Pending) with anti-affinity, pod affinity and spread.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../shared/sim/clock.ts';
import { SimCluster, type PodTemplate } from '../../shared/sim/cluster.ts';
import { SeededRandom } from '../../shared/sim/random.ts';
import type { ClusterNode } from '../../shared/types.ts';

const GiB = 2 ** 30;
const HOSTNAME = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
let clock: VirtualClock;
let cluster: SimCluster;

function node(name: string, zone: string, extra: Partial<ClusterNode> = {}): ClusterNode {
  return {
    name, providerId: `aws:///${zone}/i-${name.padEnd(17, '0')}`, labels: { [HOSTNAME]: name, [ZONE]: zone },
    annotations: {}, taints: [], unschedulable: false,
    conditions: [{ type: 'Ready', status: 'True' }], createdAt: '2026-01-01T00:00:00Z',
    allocatable: { cpuMillis: 16000, memoryBytes: 64 * GiB, pods: 100 },
    ...extra,
  };
}

function template(app: string, extra: Partial<PodTemplate> = {}): PodTemplate {
  return {
    labels: { app }, annotations: {}, requests: { cpuMillis: 100, memoryBytes: GiB / 4 },
    nodeSelector: {}, requiredNodeAffinity: [], tolerations: [], ...extra,
  };
}

const placement = (app: string) => cluster.listPods().filter((p) => p.labels.app === app).map((p) => p.nodeName ?? 'pending').sort();
const settle = () => clock.advance(30_000);

beforeEach(() => {
  clock = VirtualClock.install(new Date('2026-01-01T00:00:00Z'));
  cluster = new SimCluster({ clock, random: new SeededRandom(5), schedulerDelayMs: 1000, podStartSeconds: [2, 4], podStopSeconds: [1, 2] });
});
afterEach(() => clock.uninstall());

describe('simulated scheduler: pods that look at other pods', () => {
  it('puts at most one replica per node with hostname anti-affinity; the rest stay Pending', async () => {
    for (const name of ['a', 'b', 'c']) cluster.registerNode(node(name, 'us-east-1a'), `i-${name}`);
    const antiAffinity = [{ topologyKey: HOSTNAME, labelSelector: { app: 'db' } }];
    cluster.addDeployment({ namespace: 'shop', name: 'db', replicas: 4, template: template('db', { podAntiAffinity: antiAffinity }) });
    await settle();
    expect(placement('db')).toEqual(['a', 'b', 'c', 'pending']);
  });

  it('keeps other pods off a node when a pod already there is anti-affine to them', async () => {
    // a has the most room, so least-allocated scoring prefers it for every pod.
    cluster.registerNode(node('a', 'us-east-1a', { allocatable: { cpuMillis: 64000, memoryBytes: 256 * GiB, pods: 100 } }), 'i-a');
    cluster.registerNode(node('b', 'us-east-1a'), 'i-b');
    // "loner" refuses to share a node with any "noisy" pod; noisy has no rule of its own.
    cluster.addDeployment({ namespace: 'shop', name: 'loner', replicas: 1, template: template('loner', { podAntiAffinity: [{ topologyKey: HOSTNAME, labelSelector: { app: 'noisy' } }] }) });
    await settle();
    expect(placement('loner')).toEqual(['a']);
    cluster.addDeployment({ namespace: 'shop', name: 'noisy', replicas: 3, template: template('noisy') });
    await settle();
    expect(placement('noisy')).toEqual(['b', 'b', 'b']);
  });

  it('spreads over zones within maxSkew, counting zones whose nodes are full or cordoned', async () => {
    cluster.registerNode(node('a1', 'us-east-1a'), 'i-a1');
    cluster.registerNode(node('b1', 'us-east-1b'), 'i-b1');
    // Zone c's only node is cordoned: it still counts as a domain with 0 pods (nodeTaintsPolicy
    // Ignore), so with maxSkew 1 each of a and b can hold 1 pod and the other 4 stay Pending.
    cluster.registerNode(node('c1', 'us-east-1c', { unschedulable: true }), 'i-c1');
    const spread = [{ topologyKey: ZONE, maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { app: 'web' } }];
    cluster.addDeployment({ namespace: 'shop', name: 'web', replicas: 6, template: template('web', { topologySpread: spread }) });
    await settle();
    expect(placement('web')).toEqual(['a1', 'b1', 'pending', 'pending', 'pending', 'pending']);
  });

  it('balances zones as pods arrive: 7 pods over 3 zones go 3-2-2 (or a rotation of it)', async () => {
    for (const [name, zone] of [['a1', 'us-east-1a'], ['b1', 'us-east-1b'], ['c1', 'us-east-1c']] as const) cluster.registerNode(node(name, zone), `i-${name}`);
    const spread = [{ topologyKey: ZONE, maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { app: 'web' } }];
    cluster.addDeployment({ namespace: 'shop', name: 'web', replicas: 7, template: template('web', { topologySpread: spread }) });
    await settle();
    const perNode = ['a1', 'b1', 'c1'].map((n) => placement('web').filter((p) => p === n).length).sort();
    expect(perNode).toEqual([2, 2, 3]);
  });

  it('ignores ScheduleAnyway spread (a preference the simulator does not score)', async () => {
    cluster.registerNode(node('a1', 'us-east-1a'), 'i-a1');
    cluster.registerNode(node('b1', 'us-east-1b', { unschedulable: true }), 'i-b1');
    const spread = [{ topologyKey: ZONE, maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' as const, labelSelector: { app: 'web' } }];
    cluster.addDeployment({ namespace: 'shop', name: 'web', replicas: 3, template: template('web', { topologySpread: spread }) });
    await settle();
    expect(placement('web')).toEqual(['a1', 'a1', 'a1']);
  });

  it('places pods with required zone affinity in the zone of the pods they follow', async () => {
    // a1 has the most room: without the affinity every api pod would go there.
    cluster.registerNode(node('a1', 'us-east-1a', { allocatable: { cpuMillis: 64000, memoryBytes: 256 * GiB, pods: 100 } }), 'i-a1');
    cluster.registerNode(node('b1', 'us-east-1b'), 'i-b1');
    cluster.registerNode(node('b2', 'us-east-1b'), 'i-b2');
    cluster.addDeployment({ namespace: 'shop', name: 'cache', replicas: 1, template: template('cache', { nodeSelector: { [ZONE]: 'us-east-1b' } }) });
    await settle();
    const follow = [{ topologyKey: ZONE, labelSelector: { app: 'cache' } }];
    cluster.addDeployment({ namespace: 'shop', name: 'api', replicas: 4, template: template('api', { podAffinity: follow }) });
    await settle();
    expect(placement('api')).toHaveLength(4);
    expect(placement('api').every((n) => n === 'b1' || n === 'b2')).toBe(true);
  });
});
