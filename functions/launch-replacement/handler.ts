// Launches the replacement node with one instant CreateFleet. Safe to repeat: a replacement already
// tagged for this instance is reused, and the fleet's client token makes a retried call launch nothing
// new. Offerings refused for capacity are recorded so the next plan leaves them out.

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CapacityUnavailableError, ConfigurationNotFoundError, NodewrightError } from '../../shared/errors.ts';
import { buildFleetRequest, capacityErrorOfferings, catalog } from '../../shared/provisioning/index.ts';
import { imageFamilyOf, launchTemplateSpec } from '../../shared/provisioning/launch-template.ts';
import { chooseImage } from '../../shared/provisioning/image-choice.ts';
import { defineStep } from '../../shared/runtime/handler.ts';
import { loadPoolAndClass } from '../../shared/runtime/node-config.ts';
import { nodeRefSchema, noticeSchema, replacementPlanSchema } from '../../shared/runtime/schemas.ts';
import type { Ports } from '../../shared/ports.ts';
import type { Instance, NodeClass, PricedOffering } from '../../shared/types.ts';
import {
  CLUSTER_NAME_TAG,
  NODECLASS_TAG,
  NODEPOOL_TAG,
  REPLACEMENT_READY_TIMEOUT_MS,
  REPLACES_TAG,
  UNAVAILABLE_OFFERING_TTL_MS,
} from '../../shared/well-known.ts';

export const launchReplacement = defineStep({
  name: 'launch-replacement',
  input: z.object({
    notice: noticeSchema,
    node: nodeRefSchema,
    plan: replacementPlanSchema,
    attempt: z.number().int().min(1),
  }),
  async run({ notice, plan, attempt }, { ports, logger }) {
    const now = ports.clock.now();
    const readyDeadline = new Date(now.getTime() + REPLACEMENT_READY_TIMEOUT_MS).toISOString();

    const [existing] = await ports.compute.findInstancesByTag(REPLACES_TAG, notice.instanceId);
    if (existing) {
      logger.info('replacement already launched', { instanceId: notice.instanceId, replacement: existing.instanceId });
      return describe(existing, readyDeadline, true);
    }

    const { nodePool, nodeClass } = await loadPoolAndClass(ports.nodeConfig, plan.nodePool);
    const cluster = await ports.clusterInfo.describeCluster();
    // One launch template carries one image, and an image has one architecture: launch the
    // architecture of the best offering, with every offering of that architecture as a fallback.
    const offerings = sameArchitectureAs(plan.offerings);
    const architecture = architectureOf(offerings[0]!.instanceType);
    const imageId = await resolveImage(ports, nodeClass, cluster.kubernetesVersion, architecture);
    const securityGroupIds = await ports.compute.resolveSecurityGroups(nodeClass.securityGroupSelectorTerms);
    if (securityGroupIds.length === 0) {
      throw new ConfigurationNotFoundError(
        `EC2NodeClass "${nodeClass.name}": no security group matches securityGroupSelectorTerms ${JSON.stringify(nodeClass.securityGroupSelectorTerms)}`,
      );
    }
    const launchTemplateName = await ports.compute.ensureLaunchTemplate(
      launchTemplateSpec({
        cluster,
        nodeClass,
        nodePool,
        imageId,
        imageFamily: imageFamilyOf(nodeClass).family,
        securityGroupIds,
        capacityType: plan.capacityType,
      }),
    );
    const request = buildFleetRequest(
      { capacityType: plan.capacityType, offerings, excluded: [] },
      {
        launchTemplateName,
        subnets: plan.subnets,
        clientToken: clientToken(notice.instanceId, attempt),
        tags: {
          ...nodeClass.tags,
          Name: `${cluster.name}/${nodePool.name}`,
          [CLUSTER_NAME_TAG]: cluster.name,
          [`kubernetes.io/cluster/${cluster.name}`]: 'owned',
          [NODEPOOL_TAG]: nodePool.name,
          [NODECLASS_TAG]: nodeClass.name,
          [REPLACES_TAG]: notice.instanceId,
        },
      },
    );
    const result = await ports.compute.createFleet(request);
    const [launched] = result.instances;
    const until = new Date(now.getTime() + UNAVAILABLE_OFFERING_TTL_MS);
    if (launched) {
      // An instant fleet that launched still reports the offerings it was refused on the way:
      // remember those precisely named, so the next plan, for any node, skips them.
      const refusedOnTheWay = capacityErrorOfferings(
        { instances: [], errors: result.errors.filter((error) => error.instanceType && error.zone) },
        request,
      );
      if (refusedOnTheWay.length > 0) {
        await ports.availability.markUnavailable(refusedOnTheWay, until, 'refused for capacity during a launch that succeeded elsewhere');
      }
      logger.info('replacement launched', {
        instanceId: notice.instanceId,
        replacement: launched.instanceId,
        instanceType: launched.instanceType,
        zone: launched.zone,
        capacityType: launched.capacityType,
        attempt,
      });
      return describe(launched, readyDeadline, false);
    }

    const refused = capacityErrorOfferings(result, request);
    const summary = result.errors.map((error) => `${error.instanceType ?? '*'}/${error.zone ?? '*'}: ${error.code}`).join(', ');
    if (refused.length > 0) {
      await ports.availability.markUnavailable(refused, until, summary);
      logger.warn('offerings refused for capacity', { instanceId: notice.instanceId, attempt, refused: refused.length, summary });
      throw new CapacityUnavailableError(`CreateFleet launched nothing (attempt ${attempt}): ${summary}`);
    }
    throw new NodewrightError(`CreateFleet launched nothing and reported no capacity error: ${summary || 'no errors given'}`);
  },
});

