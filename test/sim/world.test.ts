import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationNotFoundError } from '../../shared/errors.ts';
import { simPorts } from '../../shared/sim/adapters.ts';
import { VirtualClock } from '../../shared/sim/clock.ts';
import type { EventBridgeEvent } from '../../shared/sim/events.ts';
import { report } from '../../shared/sim/metrics.ts';
import { createWorld } from '../../shared/sim/create-world.ts';
import { parseScenario } from '../../shared/sim/scenario.ts';
import type { SimWorld } from '../../shared/sim/world.ts';
import type { FleetRequest, LaunchTemplateSpec } from '../../shared/types.ts';

const SCENARIO = `
name: world-test
seed: 11
region: us-east-1
start: "2026-03-02T10:00:00Z"
durationMinutes: 60
cluster: { name: demo, kubernetesVersion: "1.33" }
nodeConfigYaml: |
  apiVersion: karpenter.sh/v1
  kind: NodePool
  metadata: { name: default }
  spec:
    template:
      metadata: { labels: { team: platform } }
      spec:
        nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default }
        taints: [ { key: example.com/pool, value: default, effect: NoSchedule } ]
        requirements:
          - { key: karpenter.sh/capacity-type, operator: In, values: [spot, on-demand] }
zones: [us-east-1a, us-east-1b]
ec2:
  bootSeconds: [50, 50]
  registerSeconds: [10, 10]
  readySeconds: [5, 5]
  terminateSeconds: [5, 5]
  nodeRemovalSeconds: [10, 10]
kubernetes: { podStartSeconds: [2, 2], podStopSeconds: [1, 1] }
nodes:
  - { nodePool: default, instanceType: m5.xlarge, capacityType: spot, zone: us-east-1a, count: 2 }
  - { nodePool: default, instanceType: m5.xlarge, capacityType: on-demand, zone: us-east-1b, count: 1 }
daemonSets:
  - { name: aws-node, cpu: 25m, memory: 64Mi }
workloads:
  - { name: web, namespace: shop, replicas: 6, cpu: 500m, memory: 512Mi, pdb: { maxUnavailable: 1 }, tolerations: [ { key: example.com/pool, operator: Exists } ] }
interruptions:
  - { at: 5m, kind: spot-interruption, count: 1 }
  - { at: 6m, kind: spot-interruption, count: 5 }
`;

let clock: VirtualClock;
let world: SimWorld;
let events: EventBridgeEvent[];

beforeEach(() => {
  const scenario = parseScenario(SCENARIO, { source: 'world.yaml', baseDir: '.' });
  clock = VirtualClock.install(scenario.start);
  world = createWorld(scenario, clock);
  events = [];
  world.onEvent((e) => events.push(e));
});
afterEach(() => clock.uninstall());

async function launchReplacement(replaces: string, zone = 'us-east-1b'): Promise<string> {
  const ports = simPorts(world);
  const [subnet] = (await ports.compute.resolveSubnets([{ tags: { 'karpenter.sh/discovery': 'demo' } }])).filter((s) => s.zone === zone);
  const spec: LaunchTemplateSpec = {
    name: 'nodewright-default', imageId: await ports.parameters.resolveImageAlias('al2023@latest', '1.33', 'amd64'),
    securityGroupIds: await ports.compute.resolveSecurityGroups([{ tags: { 'karpenter.sh/discovery': 'demo' } }]),
    userData: '', blockDeviceMappings: [], metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 }, tags: {},
  };
  const request: FleetRequest = {
    clientToken: `replace-${replaces}`, capacityType: 'on-demand', allocationStrategy: 'lowest-price',
    launchTemplateName: await ports.compute.ensureLaunchTemplate(spec),
    overrides: [{ instanceType: 'm5.xlarge', subnetId: subnet!.subnetId, zone }],
    tags: { 'karpenter.sh/nodepool': 'default', 'nodewright.io/replaces': replaces },
  };
  const result = await ports.compute.createFleet(request);
  expect(result.errors).toEqual([]);
  return result.instances[0]!.instanceId;
}

