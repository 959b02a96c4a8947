// Decides what to launch in place of a node: loads its NodePool and EC2NodeClass, the pods that
// must move, prices (PricingPort: live in AWS) and recent capacity refusals, and asks the
// provisioning core for ranked offerings.

import { z } from 'zod';
import { ConfigurationNotFoundError } from '../../shared/errors.ts';
import {
  candidateInstanceTypes, LABEL, openNodesIn, planReplacement, roomOf, zoneSelectors, zonesForMovingPods, type ExistingNode, type PlacedPod,
} from '../../shared/provisioning/index.ts';
import type { ClusterPort } from '../../shared/ports.ts';
import type { ClusterNode, Pod } from '../../shared/types.ts';
import { defineStep } from '../../shared/runtime/handler.ts';
import { nodeRefSchema, noticeSchema } from '../../shared/runtime/schemas.ts';
import { DEFAULT_NODEPOOL } from '../../shared/well-known.ts';
import { loadPoolAndClass } from '../../shared/runtime/node-config.ts';
import { refreshOnDemandPrices } from './on-demand-prices.ts';

/** Pods that still hold their place: finished ones (Succeeded, Failed) do not. */
const isLive = (pod: Pod) => pod.phase !== 'Succeeded' && pod.phase !== 'Failed';

export const planReplacementStep = defineStep({
  name: 'plan-replacement',
  input: z.object({ notice: noticeSchema, node: nodeRefSchema, attempt: z.number().int().min(1) }),
  async run({ notice, node, attempt }, { ports, logger }) {
    const now = ports.clock.now();
    // Started first so the Price List API's paging overlaps the reads below.
    const onDemandRefreshed = refreshOnDemandPrices(ports.pricing, logger);
    const { nodePool, nodeClass } = await loadPoolAndClass(ports.nodeConfig, node.nodePool ?? DEFAULT_NODEPOOL);
    const subnets = (await ports.compute.resolveSubnets(nodeClass.subnetSelectorTerms)).filter(
      (subnet) => subnet.availableIpAddressCount > 0,
    );
    if (subnets.length === 0) {
      throw new ConfigurationNotFoundError(
        `EC2NodeClass "${nodeClass.name}": no subnet with free addresses matches subnetSelectorTerms ${JSON.stringify(nodeClass.subnetSelectorTerms)}`,
      );
    }
    const pods = await ports.cluster.listPodsOnNode(node.name);
    const running = pods.filter(isLive);
    const daemonSetPods = running.filter((pod) => pod.ownerKind === 'DaemonSet');
    const movingPods = running.filter((pod) => pod.ownerKind !== 'DaemonSet' && pod.ownerKind !== 'Node');

    const spotCandidates = candidateInstanceTypes(nodePool, ports.region, 'spot');
    // Spot prices decide whether spot is offered at all, so their failure fails the step (the
    // workflow retries it); on-demand prices fall back instead (see refreshOnDemandPrices).
    const [spotPrices, unavailable, onDemandPricesRefreshed, topology] = await Promise.all([
      spotCandidates.length > 0 ? ports.pricing.spotPrices(spotCandidates) : Promise.resolve([]),
      ports.availability.listUnavailable(now),
      onDemandRefreshed,
      placedPodsOf(ports.cluster, movingPods, node.name),
    ]);
    const zones = [...new Set(subnets.map((subnet) => subnet.zone))].sort();
    // When the pods that stay pin the replacement to some zones, the nodes that stay there may
    // take some of the moving pods: read what runs on them (a list of every scheduled pod, so
    // only then), there only, where the spread sends these pods anyway.
    const pinned = topology ? zonesForMovingPods(movingPods, topology.placed, zones) : undefined;
    const existingNodes = topology && pinned && !pinned.unsatisfiable && pinned.zones.length < zones.length
      ? await existingRoom(ports.cluster, topology.nodes, node.name, pinned.zones)
      : undefined;
    const plan = planReplacement({
      pods: movingPods,
      daemonSetPods,
      nodePool,
      nodeClass,
      region: ports.region,
      zones,
      spotPrices,
      unavailable,
      now,
      ...(topology ? { placedPods: topology.placed } : {}),
      ...(existingNodes ? { existingNodes } : {}),
    }, { onDemandPrice: (region, instanceType) => ports.pricing.onDemandPrice(region, instanceType) });
    logger.info('replacement planned', {
      instanceId: notice.instanceId,
      attempt,
      nodePool: nodePool.name,
      pods: movingPods.length,
      capacityType: plan.capacityType,
      offerings: plan.offerings.length,
      onDemandPricesRefreshed,
      cheapest: plan.offerings[0],
      excluded: plan.excluded,
      ...(plan.zones ? { zones: plan.zones } : {}),
    });
    return {
      nodePool: nodePool.name,
      nodeClass: nodeClass.name,
      capacityType: plan.capacityType,
      offerings: plan.offerings,
      subnets: subnets.filter((subnet) => zones.includes(subnet.zone)),
      pods: movingPods.length,
      excluded: plan.excluded,
    };
  },
});

/**
 * The pods that stay, with their node's zone, of the groups the moving pods spread or follow on
 * zone, and the cluster's nodes; undefined when the moving pods have no such constraint (nothing to read).
 */
async function placedPodsOf(cluster: ClusterPort, moving: Pod[], leaving: string): Promise<{ placed: PlacedPod[]; nodes: ClusterNode[] } | undefined> {
  const selectors = zoneSelectors(moving);
  if (selectors.length === 0) return undefined;
  const [nodes, ...groups] = await Promise.all([
    cluster.listNodes(),
    ...selectors.map(({ namespace, selector }) => cluster.listPodsMatching(namespace, selector)),
  ]);
  const zoneOf = new Map(nodes.map((n) => [n.name, n.labels[LABEL.zone]]));
  const seen = new Set<string>();
  const placed: PlacedPod[] = [];
  for (const pod of groups.flat()) {
    const zone = pod.nodeName === undefined ? undefined : zoneOf.get(pod.nodeName);
    const key = `${pod.namespace}/${pod.name}`;
    // Pods on the leaving node are the ones moving; finished and unscheduled pods hold no zone.
    if (!zone || pod.nodeName === leaving || !isLive(pod) || seen.has(key)) continue;
    seen.add(key);
    placed.push({ pod, zone });
  }
  return { placed, nodes };
}

/** The nodes that stay in `zones` and could take pods now, with what runs on them. */
async function existingRoom(cluster: ClusterPort, nodes: ClusterNode[], leaving: string, zones: string[]): Promise<ExistingNode[]> {
  const open = openNodesIn(nodes, leaving, zones);
  return open.length === 0 ? [] : roomOf(open, await cluster.listScheduledPods());
}
