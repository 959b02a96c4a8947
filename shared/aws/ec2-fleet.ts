// The project's FleetRequest as an EC2 CreateFleet input (type instant, one node), and the
// CreateFleet answer back as a FleetResult. Capacity refusals are data here, not exceptions:
// EC2 reports them per override in `Errors` while the call itself succeeds.

import type {
  CreateFleetCommandInput,
  CreateFleetCommandOutput,
  FleetLaunchTemplateOverridesRequest,
  FleetOnDemandAllocationStrategy,
  SpotAllocationStrategy,
} from '@aws-sdk/client-ec2';
import type { FleetError, FleetRequest, FleetResult, Instance } from '../types.ts';
import { recordToTags } from './ec2-instances.ts';

/**
 * On-demand fleets know only `lowest-price` and `prioritized`; the spot-only strategies fall back
 * to the on-demand strategy that keeps their intent (price first, or the caller's priorities).
 */
export function onDemandAllocationStrategy(strategy: FleetRequest['allocationStrategy']): FleetOnDemandAllocationStrategy {
  return strategy === 'prioritized' || strategy === 'capacity-optimized-prioritized' ? 'prioritized' : 'lowest-price';
}

/** Spot fleets have no plain `prioritized`; the closest that honours priorities is capacity-optimized-prioritized. */
export function spotAllocationStrategy(strategy: FleetRequest['allocationStrategy']): SpotAllocationStrategy {
  return strategy === 'prioritized' ? 'capacity-optimized-prioritized' : strategy;
}

export function createFleetInput(request: FleetRequest): CreateFleetCommandInput {
  const overrides: FleetLaunchTemplateOverridesRequest[] = request.overrides.map((override) => ({
    InstanceType: override.instanceType as FleetLaunchTemplateOverridesRequest['InstanceType'],
    SubnetId: override.subnetId,
    AvailabilityZone: override.zone,
    ...(override.priority !== undefined ? { Priority: override.priority } : {}),
  }));
  const tags = recordToTags(request.tags);
  return {
    Type: 'instant',
    ClientToken: request.clientToken,
    TargetCapacitySpecification: {
      TotalTargetCapacity: 1,
      DefaultTargetCapacityType: request.capacityType,
    },
    ...(request.capacityType === 'spot'
      ? { SpotOptions: { AllocationStrategy: spotAllocationStrategy(request.allocationStrategy) } }
      : { OnDemandOptions: { AllocationStrategy: onDemandAllocationStrategy(request.allocationStrategy) } }),
    LaunchTemplateConfigs: [
      {
        LaunchTemplateSpecification: { LaunchTemplateName: request.launchTemplateName, Version: '$Latest' },
        Overrides: overrides,
      },
    ],
    ...(tags.length > 0
      ? { TagSpecifications: [{ ResourceType: 'instance', Tags: tags }, { ResourceType: 'volume', Tags: tags }] }
      : {}),
  };
}

type ResponseOverrides = { InstanceType?: string; AvailabilityZone?: string; SubnetId?: string } | undefined;

/** EC2 echoes the override it used; the zone may come back only as the subnet, so look it up in the request. */
function zoneOf(request: FleetRequest, overrides: ResponseOverrides): string | undefined {
  if (overrides?.AvailabilityZone) return overrides.AvailabilityZone;
  if (overrides?.SubnetId) return request.overrides.find((o) => o.subnetId === overrides.SubnetId)?.zone;
  return undefined;
}

export function fleetResult(request: FleetRequest, output: Pick<CreateFleetCommandOutput, 'Instances' | 'Errors'>, now: Date): FleetResult {
  const instances: Instance[] = [];
  for (const launched of output.Instances ?? []) {
    const overrides = launched.LaunchTemplateAndOverrides?.Overrides;
    const instanceType = launched.InstanceType ?? overrides?.InstanceType ?? '';
    const zone = zoneOf(request, overrides) ?? '';
    const capacityType = launched.Lifecycle === 'spot' || launched.Lifecycle === 'on-demand' ? launched.Lifecycle : request.capacityType;
    for (const instanceId of launched.InstanceIds ?? []) {
      instances.push({
        instanceId,
        instanceType,
        zone,
        capacityType,
        state: 'pending',
        // CreateFleet does not return a launch time; the instance was launched by this call.
        launchTime: now.toISOString(),
        tags: { ...request.tags },
      });
    }
  }
  const errors: FleetError[] = (output.Errors ?? []).map((error) => {
    const overrides = error.LaunchTemplateAndOverrides?.Overrides;
    const zone = zoneOf(request, overrides);
    return {
      ...(overrides?.InstanceType ? { instanceType: overrides.InstanceType } : {}),
      ...(zone ? { zone } : {}),
      code: error.ErrorCode ?? 'Unknown',
      message: error.ErrorMessage ?? '',
    };
  });
  return { instances, errors };
}
