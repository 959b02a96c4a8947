import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../shared/sim/clock.ts';
import { SimCluster, type PodTemplate } from '../../shared/sim/cluster.ts';
import { SeededRandom } from '../../shared/sim/random.ts';
import type { ClusterNode, Taint } from '../../shared/types.ts';

const GiB = 2 ** 30;
let clock: VirtualClock;
let cluster: SimCluster;

function node(name: string, extra: Partial<ClusterNode> = {}): ClusterNode {
  return {
    name, providerId: `aws:///us-east-1a/i-${name.padEnd(17, '0')}`, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': 'us-east-1a' },
    annotations: {}, taints: [], unschedulable: false,
    conditions: [{ type: 'Ready', status: 'True' }], createdAt: '2026-01-01T00:00:00Z',
    allocatable: { cpuMillis: 2000, memoryBytes: 8 * GiB, pods: 20 },
    ...extra,
  };
}

function template(extra: Partial<PodTemplate> = {}): PodTemplate {
  return {
    labels: { app: 'web' }, annotations: {}, requests: { cpuMillis: 500, memoryBytes: GiB },
    nodeSelector: {}, requiredNodeAffinity: [], tolerations: [], ...extra,
  };
}

const podsOn = (name: string) => cluster.listPodsOnNode(name).filter((p) => p.ownerKind === 'ReplicaSet');
const settle = () => clock.advance(30_000);

beforeEach(() => {
  clock = VirtualClock.install(new Date('2026-01-01T00:00:00Z'));
  cluster = new SimCluster({ clock, random: new SeededRandom(3), schedulerDelayMs: 1000, podStartSeconds: [2, 4], podStopSeconds: [1, 2] });
});
afterEach(() => clock.uninstall());

