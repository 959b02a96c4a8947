// Decides where the pods of one node go next: which instance types, zones and capacity type
// to ask EC2 for, cheapest first. A pure function of its input; time comes in as `now`.
// The rules it applies (special hardware, spot vs on-demand, the type cap, minValues) live in
// offering-rules.ts and are shared with the multi-node planner, planCapacity.
import { CapacityUnavailableError, InvalidInputError, NoCompatibleOfferingError } from '../errors.ts';
import type { CapacityType, NodePool, Pod, PricedOffering } from '../types.ts';
import { allocatable } from './allocatable.ts';
import { catalog } from './catalog/catalog.ts';
import { instanceTypeLabels, LABEL, regionOfZone } from './labels.ts';
import type { ReplacementInput, ReplacementPlan } from './model.ts';
import {
  EXCLUSION, Exclusions, MAX_INSTANCE_TYPES, OFFERING_KEYS, capInstanceTypes, checkMinValues, describeTaint,
  effectivePoolRequirements, offeringKey, specialHardwareAllowed, specialHardwareAsk, spotPriceIndex, unavailableIndex,
} from './offering-rules.ts';
import { onDemandPrice } from './pricing.ts';
import {
  canonicalLabelKey, compilePodConstraints, compileRequirements, untoleratedTaint, validateRequirement,
  type LabelPredicate,
} from './requirements.ts';
import { addDemand, demandOf, describeDemand, fits, type Demand } from './resources.ts';

export { EXCLUSION, MAX_INSTANCE_TYPES };

interface Candidate extends PricedOffering {
  labels: Record<string, string>;
}

/** Pods with the same nodeSelector and affinity need checking once. */
function distinctPodConstraints(pods: Pod[]): LabelPredicate[] {
  const seen = new Map<string, LabelPredicate>();
  for (const pod of pods) {
    if (Object.keys(pod.nodeSelector).length === 0 && pod.requiredNodeAffinity.length === 0) continue;
    const key = JSON.stringify([pod.nodeSelector, pod.requiredNodeAffinity]);
    if (!seen.has(key)) seen.set(key, compilePodConstraints(pod));
  }
  return [...seen.values()];
}

function validateInput(input: ReplacementInput): void {
  if (!(input.now instanceof Date) || Number.isNaN(input.now.getTime())) {
    throw new InvalidInputError(`now must be a valid Date, got ${String(input.now)}`);
  }
  for (const zone of input.zones) {
    if (regionOfZone(zone) !== input.region) {
      throw new InvalidInputError(`zones: "${zone}" is not a zone of region ${input.region}`);
    }
  }
  for (const req of input.nodePool.requirements) validateRequirement(req);
  for (const pod of [...input.pods, ...input.daemonSetPods]) {
    const { cpuMillis, memoryBytes, gpus } = pod.requests;
    if (!(cpuMillis >= 0) || !(memoryBytes >= 0) || !((gpus ?? 0) >= 0)) {
      throw new InvalidInputError(
        `pod ${pod.namespace}/${pod.name}: requests must be non-negative numbers, got ${JSON.stringify(pod.requests)}`,
      );
    }
  }
}

