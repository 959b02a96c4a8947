// The simulated world at a scenario's start: the region's subnets and security groups, the listed
// nodes running and Ready, and every workload's pods bound and Running.

import { DISCOVERY_TAG } from '../config/index.ts';
import { DO_NOT_DISRUPT_ANNOTATION } from '../disruption/drain.ts';
import type { Resources, Toleration } from '../types.ts';
import { NODEPOOL_TAG } from '../well-known.ts';
import { simCatalog } from './catalog.ts';
import type { VirtualClock } from './clock.ts';
import { SimCluster, type PodTemplate } from './cluster.ts';
import { SimEc2, type SimSecurityGroup, type SimSubnet } from './ec2.ts';
import { SeededRandom } from './random.ts';
import type { Scenario } from './scenario.ts';
import { SimWorld } from './world.ts';

/**
 * The simulated world at the scenario's start: subnets and security groups tagged for the
 * cluster, the listed nodes running and Ready, DaemonSet pods on every node, every Deployment's
 * pods bound and Running. Interruptions are armed by world.scheduleInterruptions().
 */
export function createWorld(scenario: Scenario, clock: VirtualClock): SimWorld {
  const random = new SeededRandom(scenario.seed);
  const catalog = simCatalog(scenario.region, scenario.seed);
  const clusterName = scenario.cluster.name;

  const subnets: SimSubnet[] = scenario.zones.flatMap((zone, zi) =>
    Array.from({ length: scenario.network.subnetsPerZone }, (_, k) => ({
      subnetId: `subnet-${random.hex(17)}`,
      zone,
      cidrBlock: `10.0.${(zi * scenario.network.subnetsPerZone + k) * 16}.0/20`,
      availableIpAddressCount: scenario.network.freeIpsPerSubnet,
      tags: { [DISCOVERY_TAG]: clusterName, 'kubernetes.io/role/internal-elb': '1', Name: `${clusterName}-private-${zone}-${k + 1}`, ...scenario.network.tags },
    })),
  );
  const securityGroups: SimSecurityGroup[] = [
    { groupId: `sg-${random.hex(17)}`, groupName: `eks-cluster-sg-${clusterName}`, tags: { [DISCOVERY_TAG]: clusterName, 'aws:eks:cluster-name': clusterName } },
  ];

  const ec2 = new SimEc2({
    region: scenario.region, account: scenario.account, clock, random, catalog, subnets, securityGroups,
    capacity: scenario.ec2.capacity, bootSeconds: scenario.ec2.bootSeconds, terminateSeconds: scenario.ec2.terminateSeconds,
    retirementNoticeMinutes: scenario.ec2.retirementNoticeMinutes,
    images: scenario.ec2.images.map((image) => ({
      imageId: image.id, name: image.name, architecture: image.architecture, creationDate: image.created,
      owner: image.owner === 'self' ? scenario.account : image.owner, tags: image.tags,
    })),
  });
  const cluster = new SimCluster({
    clock, random, schedulerDelayMs: scenario.kubernetes.schedulerDelaySeconds * 1000,
    podStartSeconds: scenario.kubernetes.podStartSeconds, podStopSeconds: scenario.kubernetes.podStopSeconds,
  });
  const world = new SimWorld({
    name: scenario.name, seed: scenario.seed, region: scenario.region, account: scenario.account, start: scenario.start,
    clusterInfo: {
      name: clusterName,
      endpoint: `https://${random.hex(32).toUpperCase()}.gr7.${scenario.region}.eks.amazonaws.com`,
      certificateAuthority: Buffer.from(`-----BEGIN CERTIFICATE-----\nsimulated ${clusterName} ${random.hex(32)}\n-----END CERTIFICATE-----\n`).toString('base64'),
      kubernetesVersion: scenario.cluster.kubernetesVersion,
      serviceIpv4Cidr: '172.20.0.0/16',
    },
    nodeConfig: scenario.nodeConfig, clock, random, catalog, ec2, cluster,
    registerSeconds: scenario.ec2.registerSeconds, readySeconds: scenario.ec2.readySeconds,
    nodeRemovalSeconds: scenario.ec2.nodeRemovalSeconds, amiRelease: scenario.ec2.amiRelease,
    plannedInterruptions: scenario.interruptions,
  });

  for (const ds of scenario.daemonSets) {
    cluster.addDaemonSet({ namespace: ds.namespace, name: ds.name, template: template({ app: ds.name }, {}, ds.requests, [{ operator: 'Exists' }], {}) });
  }
  for (const group of scenario.nodes) {
    for (let i = 0; i < group.count; i++) {
      // Nodes of a cluster that has been up a while: launched some hours to days ago.
      const launchTime = new Date(scenario.start.getTime() - random.int(1, 96) * 3_600_000 - random.int(0, 3_599) * 1000);
      const instance = ec2.addRunningInstance({
        instanceType: group.instanceType, zone: group.zone, capacityType: group.capacityType, launchTime,
        tags: { [NODEPOOL_TAG]: group.nodePool, [`kubernetes.io/cluster/${clusterName}`]: 'owned', 'eks:cluster-name': clusterName, Name: `${clusterName}-${group.nodePool}` },
      });
      const node = world.nodeFor(instance, new Date(launchTime.getTime() + 60_000), true);
      cluster.registerNode(node, instance.instanceId);
    }
  }
  for (const w of scenario.workloads) {
    const annotations: Record<string, string> = w.doNotDisrupt ? { [DO_NOT_DISRUPT_ANNOTATION]: 'true' } : {};
    const podTemplate = template({ app: w.name }, annotations, w.requests, w.tolerations, w.nodeSelector);
    if (w.priority !== undefined) podTemplate.priority = w.priority;
    if (w.terminationGracePeriodSeconds !== undefined) podTemplate.terminationGracePeriodSeconds = w.terminationGracePeriodSeconds;
    const own = { app: w.name };
    podTemplate.topologySpread = w.topologySpread.map((rule) => ({ ...rule, labelSelector: own }));
    podTemplate.podAntiAffinity = w.podAntiAffinity.map((term) => ({ ...term, labelSelector: own }));
    cluster.addDeployment({ namespace: w.namespace, name: w.name, replicas: w.replicas, template: podTemplate });
    if (w.pdb) cluster.addPodDisruptionBudget(w.pdb);
  }
  cluster.settleInitialPlacement();
  world.recordCost();
  const unplaced = cluster.pendingPods().length;
  if (unplaced > 0) world.warnings.push(`${unplaced} pod(s) did not fit on the initial nodes and start Pending`);
  return world;
}

function template(
  labels: Record<string, string>, annotations: Record<string, string>, requests: Resources,
  tolerations: Toleration[], nodeSelector: Record<string, string>,
): PodTemplate {
  return { labels, annotations, requests, nodeSelector, requiredNodeAffinity: [], tolerations };
}