function describe(instance: Instance, readyDeadline: string, reused: boolean) {
  return {
    instanceId: instance.instanceId,
    instanceType: instance.instanceType,
    zone: instance.zone,
    capacityType: instance.capacityType,
    readyDeadline,
    reused,
  };
}

function architectureOf(instanceType: string): 'amd64' | 'arm64' {
  const info = catalog().get(instanceType);
  if (!info) throw new NodewrightError(`instance type ${instanceType} is not in the catalog`);
  return info.architecture;
}

function sameArchitectureAs(offerings: PricedOffering[]): PricedOffering[] {
  const first = architectureOf(offerings[0]!.instanceType);
  return offerings.filter((offering) => architectureOf(offering.instanceType) === first);
}

/**
 * The AMI for the node's architecture: an alias from its SSM parameter; otherwise, as Karpenter
 * does, the newest available image built for that architecture among those any term selects
 * (id, name, tags, owner), so a class listing an amd64 and an arm64 AMI boots each on its own.
 */
async function resolveImage(ports: Ports, nodeClass: NodeClass, kubernetesVersion: string, architecture: string) {
  const alias = nodeClass.amiSelectorTerms[0]?.alias;
  if (alias) return ports.parameters.resolveImageAlias(alias, kubernetesVersion, architecture);
  const images = await ports.compute.resolveImages(nodeClass.amiSelectorTerms);
  const image = chooseImage(images, architecture);
  if (!image) {
    const found = images.length === 0 ? 'no available image matches them' : `they match ${images.length} image(s), none built for ${architecture}`;
    throw new ConfigurationNotFoundError(
      `EC2NodeClass "${nodeClass.name}": amiSelectorTerms ${JSON.stringify(nodeClass.amiSelectorTerms)}: ${found}`,
    );
  }
  return image.imageId;
}

/** The same instance and attempt always give the same token, so a retried task launches nothing new. */
function clientToken(instanceId: string, attempt: number): string {
  return createHash('sha256').update(`nodewright/replace/${instanceId}/${attempt}`).digest('hex').slice(0, 64);
}
