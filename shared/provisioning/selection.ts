// Decides where the pods of one node go next: which instance types, zones and capacity type
// to ask EC2 for, cheapest first. A pure function of its input; time comes in as `now`.
import { CapacityUnavailableError, InvalidInputError, NoCompatibleOfferingError } from '../errors.ts';
import type {
  CapacityType, NodePool, Pod, PricedOffering, Requirement, SpotPrice, Taint, UnavailableOffering,
} from '../types.ts';
import { allocatable } from './allocatable.ts';
import { catalog } from './catalog/catalog.ts';
import { instanceTypeLabels, LABEL, regionOfZone } from './labels.ts';
import type { InstanceTypeInfo, ReplacementInput, ReplacementPlan } from './model.ts';
import { onDemandPrice } from './pricing.ts';
import {
  canonicalLabelKey, compilePodConstraints, compileRequirements, labelValue, untoleratedTaint, validateRequirement,
  type LabelPredicate,
} from './requirements.ts';
import { addDemand, demandOf, describeDemand, fits, type Demand } from './resources.ts';

/** Karpenter's cap on instance types per launch: CreateFleet overrides stay few and fast. */
export const MAX_INSTANCE_TYPES = 60;

/** Reasons in the order they are checked; `excluded` reports them in this order. */
export const EXCLUSION = {
  notOfferedInRegion: 'instance type not offered in the region',
  notOfferedInZones: "instance type not offered in the node class's zones",
  specialHardware: 'metal, GPU or accelerator type no pod asked for',
  nodePoolRequirements: 'instance type excluded by NodePool requirements',
  podConstraints: "instance type excluded by the pods' nodeSelector/affinity",
  tooSmall: 'instance type too small for the pods and DaemonSets',
  recentlyUnavailable: 'offering recently refused for capacity',
  noSpotPrice: 'spot offering without a spot price',
  noOnDemandPrice: 'on-demand offering without a price',
  spotDearerThanOnDemand: 'spot offering dearer than the cheapest on-demand offering',
  otherCapacityType: 'offering of the capacity type not chosen',
  beyondTypeCap: `instance type beyond the ${MAX_INSTANCE_TYPES} cheapest`,
} as const;
type ExclusionReason = (typeof EXCLUSION)[keyof typeof EXCLUSION];

class Exclusions {
  private readonly counts = new Map<ExclusionReason, number>(Object.values(EXCLUSION).map((r) => [r, 0]));
  add(reason: ExclusionReason, count = 1): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + count);
  }
  get(reason: ExclusionReason): number {
    return this.counts.get(reason) ?? 0;
  }
  list(): Array<{ reason: string; count: number }> {
    return [...this.counts].filter(([, count]) => count > 0).map(([reason, count]) => ({ reason, count }));
  }
  summary(): string {
    return this.list().map(({ reason, count }) => `${count} x ${reason}`).join('; ');
  }
}

interface Candidate extends PricedOffering {
  labels: Record<string, string>;
}

const GPU_OR_ACCELERATOR_KEYS = new Set<string>([
  LABEL.gpuName, LABEL.gpuManufacturer, LABEL.gpuCount, LABEL.gpuMemory,
  LABEL.acceleratorName, LABEL.acceleratorManufacturer, LABEL.acceleratorCount,
]);
const POSITIVE_OPERATORS = new Set(['In', 'Exists', 'Gt', 'Gte']);

/** What the pods and the pool explicitly ask for, which lets special hardware into the plan. */
interface SpecialHardwareAsk {
  accelerators: boolean;
  sizes: Set<string>;
  families: Set<string>;
  types: Set<string>;
}

function podRequirements(pod: Pod): Requirement[] {
  const fromSelector: Requirement[] = Object.entries(pod.nodeSelector).map(([key, value]) => ({ key, operator: 'In', values: [value] }));
  return [...fromSelector, ...pod.requiredNodeAffinity.flat()];
}

function specialHardwareAsk(pods: Pod[], poolRequirements: Requirement[]): SpecialHardwareAsk {
  const ask: SpecialHardwareAsk = {
    accelerators: pods.some((p) => (p.requests.gpus ?? 0) > 0),
    sizes: new Set(), families: new Set(), types: new Set(),
  };
  for (const req of [...poolRequirements, ...pods.flatMap(podRequirements)]) {
    const key = canonicalLabelKey(req.key);
    if (GPU_OR_ACCELERATOR_KEYS.has(key) && POSITIVE_OPERATORS.has(req.operator)) ask.accelerators = true;
    if (req.operator !== 'In') continue;
    const target = key === LABEL.size ? ask.sizes : key === LABEL.family ? ask.families : key === LABEL.instanceType ? ask.types : undefined;
    for (const value of req.values ?? []) target?.add(value);
  }
  return ask;
}

