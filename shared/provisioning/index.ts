// Public face of the provisioning core: catalog, labels, requirements, allocatable, pricing,
// selection and the fleet request. Pure decisions: no SDK, no clock, no file or network reads.
export type { InstanceTypeInfo, ReplacementInput, ReplacementPlan } from './model.ts';

export { catalog, type InstanceCatalog } from './catalog/catalog.ts';
export { parseInstanceTypeName, type InstanceTypeName } from './catalog/names.ts';
export { LABEL, nodeLabels, instanceTypeLabels, regionOfZone } from './labels.ts';
export {
  requirementsMatch, requirementMatches, validateRequirement, podFitsLabels, toleratesAll, tolerates,
  untoleratedTaint, canonicalLabelKey, labelValue,
} from './requirements.ts';
export {
  maxPods, allocatable, eniLimitedPods, kubeReservedCpuMillis, memoryCapacityBytes, VM_MEMORY_OVERHEAD_PERCENT,
} from './allocatable.ts';
export { parseQuantity, parseCpuMillis, parseBytes } from './quantity.ts';
export {
  onDemandPrice, simulatedSpotPrices, spotFraction, isCapacityError,
  PRICE_REFERENCE_REGION, SPOT_FRACTION_MIN, SPOT_FRACTION_MAX,
} from './pricing.ts';
export { planReplacement, candidateInstanceTypes, MAX_INSTANCE_TYPES, EXCLUSION } from './selection.ts';
export { zoneSelectors, zonesForMovingPods, type PlacedPod, type ZoneChoice } from './existing-topology.ts';
export { absorbableSpreadPods, openNodesIn, roomOf, type ExistingNode } from './existing-room.ts';
export { buildFleetRequest, capacityErrorOfferings, type FleetLaunch } from './fleet.ts';
export { demandOf, formatBytes, type Demand } from './resources.ts';
export {
  capInstanceTypes, effectivePoolRequirements, isSpecialHardware, specialHardwareAllowed,
  specialHardwareAsk,
} from './offering-rules.ts';
export { inMemoryCatalog, filteredCatalog, type OfferingTable } from './catalog/in-memory.ts';
export type { CapacityRequest, CapacityPlan, PlannedNode, PlannerOptions } from './capacity/model.ts';
export { planCapacity } from './capacity/plan.ts';
export { costLowerBound } from './capacity/lower-bound.ts';