describe('SimCluster scheduler', () => {
  it('binds pending pods one second after they appear and runs them a few seconds later', async () => {
    cluster.registerNode(node('a'), 'i-a');
    cluster.addDeployment({ namespace: 'shop', name: 'web', replicas: 2, template: template() });
    expect(cluster.listPods().every((p) => p.phase === 'Pending' && p.nodeName === undefined)).toBe(true);
    await clock.advance(1_000);
    expect(cluster.listPods().every((p) => p.nodeName === 'a')).toBe(true);
    await clock.advance(4_000);
    expect(cluster.listPods().every((p) => p.phase === 'Running')).toBe(true);
    expect(cluster.history().filter((r) => r.type === 'pod-bound')).toHaveLength(2);
  });

  it('keeps pods off nodes whose NoSchedule taints they do not tolerate', async () => {
    const taint: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
    cluster.registerNode(node('tainted', { taints: [taint] }), 'i-t');
    cluster.registerNode(node('plain', { allocatable: { cpuMillis: 600, memoryBytes: 8 * GiB, pods: 20 } }), 'i-p');
    cluster.addDeployment({ namespace: 'shop', name: 'web', replicas: 2, template: template() });
    cluster.addDeployment({ namespace: 'ml', name: 'train', replicas: 1, template: template({ labels: { app: 'train' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }) });
    await settle();
    const web = cluster.listPods().filter((p) => p.labels.app === 'web');
    // One web pod fits the untainted node; the other cannot go to the tainted one.
    expect(web.filter((p) => p.nodeName === 'plain')).toHaveLength(1);
    expect(web.filter((p) => p.nodeName === undefined)).toHaveLength(1);
    expect(cluster.listPods().find((p) => p.labels.app === 'train')?.nodeName).toBeDefined();
  });

  it('honours nodeSelector and required node affinity', async () => {
    cluster.registerNode(node('spot', { labels: { 'karpenter.sh/capacity-type': 'spot' } }), 'i-s');
    cluster.registerNode(node('od', { labels: { 'karpenter.sh/capacity-type': 'on-demand' } }), 'i-o');
    cluster.addDeployment({ namespace: 'a', name: 'sel', replicas: 2, template: template({ labels: { app: 'sel' }, nodeSelector: { 'karpenter.sh/capacity-type': 'on-demand' } }) });
    cluster.addDeployment({
      namespace: 'a', name: 'aff', replicas: 1,
      template: template({ labels: { app: 'aff' }, requiredNodeAffinity: [[{ key: 'karpenter.sh/capacity-type', operator: 'NotIn', values: ['on-demand'] }]] }),
    });
    await settle();
    expect(cluster.listPods().filter((p) => p.labels.app === 'sel').map((p) => p.nodeName)).toEqual(['od', 'od']);
    expect(cluster.listPods().find((p) => p.labels.app === 'aff')?.nodeName).toBe('spot');
  });

  it('never over-commits CPU, memory or the pod limit, and spreads by least allocation', async () => {
    cluster.registerNode(node('a'), 'i-a');
    cluster.registerNode(node('b', { allocatable: { cpuMillis: 8000, memoryBytes: 64 * GiB, pods: 2 } }), 'i-b');
    cluster.addDeployment({ namespace: 'shop', name: 'web', replicas: 8, template: template() });
    await settle();
    const count = (n: string) => cluster.listPods().filter((p) => p.nodeName === n).length;
    expect(count('a')).toBe(4); // 4 x 500m = 2000m allocatable
    expect(count('b')).toBe(2); // pod limit
    expect(cluster.pendingPods()).toHaveLength(2);
  });

  it('skips cordoned and not-Ready nodes', async () => {
    cluster.registerNode(node('cordoned'), 'i-c');
    cluster.registerNode(node('booting', { conditions: [{ type: 'Ready', status: 'False' }] }), 'i-b');
    expect(cluster.cordonNode('cordoned', { key: 'nodewright.io/disrupted', effect: 'NoSchedule' })).toBe(true);
    cluster.addDeployment({ namespace: 'shop', name: 'web', replicas: 1, template: template() });
    await settle();
    expect(cluster.pendingPods()).toHaveLength(1);
    cluster.setNodeReady('booting', true, 'KubeletReady');
    await settle();
    expect(cluster.listPods()[0]?.nodeName).toBe('booting');
  });
});

describe('SimCluster evictions and controllers', () => {
  it('replaces an evicted Deployment pod with a new Pending pod that gets rescheduled', async () => {
    cluster.registerNode(node('a'), 'i-a');
    cluster.registerNode(node('b'), 'i-b');
    cluster.addDeployment({ namespace: 'shop', name: 'web', replicas: 2, template: template() });
    await settle();
    cluster.cordonNode('a', { key: 'nodewright.io/disrupted', effect: 'NoSchedule' });
    const victim = podsOn('a')[0];
    expect(victim).toBeDefined();
    expect(cluster.evictPod('shop', victim!.name)).toBe('evicted');
    const replacement = cluster.listPods().find((p) => p.nodeName === undefined);
    expect(replacement).toMatchObject({ phase: 'Pending', labels: { app: 'web' }, ownerKind: 'ReplicaSet' });
    expect(replacement?.name).toMatch(/^web-[a-z0-9]{10}-[a-z0-9]{5}$/);
    await settle();
    expect(cluster.listPods()).toHaveLength(2);
    expect(cluster.listPods().every((p) => p.nodeName === 'b' && p.phase === 'Running')).toBe(true);
    const bound = cluster.history().filter((r) => r.type === 'pod-bound' && r.displacedFrom === 'a');
    expect(bound).toHaveLength(1);
    expect(cluster.evictPod('shop', victim!.name)).toBe('gone');
  });

  it('refuses evictions the PDB forbids and allows them again once the replacement is Ready', async () => {
    cluster.registerNode(node('a'), 'i-a');
    cluster.addDeployment({ namespace: 'shop', name: 'web', replicas: 3, template: template() });
    cluster.addPodDisruptionBudget({ namespace: 'shop', name: 'web', selector: { app: 'web' }, maxUnavailable: 1 });
    await settle();
    const [first, second] = cluster.listPods();
    expect(cluster.evictPod('shop', first!.name)).toBe('evicted');
    expect(cluster.evictPod('shop', second!.name)).toBe('blocked');
    await settle();
    expect(cluster.evictPod('shop', second!.name)).toBe('evicted');
    expect(cluster.history().some((r) => r.type === 'pdb-violation')).toBe(false);
  });

  it('lets the API evict do-not-disrupt pods: honouring the annotation is nodewright\'s job', async () => {
    cluster.registerNode(node('a'), 'i-a');
    cluster.addDeployment({ namespace: 'pay', name: 'ledger', replicas: 1, template: template({ labels: { app: 'ledger' }, annotations: { 'karpenter.sh/do-not-disrupt': 'true' } }) });
    await settle();
    expect(cluster.evictPod('pay', cluster.listPods()[0]!.name)).toBe('evicted');
  });

  it('records a PDB violation when a node loss kills covered pods beyond the budget', async () => {
    cluster.registerNode(node('a'), 'i-a');
    cluster.registerNode(node('b'), 'i-b');
    cluster.addDeployment({ namespace: 'shop', name: 'web', replicas: 4, template: template() });
    cluster.addPodDisruptionBudget({ namespace: 'shop', name: 'web', selector: { app: 'web' }, maxUnavailable: 1 });
    await settle();
    expect(podsOn('a')).toHaveLength(2);
    cluster.nodeLost('a');
    const violations = cluster.history().filter((r) => r.type === 'pdb-violation');
    // The first death used the one allowed disruption; the second broke the budget.
    expect(violations).toEqual([expect.objectContaining({ pdb: 'shop/web', node: 'a', cause: 'node-lost' })]);
    expect(cluster.getNode('a')?.conditions.find((c) => c.type === 'Ready')?.status).toBe('Unknown');
    expect(cluster.listPodsOnNode('a')).toEqual([]);
    await settle();
    expect(cluster.listPods().filter((p) => p.phase === 'Running')).toHaveLength(4);
  });

  it('runs DaemonSet pods on every node and does not recreate them elsewhere when a node goes', async () => {
    cluster.addDaemonSet({ namespace: 'kube-system', name: 'aws-node', template: template({ labels: { app: 'aws-node' }, requests: { cpuMillis: 25, memoryBytes: 64 * 2 ** 20 } }) });
    cluster.registerNode(node('a'), 'i-a');
    cluster.registerNode(node('b'), 'i-b');
    await settle();
    const daemons = () => cluster.listPods().filter((p) => p.ownerKind === 'DaemonSet');
    expect(daemons().map((p) => p.nodeName).sort()).toEqual(['a', 'b']);
    expect(daemons().every((p) => p.phase === 'Running')).toBe(true);
    cluster.nodeLost('a');
    cluster.deleteNode('a');
    await settle();
    expect(daemons().map((p) => p.nodeName)).toEqual(['b']);
    expect(cluster.getNode('a')).toBeUndefined();
    expect(cluster.cordonNode('a', { key: 'x', effect: 'NoSchedule' })).toBe(false);
  });

  it('refuses an eviction when two budgets cover the pod, as the API server does', async () => {
    cluster.registerNode(node('a'), 'i-a');
    cluster.addDeployment({ namespace: 'shop', name: 'web', replicas: 3, template: template() });
    cluster.addPodDisruptionBudget({ namespace: 'shop', name: 'one', selector: { app: 'web' }, maxUnavailable: 1 });
    cluster.addPodDisruptionBudget({ namespace: 'shop', name: 'two', selector: {}, maxUnavailable: 1 });
    await settle();
    expect(() => cluster.evictPod('shop', cluster.listPods()[0]!.name)).toThrow(/more than one PodDisruptionBudget/);
  });
});