/** Metal, GPU and accelerator types are dear and scarce: only when a pod or the pool asks for them. */
function specialHardwareAllowed(type: InstanceTypeInfo, ask: SpecialHardwareAsk): boolean {
  if (ask.types.has(type.name) || ask.families.has(type.family)) return true;
  if (type.bareMetal && !ask.sizes.has(type.size)) return false;
  if ((type.gpu || type.accelerator) && !ask.accelerators) return false;
  return true;
}

/** Keys whose value differs between offerings of one instance type. */
const OFFERING_KEYS = new Set<string>([LABEL.zone, LABEL.region, LABEL.capacityType]);

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

/** Karpenter launches on-demand only when a NodePool says nothing about capacity type. */
function effectivePoolRequirements(requirements: Requirement[]): Requirement[] {
  const saysCapacityType = requirements.some((r) => canonicalLabelKey(r.key) === LABEL.capacityType);
  return saysCapacityType ? requirements : [...requirements, { key: LABEL.capacityType, operator: 'In', values: ['on-demand'] }];
}

function offeringKey(type: string, zone: string, capacityType?: CapacityType): string {
  return capacityType ? `${type}|${zone}|${capacityType}` : `${type}|${zone}`;
}

/** Latest price per (type, zone). */
function spotPriceIndex(prices: SpotPrice[]): Map<string, number> {
  const latest = new Map<string, { price: number; timestamp: string }>();
  for (const { instanceType, zone, price, timestamp } of prices) {
    const key = offeringKey(instanceType, zone);
    const seen = latest.get(key);
    if (!seen || timestamp >= seen.timestamp) latest.set(key, { price, timestamp });
  }
  const index = new Map<string, number>();
  for (const [key, { price }] of latest) index.set(key, price);
  return index;
}

function unavailableIndex(unavailable: UnavailableOffering[], now: Date): Set<string> {
  const nowMs = now.getTime();
  return new Set(
    unavailable
      .filter((u) => Date.parse(u.until) > nowMs)
      .map((u) => offeringKey(u.instanceType, u.zone, u.capacityType)),
  );
}

function describeTaint(taint: Taint): string {
  return `${taint.key}${taint.value !== undefined ? `=${taint.value}` : ''}:${taint.effect}`;
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

/** Keeps the cheapest types up to the cap, but first the cheapest type of each value minValues needs. */
function capInstanceTypes(ranked: Candidate[], minValueRequirements: Requirement[], exclusions: Exclusions): Candidate[] {
  const typeOrder = [...new Set(ranked.map((c) => c.instanceType))];
  if (typeOrder.length <= MAX_INSTANCE_TYPES) return ranked;
  const chosen = new Set<string>();
  for (const req of minValueRequirements) {
    const covered = new Set<string>();
    for (const c of ranked) {
      if (!chosen.has(c.instanceType)) continue;
      const value = labelValue(c.labels, req.key);
      if (value !== undefined) covered.add(value);
    }
    for (const c of ranked) {
      if (covered.size >= req.minValues!) break;
      const value = labelValue(c.labels, req.key);
      if (value === undefined || covered.has(value)) continue;
      covered.add(value);
      chosen.add(c.instanceType);
    }
  }
  for (const type of typeOrder) {
    if (chosen.size >= MAX_INSTANCE_TYPES) break;
    chosen.add(type);
  }
  exclusions.add(EXCLUSION.beyondTypeCap, typeOrder.length - chosen.size);
  return ranked.filter((c) => chosen.has(c.instanceType));
}

function checkMinValues(poolName: string, offerings: Candidate[], minValueRequirements: Requirement[]): void {
  for (const req of minValueRequirements) {
    const values = new Set(offerings.map((c) => labelValue(c.labels, req.key)).filter((v) => v !== undefined));
    if (values.size < req.minValues!) {
      throw new NoCompatibleOfferingError(
        `NodePool ${poolName} requires at least ${req.minValues} distinct values of ${req.key}, ` +
          `but the plan keeps only ${values.size} (${[...values].sort().join(', ') || 'none'})`,
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
  const kept = capInstanceTypes(ranked, minValueRequirements, exclusions);
  checkMinValues(nodePool.name, kept, minValueRequirements);

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
