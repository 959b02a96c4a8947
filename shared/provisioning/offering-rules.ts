// The selection rules every plan applies, shared by the one-node replacement (`planReplacement`)
// and the multi-node planner (`planCapacity`): which types count as special hardware, the
// on-demand default of a pool, latest spot prices, recent capacity refusals, the 60-type cap
// with `minValues` kept, and the tally of what was left out and why.
import { NoCompatibleOfferingError } from '../errors.ts';
import type { CapacityType, Pod, Requirement, SpotPrice, Taint, UnavailableOffering } from '../types.ts';
import { LABEL } from './labels.ts';
import type { InstanceTypeInfo } from './model.ts';
import { canonicalLabelKey, labelValue } from './requirements.ts';

/** Karpenter's cap on instance types per launch: CreateFleet overrides stay few and fast. */
export const MAX_INSTANCE_TYPES = 60;

/**
 * Reasons in the order they are checked, one per instance type and then one per offering of the
 * types that pass; `excluded` reports them in this order.
 */
export const EXCLUSION = {
  notOfferedInRegion: 'instance type not offered in the region',
  notOfferedInZones: "instance type not offered in the node class's zones",
  nodePoolRequirements: 'instance type excluded by NodePool requirements',
  podConstraints: "instance type excluded by the pods' nodeSelector/affinity",
  specialHardware: 'metal, GPU or accelerator type no pod asked for',
  tooSmall: 'instance type too small for the pods and DaemonSets',
  beyondPoolLimits: 'instance type larger than the NodePool limits allow',
  recentlyUnavailable: 'offering recently refused for capacity',
  noSpotPrice: 'spot offering without a spot price',
  noOnDemandPrice: 'on-demand offering without a price',
  spotDearerThanOnDemand: 'spot offering dearer than the cheapest on-demand offering',
  otherCapacityType: 'offering of the capacity type not chosen',
  beyondTypeCap: `instance type beyond the ${MAX_INSTANCE_TYPES} cheapest`,
} as const;
export type ExclusionReason = (typeof EXCLUSION)[keyof typeof EXCLUSION];

export class Exclusions {
  private readonly counts = new Map<string, number>(Object.values(EXCLUSION).map((r) => [r, 0]));
  add(reason: ExclusionReason, count = 1): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + count);
  }
  get(reason: ExclusionReason): number {
    return this.counts.get(reason) ?? 0;
  }
  /** Adds the other tally's counts, but for the reasons listed in `except`. */
  merge(other: Exclusions, except: readonly ExclusionReason[] = []): void {
    for (const [reason, count] of other.counts) {
      if (!(except as readonly string[]).includes(reason)) this.counts.set(reason, (this.counts.get(reason) ?? 0) + count);
    }
  }
  list(): Array<{ reason: string; count: number }> {
    return [...this.counts].filter(([, count]) => count > 0).map(([reason, count]) => ({ reason, count }));
  }
  summary(): string {
    return this.list().map(({ reason, count }) => `${count} x ${reason}`).join('; ');
  }
}

const GPU_OR_ACCELERATOR_KEYS = new Set<string>([
  LABEL.gpuName, LABEL.gpuManufacturer, LABEL.gpuCount, LABEL.gpuMemory,
  LABEL.acceleratorName, LABEL.acceleratorManufacturer, LABEL.acceleratorCount,
]);
const POSITIVE_OPERATORS = new Set(['In', 'Exists', 'Gt', 'Gte']);

/** What the pods and the pool explicitly ask for, which lets special hardware into the plan. */
export interface SpecialHardwareAsk {
  accelerators: boolean;
  sizes: Set<string>;
  families: Set<string>;
  types: Set<string>;
}

/** nodeSelector entries as `In` requirements, followed by every term of the required node affinity. */
export function podRequirements(pod: Pick<Pod, 'nodeSelector' | 'requiredNodeAffinity'>): Requirement[] {
  const fromSelector: Requirement[] = Object.entries(pod.nodeSelector).map(([key, value]) => ({ key, operator: 'In', values: [value] }));
  return [...fromSelector, ...pod.requiredNodeAffinity.flat()];
}