describe('SimWorld: EC2 and the cluster wired together', () => {
  it('registers a Node for a launched instance, with the pool\'s labels and taints, then makes it Ready', async () => {
    const ports = simPorts(world);
    const id = await launchReplacement('i-none');
    await clock.advance(50_000);
    expect((await ports.compute.describeInstance(id))?.state).toBe('running');
    expect(await ports.cluster.findNodeByInstanceId(id)).toBeUndefined();
    await clock.advance(10_000);
    const node = await ports.cluster.findNodeByInstanceId(id);
    expect(node).toMatchObject({
      providerId: `aws:///us-east-1b/${id}`,
      labels: {
        'karpenter.sh/nodepool': 'default', team: 'platform', 'node.kubernetes.io/instance-type': 'm5.xlarge',
        'topology.kubernetes.io/zone': 'us-east-1b', 'karpenter.sh/capacity-type': 'on-demand',
      },
      taints: [{ key: 'example.com/pool', value: 'default', effect: 'NoSchedule' }],
    });
    expect(node?.name).toMatch(/^ip-10-0-\d+-\d+\.ec2\.internal$/);
    expect(node?.allocatable?.cpuMillis).toBeGreaterThan(3000);
    expect(node?.conditions.find((c) => c.type === 'Ready')?.status).toBe('False');
    await clock.advance(5_000);
    expect((await ports.cluster.getNode(node!.name))?.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    await clock.advance(5_000);
    const daemon = (await ports.cluster.listPodsOnNode(node!.name)).filter((p) => p.ownerKind === 'DaemonSet');
    expect(daemon).toHaveLength(1);
    expect(daemon[0]?.phase).toBe('Running');
  });

  it('after a spot interruption, takes the node down at +2 min: NotReady, pods replaced, Node removed', async () => {
    const spot = world.ec2.allInstances().find((i) => i.capacityType === 'spot')!;
    const node = world.cluster.findNodeByInstanceId(spot.instanceId)!;
    const podsBefore = world.cluster.listPodsOnNode(node.name).filter((p) => p.ownerKind === 'ReplicaSet').length;
    expect(podsBefore).toBeGreaterThan(0);
    world.interrupt(spot.instanceId, 'spot-interruption');
    expect(events.map((e) => e['detail-type'])).toEqual(['EC2 Spot Instance Interruption Warning']);
    await clock.advance(120_000);
    expect(world.cluster.getNode(node.name)?.conditions.find((c) => c.type === 'Ready')?.status).toBe('Unknown');
    expect(world.cluster.listPodsOnNode(node.name)).toEqual([]);
    await clock.advance(5_000 + 10_000);
    expect(world.cluster.getNode(node.name)).toBeUndefined();
    expect(events.map((e) => e.detail.state).filter(Boolean)).toEqual(['shutting-down', 'terminated']);
    await clock.advance(10_000);
    const web = world.cluster.listPods().filter((p) => p.labels.app === 'web');
    expect(web).toHaveLength(6);
  });

  it('delivers the scenario\'s interruptions at their times to seeded targets, warning when too few match', async () => {
    world.scheduleInterruptions();
    await clock.advance(5 * 60_000);
    expect(world.interruptions).toHaveLength(1);
    expect(world.interruptions[0]).toMatchObject({ kind: 'spot-interruption', capacityType: 'spot', at: Date.parse('2026-03-02T10:05:00Z') });
    await clock.advance(60_000);
    // Only one spot instance is left with a node; the on-demand one is never a spot target.
    expect(world.interruptions).toHaveLength(2);
    expect(world.warnings).toEqual([expect.stringContaining('wanted 5 instance(s)')]);
    expect(new Set(world.interruptions.map((i) => i.instanceId)).size).toBe(2);
  });

  it('picks the same targets for the same seed', async () => {
    world.scheduleInterruptions();
    await clock.advance(5 * 60_000);
    const first = world.interruptions[0]?.instanceId;
    clock.uninstall();
    const scenario = parseScenario(SCENARIO, { source: 'world.yaml', baseDir: '.' });
    clock = VirtualClock.install(scenario.start);
    const again = createWorld(scenario, clock);
    again.scheduleInterruptions();
    await clock.advance(5 * 60_000);
    expect(again.interruptions[0]?.instanceId).toBe(first);
  });
});

describe('sim ports', () => {
  it('resolves AMI aliases to stable fake ids and refuses unknown ones', async () => {
    const { parameters } = simPorts(world);
    const latest = await parameters.resolveImageAlias('al2023@latest', '1.33', 'amd64');
    expect(latest).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(await parameters.resolveImageAlias('al2023@latest', '1.33', 'amd64')).toBe(latest);
    expect(await parameters.resolveImageAlias('al2023@latest', '1.33', 'arm64')).not.toBe(latest);
    world.amiRelease = 'v20260301';
    expect(await parameters.resolveImageAlias('al2023@latest', '1.33', 'amd64')).not.toBe(latest);
    await expect(parameters.resolveImageAlias('ubuntu@latest', '1.33', 'amd64')).rejects.toBeInstanceOf(ConfigurationNotFoundError);
    await expect(parameters.resolveImageAlias('al2023@latest', '1.33', 's390x')).rejects.toBeInstanceOf(ConfigurationNotFoundError);
  });

  it('keeps unavailable offerings until their expiry, keeping the later one', async () => {
    const { availability } = simPorts(world);
    const offering = { instanceType: 'm5.xlarge', zone: 'us-east-1a', capacityType: 'spot' as const };
    await availability.markUnavailable([offering], new Date('2026-03-02T10:03:00Z'), 'InsufficientInstanceCapacity');
    await availability.markUnavailable([offering], new Date('2026-03-02T10:01:00Z'), 'InsufficientInstanceCapacity');
    expect(await availability.listUnavailable(new Date('2026-03-02T10:02:00Z'))).toEqual([{ ...offering, until: '2026-03-02T10:03:00.000Z', reason: 'InsufficientInstanceCapacity' }]);
    expect(await availability.listUnavailable(new Date('2026-03-02T10:03:00Z'))).toEqual([]);
  });

  it('follows the port contracts for things already gone', async () => {
    const { cluster, compute, nodeConfig, clusterInfo, deadLetters } = simPorts(world);
    expect(await cluster.cordonNode('ip-gone', { key: 'x', effect: 'NoSchedule' })).toBe(false);
    expect(await cluster.listPodsOnNode('ip-gone')).toEqual([]);
    expect(await cluster.evictPod('shop', 'no-such-pod')).toBe('gone');
    await expect(cluster.deletePod('shop', 'no-such-pod')).resolves.toBeUndefined();
    await expect(cluster.deleteNode('ip-gone')).resolves.toBeUndefined();
    expect(await compute.describeInstance('i-00000000000000000')).toBeUndefined();
    expect(await nodeConfig.nodePool('nope')).toBeUndefined();
    expect((await nodeConfig.nodePools()).map((p) => p.name)).toContain('default');
    expect((await clusterInfo.describeCluster())).toMatchObject({ name: 'demo', kubernetesVersion: '1.33' });
    await deadLetters.send('{"bad":true}', 'unparseable');
    expect(world.deadLetters).toEqual([{ at: '2026-03-02T10:00:00.000Z', body: '{"bad":true}', reason: 'unparseable' }]);
  });
});

describe('report', () => {
  it('measures cordon time, replacement readiness, evictions and pending time from what the world observed', async () => {
    const ports = simPorts(world);
    const spot = world.ec2.allInstances().find((i) => i.capacityType === 'spot')!;
    const node = world.cluster.findNodeByInstanceId(spot.instanceId)!;
    world.interrupt(spot.instanceId, 'spot-interruption');
    await clock.advance(3_000);
    expect(await ports.cluster.cordonNode(node.name, { key: 'nodewright.io/interrupted', effect: 'NoSchedule' })).toBe(true);
    const replacement = await launchReplacement(spot.instanceId);
    const outcomes: string[] = [];
    for (const pod of await ports.cluster.listPodsOnNode(node.name)) {
      if (pod.ownerKind === 'DaemonSet') continue;
      outcomes.push(await ports.cluster.evictPod(pod.namespace, pod.name));
    }
    expect(outcomes).toContain('evicted');
    await clock.advance(5 * 60_000);
    const result = report(world);
    const [outcome] = result.interruptions;
    expect(outcome).toMatchObject({
      instanceId: spot.instanceId, kind: 'spot-interruption', nodeName: node.name, noticeAt: '2026-03-02T10:00:00.000Z',
      timeToCordonSeconds: 3,
      replacement: { instanceId: replacement, instanceType: 'm5.xlarge', zone: 'us-east-1b', capacityType: 'on-demand' },
      // 3 s to launch, 50 s boot, 10 s registration, 5 s to Ready
      timeToReplacementReadySeconds: 68,
      podsEvicted: outcomes.filter((o) => o === 'evicted').length,
      stillPending: 0,
    });
    expect(outcome!.longestPendingSeconds).toBeGreaterThan(0);
    expect(outcome!.hourlyCostBefore).toBeGreaterThan(0);
    // Settled once the spot instance is gone (+2 min) and the replacement Ready: one spot m5.xlarge swapped for an on-demand one.
    expect(outcome!.hourlyCostAfter).toBeCloseTo(outcome!.hourlyCostBefore - spot.hourlyPrice + world.ec2.instance(replacement)!.hourlyPrice, 3);
    expect(result.totals.interruptions).toBe(1);
    expect(result.totals.hourlyCostAtEnd).toBeCloseTo(result.totals.hourlyCostAtStart - spot.hourlyPrice + world.ec2.instance(replacement)!.hourlyPrice, 3);
  });

  it('shows PDB violations when nobody drains an interrupted node', async () => {
    const spot = world.ec2.allInstances().filter((i) => i.capacityType === 'spot')
      .map((i) => ({ i, pods: world.cluster.listPodsOnNode(world.cluster.findNodeByInstanceId(i.instanceId)!.name).filter((p) => p.labels.app === 'web').length }))
      .sort((a, b) => b.pods - a.pods)[0]!;
    expect(spot.pods).toBeGreaterThanOrEqual(2);
    world.interrupt(spot.i.instanceId, 'spot-interruption');
    await clock.advance(4 * 60_000);
    const result = report(world);
    expect(result.totals.pdbViolations).toBe(spot.pods - 1);
    expect(result.interruptions[0]).toMatchObject({ timeToCordonSeconds: null, replacement: null, podsEvicted: 0, podsKilled: spot.pods, launchErrors: [] });
    expect(result.interruptions[0]!.hourlyCostAfter).toBeCloseTo(result.interruptions[0]!.hourlyCostBefore - spot.i.hourlyPrice, 3);
    expect(result.violations[0]).toMatchObject({ pdb: 'shop/web', cause: 'node-lost' });
  });
});

describe('report of a launch that had to fall back', () => {
  it('lists the capacity refusals met by the replacement launch', async () => {
    clock.uninstall();
    const text = SCENARIO.replace('  nodeRemovalSeconds: [10, 10]', '  nodeRemovalSeconds: [10, 10]\n  capacity: [ { zone: us-east-1a, capacityType: on-demand, available: 0 } ]');
    const scenario = parseScenario(text, { source: 'world.yaml', baseDir: '.' });
    clock = VirtualClock.install(scenario.start);
    world = createWorld(scenario, clock);
    const ports = simPorts(world);
    const spot = world.ec2.allInstances().find((i) => i.capacityType === 'spot')!;
    world.interrupt(spot.instanceId, 'spot-interruption');
    const subnets = await ports.compute.resolveSubnets([{ tags: { 'karpenter.sh/discovery': 'demo' } }]);
    const subnetIn = (zone: string) => subnets.find((s) => s.zone === zone)!.subnetId;
    await ports.compute.ensureLaunchTemplate({
      name: 'lt', imageId: 'ami-1', securityGroupIds: [], userData: '', blockDeviceMappings: [],
      metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 }, tags: {},
    });
    const result = await ports.compute.createFleet({
      clientToken: 'fallback', capacityType: 'on-demand', allocationStrategy: 'prioritized', launchTemplateName: 'lt',
      overrides: [
        { instanceType: 'm5.xlarge', subnetId: subnetIn('us-east-1a'), zone: 'us-east-1a', priority: 0 },
        { instanceType: 'm5.xlarge', subnetId: subnetIn('us-east-1b'), zone: 'us-east-1b', priority: 1 },
      ],
      tags: { 'karpenter.sh/nodepool': 'default', 'nodewright.io/replaces': spot.instanceId },
    });
    expect(result.instances[0]?.zone).toBe('us-east-1b');
    await clock.advance(3 * 60_000);
    const outcome = report(world).interruptions[0]!;
    expect(outcome.launchErrors).toEqual([{ code: 'InsufficientInstanceCapacity', instanceType: 'm5.xlarge', zone: 'us-east-1a' }]);
    expect(outcome.replacement?.zone).toBe('us-east-1b');
    expect(report(world).totals.launchErrors).toBe(1);
  });
});
