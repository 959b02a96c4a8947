// The sim adapter: every port of shared/ports.ts except WorkflowPort (the lead wires Step
// Functions), implemented over the simulated world with the same contracts as the aws and k8s
// adapters, so the handlers cannot tell the difference.

import { ConfigurationNotFoundError } from '../errors.ts';
import type {
  ClusterInfoPort, ClusterPort, ComputePort, DeadLetterPort, LifecyclePort, NodeConfigPort,
  OfferingAvailabilityPort, ParameterPort, Ports, PricingPort,
} from '../ports.ts';
import { onDemandPrice as snapshotOnDemandPrice } from '../provisioning/index.ts';
import type { Offering } from '../types.ts';
import { selects } from './pdb.ts';
import type { SimWorld } from './world.ts';

export function simPorts(world: SimWorld): Omit<Ports, 'workflows'> {
  return {
    compute: simCompute(world),
    pricing: simPricing(world),
    parameters: simParameters(world),
    nodeConfig: simNodeConfig(world),
    clusterInfo: simClusterInfo(world),
    cluster: simCluster(world),
    availability: simAvailability(world),
    lifecycle: simLifecycle(world),
    deadLetters: simDeadLetters(world),
    clock: world.clock,
    region: world.region,
  };
}

function simCompute(world: SimWorld): ComputePort {
  const ec2 = world.ec2;
  return {
    describeInstance: async (instanceId) => ec2.describeInstance(instanceId),
    findInstancesByTag: async (key, value) => ec2.findInstancesByTag(key, value),
    createFleet: async (request) => ec2.createFleet(request),
    terminateInstance: async (instanceId) => ec2.terminateInstance(instanceId),
    describeSpotPrices: async (instanceTypes) => ec2.describeSpotPrices(instanceTypes),
    resolveSubnets: async (terms) => ec2.resolveSubnets(terms),
    resolveSecurityGroups: async (terms) => ec2.resolveSecurityGroups(terms),
    resolveImages: async (terms) => ec2.resolveImages(terms),
    ensureLaunchTemplate: async (spec) => ec2.ensureLaunchTemplate(spec),
  };
}

/**
 * The simulated region's own prices: on-demand from its catalog (the committed snapshot), spot
 * from the seeded model its EC2 answers DescribeSpotPriceHistory with, so a plan ranks offerings
 * by the prices the simulated CreateFleet charges. Nothing goes stale, so a refresh has nothing to do.
 */
function simPricing(world: SimWorld): PricingPort {
  return {
    refreshOnDemand: async () => undefined,
    onDemandPrice: (region, instanceType) =>
      region === world.region ? world.catalog.onDemandPrice(instanceType) : snapshotOnDemandPrice(region, instanceType),
    spotPrices: async (instanceTypes) => world.ec2.describeSpotPrices(instanceTypes),
  };
}

function simCluster(world: SimWorld): ClusterPort {
  const cluster = world.cluster;
  return {
    findNodeByInstanceId: async (instanceId) => cluster.findNodeByInstanceId(instanceId),
    getNode: async (name) => cluster.getNode(name),
    listNodes: async () => cluster.listNodes(),
    cordonNode: async (name, taint) => cluster.cordonNode(name, taint),
    listPodsOnNode: async (name) => cluster.listPodsOnNode(name),
    listPodsMatching: async (namespace, selector) =>
      cluster.listPods().filter((pod) => pod.namespace === namespace && selects(selector, pod.labels)),
    listScheduledPods: async () =>
      cluster.listPods().filter((pod) => pod.nodeName !== undefined && pod.phase !== 'Succeeded' && pod.phase !== 'Failed'),
    listPodDisruptionBudgets: async () => cluster.listPodDisruptionBudgets(),
    evictPod: async (namespace, name) => cluster.evictPod(namespace, name),
    deletePod: async (namespace, name) => cluster.deletePod(namespace, name),
    deleteNode: async (name) => cluster.deleteNode(name),
  };
}

/** The AMI families EKS publishes SSM parameters for, as Karpenter's alias names them. */
const AMI_FAMILIES = new Set(['al2', 'al2023', 'bottlerocket', 'windows2019', 'windows2022', 'windows2025']);
const ARCHITECTURES = new Set(['amd64', 'arm64']);

function simParameters(world: SimWorld): ParameterPort {
  return {
    async resolveImageAlias(alias, kubernetesVersion, arch) {
      const match = /^([a-z0-9]+)@(latest|v[\w.-]+)$/.exec(alias);
      const family = match?.[1];
      if (!match || !family || !AMI_FAMILIES.has(family)) {
        throw new ConfigurationNotFoundError(`no SSM parameter for AMI alias "${alias}": expected <family>@latest or <family>@<version> with family one of ${[...AMI_FAMILIES].join(', ')}`);
      }
      if (!ARCHITECTURES.has(arch)) throw new ConfigurationNotFoundError(`no SSM parameter for AMI alias "${alias}" on architecture "${arch}"`);
      if (!/^\d+\.\d+$/.test(kubernetesVersion)) {
        throw new ConfigurationNotFoundError(`no SSM parameter for AMI alias "${alias}" on Kubernetes version "${kubernetesVersion}"`);
      }
      const release = match[2] === 'latest' ? world.amiRelease : match[2];
      return fakeImageId(`${family}|${release}|${kubernetesVersion}|${arch}`);
    },
  };
}

/** A stable `ami-` + 17 hex id for a (family, release, version, arch): same inputs, same image. */
export function fakeImageId(key: string): string {
  let hex = '';
  for (let round = 0; hex.length < 17; round++) {
    let h = 0x811c9dc5 ^ round;
    for (let i = 0; i < key.length; i++) {
      h ^= key.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    hex += (h >>> 0).toString(16).padStart(8, '0');
  }
  return `ami-${hex.slice(0, 17)}`;
}

function simNodeConfig(world: SimWorld): NodeConfigPort {
  return {
    nodePool: async (name) => structuredClone(world.nodeConfig.nodePools.find((p) => p.name === name)),
    nodeClass: async (name) => structuredClone(world.nodeConfig.nodeClasses.find((c) => c.name === name)),
    nodePools: async () => structuredClone(world.nodeConfig.nodePools),
  };
}

function simClusterInfo(world: SimWorld): ClusterInfoPort {
  return { describeCluster: async () => structuredClone(world.clusterInfo) };
}

function offeringKey(offering: Offering): string {
  return `${offering.capacityType}|${offering.instanceType}|${offering.zone}`;
}

function simAvailability(world: SimWorld): OfferingAvailabilityPort {
  const entries = world.unavailableOfferings;
  return {
    async markUnavailable(offerings, until, reason) {
      for (const offering of offerings) {
        const key = offeringKey(offering);
        const existing = entries.get(key);
        if (existing && Date.parse(existing.until) >= until.getTime()) continue;
        entries.set(key, {
          instanceType: offering.instanceType, zone: offering.zone, capacityType: offering.capacityType,
          until: until.toISOString(), reason,
        });
      }
    },
    async listUnavailable(now) {
      return [...entries.values()].filter((e) => Date.parse(e.until) > now.getTime()).map((e) => ({ ...e }));
    },
  };
}

function simLifecycle(world: SimWorld): LifecyclePort {
  return {
    async completeLifecycleAction(input) {
      world.completedLifecycleActions.push({ at: world.clock.now().toISOString(), ...input });
    },
  };
}

function simDeadLetters(world: SimWorld): DeadLetterPort {
  return {
    async send(body, reason) {
      world.deadLetters.push({ at: world.clock.now().toISOString(), body, reason });
    },
  };
}