export function specialHardwareAsk(pods: Array<Pick<Pod, 'nodeSelector' | 'requiredNodeAffinity' | 'requests'>>, poolRequirements: Requirement[]): SpecialHardwareAsk {
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

export function isSpecialHardware(type: InstanceTypeInfo): boolean {
  return type.bareMetal || type.gpu !== undefined || type.accelerator !== undefined;
}

/** Metal, GPU and accelerator types are dear and scarce: only when a pod or the pool asks for them. */
export function specialHardwareAllowed(type: InstanceTypeInfo, ask: SpecialHardwareAsk): boolean {
  if (ask.types.has(type.name) || ask.families.has(type.family)) return true;
  if (type.bareMetal && !ask.sizes.has(type.size)) return false;
  if ((type.gpu || type.accelerator) && !ask.accelerators) return false;
  return true;
}

/** Keys whose value differs between offerings of one instance type. */
export const OFFERING_KEYS = new Set<string>([LABEL.zone, LABEL.region, LABEL.capacityType]);

/** Karpenter launches on-demand only when a NodePool says nothing about capacity type. */
export function effectivePoolRequirements(requirements: Requirement[]): Requirement[] {
  const saysCapacityType = requirements.some((r) => canonicalLabelKey(r.key) === LABEL.capacityType);
  return saysCapacityType ? requirements : [...requirements, { key: LABEL.capacityType, operator: 'In', values: ['on-demand'] }];
}

export function offeringKey(type: string, zone: string, capacityType?: CapacityType): string {
  return capacityType ? `${type}|${zone}|${capacityType}` : `${type}|${zone}`;
}

/** Latest price per (type, zone). */
export function spotPriceIndex(prices: SpotPrice[]): Map<string, number> {
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

/** Offerings whose refusal has not expired at `now`, keyed by offeringKey(type, zone, capacityType). */
export function unavailableIndex(unavailable: UnavailableOffering[], now: Date): Set<string> {
  const nowMs = now.getTime();
  return new Set(
    unavailable
      .filter((u) => Date.parse(u.until) > nowMs)
      .map((u) => offeringKey(u.instanceType, u.zone, u.capacityType)),
  );
}

export function describeTaint(taint: Taint): string {
  return `${taint.key}${taint.value !== undefined ? `=${taint.value}` : ''}:${taint.effect}`;
}

/**
 * Keeps the cheapest types up to the cap, but first the cheapest type of each value minValues
 * needs. `ranked` is best first; returns the kept offerings in the same order and how many
 * types were dropped.
 */
export function capInstanceTypes<T extends { instanceType: string }>(
  ranked: T[], minValueRequirements: Requirement[], labelsOf: (candidate: T) => Record<string, string>,
): { kept: T[]; droppedTypes: number } {
  const typeOrder = [...new Set(ranked.map((c) => c.instanceType))];
  if (typeOrder.length <= MAX_INSTANCE_TYPES) return { kept: ranked, droppedTypes: 0 };
  const chosen = new Set<string>();
  for (const req of minValueRequirements) {
    const covered = new Set<string>();
    for (const c of ranked) {
      if (!chosen.has(c.instanceType)) continue;
      const value = labelValue(labelsOf(c), req.key);
      if (value !== undefined) covered.add(value);
    }
    for (const c of ranked) {
      if (covered.size >= req.minValues!) break;
      const value = labelValue(labelsOf(c), req.key);
      if (value === undefined || covered.has(value)) continue;
      covered.add(value);
      chosen.add(c.instanceType);
    }
  }
  for (const type of typeOrder) {
    if (chosen.size >= MAX_INSTANCE_TYPES) break;
    chosen.add(type);
  }
  return { kept: ranked.filter((c) => chosen.has(c.instanceType)), droppedTypes: typeOrder.length - chosen.size };
}

/** The first minValues requirement the offerings fail, as a sentence; undefined when all hold. */
export function minValuesShortfall<T>(
  poolName: string, offerings: T[], minValueRequirements: Requirement[], labelsOf: (candidate: T) => Record<string, string>,
): string | undefined {
  for (const req of minValueRequirements) {
    const values = new Set(offerings.map((c) => labelValue(labelsOf(c), req.key)).filter((v) => v !== undefined));
    if (values.size < req.minValues!) {
      return `NodePool ${poolName} requires at least ${req.minValues} distinct values of ${req.key}, ` +
        `but the plan keeps only ${values.size} (${[...values].sort().join(', ') || 'none'})`;
    }
  }
  return undefined;
}

export function checkMinValues<T>(
  poolName: string, offerings: T[], minValueRequirements: Requirement[], labelsOf: (candidate: T) => Record<string, string>,
): void {
  const shortfall = minValuesShortfall(poolName, offerings, minValueRequirements, labelsOf);
  if (shortfall) throw new NoCompatibleOfferingError(shortfall);
}
