// Turns a replacement plan into one EC2 CreateFleet (instant) request, and a fleet's capacity
// errors back into the offerings to mark unavailable before planning again.
import { InvalidInputError } from '../errors.ts';
import type { FleetOverride, FleetRequest, FleetResult, Offering, Subnet } from '../types.ts';
import type { ReplacementPlan } from './model.ts';
import { isCapacityError } from './pricing.ts';

export interface FleetLaunch {
  launchTemplateName: string;
  subnets: Subnet[];
  tags: Record<string, string>;
  clientToken: string;
}

/** Per zone, the subnet with the most free IPs (ties: lowest id, so the choice is stable). */
function roomiestSubnetPerZone(subnets: Subnet[]): Map<string, Subnet> {
  const best = new Map<string, Subnet>();
  for (const subnet of subnets) {
    const seen = best.get(subnet.zone);
    if (
      !seen ||
      subnet.availableIpAddressCount > seen.availableIpAddressCount ||
      (subnet.availableIpAddressCount === seen.availableIpAddressCount && subnet.subnetId < seen.subnetId)
    ) {
      best.set(subnet.zone, subnet);
    }
  }
  return best;
}

/**
 * One override per planned (type, zone), in the plan's order, priority = rank (0 is best).
 * Spot uses price-capacity-optimized (EC2 weighs price against interruption risk); on-demand
 * lowest-price. Offerings in zones without a subnet are left out.
 */
export function buildFleetRequest(plan: ReplacementPlan, launch: FleetLaunch): FleetRequest {
  if (!launch.launchTemplateName) throw new InvalidInputError('launchTemplateName must not be empty');
  if (!launch.clientToken) throw new InvalidInputError('clientToken must not be empty');
  const subnets = roomiestSubnetPerZone(launch.subnets);
  const overrides: FleetOverride[] = [];
  const seen = new Set<string>();
  for (const offering of plan.offerings) {
    const subnet = subnets.get(offering.zone);
    const key = `${offering.instanceType}|${offering.zone}`;
    if (!subnet || seen.has(key)) continue;
    seen.add(key);
    overrides.push({ instanceType: offering.instanceType, subnetId: subnet.subnetId, zone: offering.zone, priority: overrides.length });
  }
  if (overrides.length === 0) {
    const zones = [...new Set(plan.offerings.map((o) => o.zone))].join(', ');
    throw new InvalidInputError(`subnets: none in the plan's zones (${zones || 'the plan has no offerings'})`);
  }
  return {
    clientToken: launch.clientToken,
    capacityType: plan.capacityType,
    allocationStrategy: plan.capacityType === 'spot' ? 'price-capacity-optimized' : 'lowest-price',
    launchTemplateName: launch.launchTemplateName,
    overrides,
    tags: { ...launch.tags },
  };
}

/**
 * The offerings a fleet's capacity errors rule out: the error's (type, zone) when it names them,
 * every override of the type or the zone when it names one, every override when it names neither.
 * Errors that are not about capacity (bad launch template, permissions) rule out nothing.
 */
export function capacityErrorOfferings(result: FleetResult, request: FleetRequest): Offering[] {
  const out = new Map<string, Offering>();
  for (const error of result.errors) {
    if (!isCapacityError(error.code)) continue;
    for (const override of request.overrides) {
      if (error.instanceType && error.instanceType !== override.instanceType) continue;
      if (error.zone && error.zone !== override.zone) continue;
      const offering = { instanceType: override.instanceType, zone: override.zone, capacityType: request.capacityType };
      out.set(`${offering.instanceType}|${offering.zone}`, offering);
    }
    if (error.instanceType && error.zone && !out.has(`${error.instanceType}|${error.zone}`)) {
      // EC2 named an offering the request did not list; trust it, it is still a refused offering.
      out.set(`${error.instanceType}|${error.zone}`, { instanceType: error.instanceType, zone: error.zone, capacityType: request.capacityType });
    }
  }
  return [...out.values()];
}