export function planReplacement(input: ReplacementInput): ReplacementPlan {
  validateInput(input);
  const { nodePool, nodeClass, pods, region } = input;
  const cat = catalog();
  if (!cat.regions().includes(region)) {
    throw new InvalidInputError(`region "${region}" is not in the instance catalog (known: ${cat.regions().join(', ')})`);
  }

  for (const pod of pods) {
    const taint = untoleratedTaint(pod.tolerations, nodePool.taints);
    if (taint) {
      throw new NoCompatibleOfferingError(
        `pod ${pod.namespace}/${pod.name} does not tolerate taint ${describeTaint(taint)} of NodePool ${nodePool.name}`,
      );
    }
  }
  const daemonSets = input.daemonSetPods.filter((ds) => !untoleratedTaint(ds.tolerations, nodePool.taints));

  const poolRequirements = effectivePoolRequirements(nodePool.requirements);
  const poolTypeLevel = compileRequirements(poolRequirements.filter((r) => !OFFERING_KEYS.has(canonicalLabelKey(r.key))));
  const poolOfferingLevel = compileRequirements(poolRequirements.filter((r) => OFFERING_KEYS.has(canonicalLabelKey(r.key))));
  const podConstraints = distinctPodConstraints(pods);
  const daemonSetConstraints = daemonSets.map((ds) => ({ pod: ds, fits: compilePodConstraints(ds) }));
  const minValueRequirements = nodePool.requirements.filter((r) => r.minValues !== undefined);
  const ask = specialHardwareAsk(pods, nodePool.requirements);
  const podDemand = demandOf(pods);
  const usableZones = new Set(input.zones);
  const spotPrices = spotPriceIndex(input.spotPrices);
  const unavailable = unavailableIndex(input.unavailable, input.now);
  const exclusions = new Exclusions();
  const candidates: Candidate[] = [];

  for (const type of cat.types()) {
    const regionZones = cat.zones(region, type.name);
    if (regionZones.length === 0) {
      exclusions.add(EXCLUSION.notOfferedInRegion);
      continue;
    }
    const zones = regionZones.filter((z) => usableZones.has(z));
    if (zones.length === 0) {
      exclusions.add(EXCLUSION.notOfferedInZones);
      continue;
    }
    if (!specialHardwareAllowed(type, ask)) {
      exclusions.add(EXCLUSION.specialHardware);
      continue;
    }

    // One mutable label set per type; offerings overwrite the three keys that vary between them.
    const labels: Record<string, string> = {
      ...nodePool.labels, ...instanceTypeLabels(type), [LABEL.nodePool]: nodePool.name, [LABEL.region]: region,
    };
    if (!poolTypeLevel(labels)) {
      exclusions.add(EXCLUSION.nodePoolRequirements);
      continue;
    }
    const capacityTypes: CapacityType[] = type.supportsSpot ? ['spot', 'on-demand'] : ['on-demand'];
    const compatible: Candidate[] = [];
    let poolAccepts = false;
    for (const zone of zones) {
      for (const capacityType of capacityTypes) {
        labels[LABEL.zone] = zone;
        labels[LABEL.capacityType] = capacityType;
        if (!poolOfferingLevel(labels)) continue;
        poolAccepts = true;
        if (!podConstraints.every((fitsPod) => fitsPod(labels))) continue;
        compatible.push({ instanceType: type.name, zone, capacityType, price: 0, labels: { ...labels } });
      }
    }
    if (!poolAccepts) {
      exclusions.add(EXCLUSION.nodePoolRequirements);
      continue;
    }
    if (compatible.length === 0) {
      exclusions.add(EXCLUSION.podConstraints);
      continue;
    }

    const nodeLabels = compatible[0]!.labels;
    const overhead: Demand = demandOf(daemonSetConstraints.filter((ds) => ds.fits(nodeLabels)).map((ds) => ds.pod));
    if (!fits(addDemand(podDemand, overhead), allocatable(type, nodeClass.kubelet))) {
      exclusions.add(EXCLUSION.tooSmall);
      continue;
    }

    for (const offering of compatible) {
      const { zone, capacityType } = offering;
      if (unavailable.has(offeringKey(type.name, zone, capacityType))) {
        exclusions.add(EXCLUSION.recentlyUnavailable);
        continue;
      }
      const price = capacityType === 'spot' ? spotPrices.get(offeringKey(type.name, zone)) : onDemandPrice(region, type.name);
      if (price === undefined) {
        exclusions.add(capacityType === 'spot' ? EXCLUSION.noSpotPrice : EXCLUSION.noOnDemandPrice);
        continue;
      }
      candidates.push({ ...offering, price });
    }
  }

  const onDemand = candidates.filter((c) => c.capacityType === 'on-demand');
  const cheapestOnDemand = Math.min(...onDemand.map((c) => c.price));
  const spot = candidates.filter((c) => c.capacityType === 'spot');
  const affordableSpot = spot.filter((c) => c.price <= cheapestOnDemand);
  exclusions.add(EXCLUSION.spotDearerThanOnDemand, spot.length - affordableSpot.length);

  const capacityType: CapacityType = affordableSpot.length > 0 ? 'spot' : 'on-demand';
  const chosen = capacityType === 'spot' ? affordableSpot : onDemand;
  if (chosen.length === 0) {
    const nothingFits = `no instance type in NodePool ${nodePool.name} fits ${pods.length} ${pods.length === 1 ? 'pod' : 'pods'} needing ${describeDemand(podDemand)}` +
      ` in ${region} (zones ${input.zones.join(', ') || 'none'})`;
    if (exclusions.get(EXCLUSION.recentlyUnavailable) > 0) {
      // Everything that would fit was refused for capacity a moment ago: worth planning again later.
      throw new CapacityUnavailableError(`${nothingFits}: every fitting offering is recently unavailable; ${exclusions.summary()}`);
    }
    throw new NoCompatibleOfferingError(`${nothingFits}: ${exclusions.summary()}`);
  }
  if (capacityType === 'spot') exclusions.add(EXCLUSION.otherCapacityType, onDemand.length);

  const ranked = [...chosen].sort(
    (a, b) => a.price - b.price || a.instanceType.localeCompare(b.instanceType) || a.zone.localeCompare(b.zone),
  );
  const { kept, droppedTypes } = capInstanceTypes(ranked, minValueRequirements, (c) => c.labels);
  exclusions.add(EXCLUSION.beyondTypeCap, droppedTypes);
  checkMinValues(nodePool.name, kept, minValueRequirements, (c) => c.labels);

  return {
    capacityType,
    offerings: kept.map(({ instanceType, zone, capacityType: ct, price }) => ({ instanceType, zone, capacityType: ct, price })),
    excluded: exclusions.list(),
  };
}

/**
 * Instance types the NodePool's requirements allow in the region for one capacity type, sorted;
 * empty when the pool does not allow that capacity type. Lets a caller fetch spot prices for
 * just the types that could be planned, before it knows the pods.
 */
export function candidateInstanceTypes(nodePool: NodePool, region: string, capacityType: CapacityType): string[] {
  const cat = catalog();
  if (!cat.regions().includes(region)) {
    throw new InvalidInputError(`region "${region}" is not in the instance catalog (known: ${cat.regions().join(', ')})`);
  }
  const allows = compileRequirements(effectivePoolRequirements(nodePool.requirements));
  const names: string[] = [];
  for (const type of cat.types()) {
    if (capacityType === 'spot' && !type.supportsSpot) continue;
    const zones = cat.zones(region, type.name);
    if (zones.length === 0) continue;
    const labels: Record<string, string> = {
      ...nodePool.labels, ...instanceTypeLabels(type), [LABEL.nodePool]: nodePool.name,
      [LABEL.region]: region, [LABEL.capacityType]: capacityType,
    };
    if (zones.some((zone) => allows({ ...labels, [LABEL.zone]: zone }))) names.push(type.name);
  }
  return names;
}
