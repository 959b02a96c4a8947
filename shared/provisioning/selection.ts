// Decides where the pods of one node go next: which instance types, zones and capacity type to
// ask EC2 for, cheapest first. A pure function of its input; time comes in as `now`. It is the
// multi-node planner's machinery (capacity/setup.ts, pool-table.ts, node-offerings.ts) run for
// a single node that takes every pod: the workflow launches exactly one replacement per
// interrupted node, so the pods are never split. Only the questions a one-node answer adds live
// here: which pod a taint keeps out, and whether "nothing fits" is for good or only until recent
// capacity refusals expire.
import { CapacityUnavailableError, InvalidInputError, NoCompatibleOfferingError } from '../errors.ts';
import type { CapacityType, NodePool } from '../types.ts';
import { catalog } from './catalog/catalog.ts';
import type { ClassFit } from './capacity/class-fit.ts';
import type { CapacityRequest, PlannerOptions } from './capacity/model.ts';
import { nodeOfferings, pricedOffering, type NodeOfferings } from './capacity/node-offerings.ts';
import { zonesForMovingPods, type PlacedPod, type ZoneChoice } from './existing-topology.ts';
import { absorbableSpreadPods } from './existing-room.ts';
import { validatePods } from './capacity/pod-classes.ts';
import { preparePlanning } from './capacity/setup.ts';
import { instanceTypeLabels, LABEL } from './labels.ts';
import type { ReplacementInput, ReplacementPlan } from './model.ts';
import {
  EXCLUSION, Exclusions, MAX_INSTANCE_TYPES, describeTaint, effectivePoolRequirements, specialHardwareAsk,
} from './offering-rules.ts';
import { compileRequirements, untoleratedTaint } from './requirements.ts';
import { demandOf, describeDemand } from './resources.ts';

export { EXCLUSION, MAX_INSTANCE_TYPES };

function capacityRequest(input: ReplacementInput, zones: string[], unavailable = input.unavailable): CapacityRequest {
  return {
    pods: input.pods,
    daemonSets: input.daemonSetPods,
    // The input pairs the pool with its node class already: bind them by name whatever the ref says.
    nodePools: [{ ...input.nodePool, nodeClassRef: { ...input.nodePool.nodeClassRef, name: input.nodeClass.name } }],
    nodeClasses: [input.nodeClass],
    region: input.region,
    zones,
    spotPrices: input.spotPrices,
    unavailable,
    now: input.now,
  };
}

/** Reasons the pool table counts without knowing the pods; the one node counts them itself. */
const COUNTED_PER_NODE = [EXCLUSION.specialHardware, EXCLUSION.recentlyUnavailable, EXCLUSION.noSpotPrice, EXCLUSION.noOnDemandPrice];

/** One node for all the pods, and its offerings; `tally` counts what was left out and why. */
function planOneNode(request: CapacityRequest, options: PlannerOptions, tally: Exclusions): NodeOfferings {
  const setup = preparePlanning(request, options);
  const pool = setup.pools[0]!;
  tally.merge(pool.exclusions, COUNTED_PER_NODE);
  // A class no usable type suits (say, every type its selector allows is unpriced) accepts nothing.
  const none: ClassFit = {
    compat: new Uint8Array(pool.types.length), spot: new Int32Array(pool.types.length), od: new Int32Array(pool.types.length), zones: 0,
  };
  const fits = setup.classes.map((cls) => setup.fits[cls.index]![0] ?? none);
  const demand = demandOf(request.pods);
  const node = {
    pool,
    zoneLimit: setup.allZones,
    cpu: demand.cpuMillis,
    mem: demand.memoryBytes,
    gpus: demand.gpus,
    pods: demand.pods,
    storage: demand.storageBytes ?? 0,
  };
  // A node larger than the pool's whole limit would breach it whatever else the pool runs.
  const ceiling = { cpu: pool.limits.cpuMillis, mem: pool.limits.memoryBytes };
  const ask = specialHardwareAsk(request.pods, pool.pool.requirements);
  return nodeOfferings(setup, node, fits, ceiling, { tally, ask });
}

/**
 * The zones the moving pods' topology leaves, counting the pods nodes that stay could take (if
 * the caller listed them) as placed there rather than moving: a few spread pods then no longer
 * pin the whole replacement to their zone.
 */
function zonesFollowed(input: ReplacementInput, placed: PlacedPod[]): ZoneChoice {
  const choice = zonesForMovingPods(input.pods, placed, input.zones);
  if (!input.existingNodes || choice.unsatisfiable || choice.zones.length === input.zones.length) return choice;
  const absorbed = absorbableSpreadPods(input.pods, placed, input.existingNodes, input.zones);
  if (absorbed.length === 0) return choice;
  const staying = new Set(absorbed.map((p) => p.pod));
  const relaxed = zonesForMovingPods(input.pods.filter((p) => !staying.has(p)), [...placed, ...absorbed], input.zones);
  if (relaxed.unsatisfiable || relaxed.zones.length <= choice.zones.length) return choice;
  const where = [...new Set(absorbed.map((p) => p.zone))].sort().join(', ');
  return {
    zones: relaxed.zones,
    reasons: [
      ...relaxed.reasons,
      `${absorbed.length} of the moving pods fit nodes that stay (in ${where}): their zone spread no longer narrows the replacement's zones (${choice.zones.join(', ')} without them)`,
    ],
  };
}

export function planReplacement(input: ReplacementInput, options: PlannerOptions = {}): ReplacementPlan {
  // Named after the input's own fields before the planner checks them again under its names.
  validatePods(input.pods, 'pods');
  validatePods(input.daemonSetPods, 'daemonSetPods');
  const { nodePool, pods } = input;
  // Where the pods that stay leave room for these: a zone their spread or affinity refuses would
  // get a node the evicted pods cannot be scheduled on.
  const choice = input.placedPods ? zonesFollowed(input, input.placedPods) : undefined;
  const zones = choice?.zones ?? input.zones;
  const request = capacityRequest(input, zones);
  const excluded = new Exclusions();
  const { offerings, shortfall } = planOneNode(request, options, excluded);

  for (const pod of pods) {
    const taint = untoleratedTaint(pod.tolerations, nodePool.taints);
    if (taint) {
      throw new NoCompatibleOfferingError(
        `pod ${pod.namespace}/${pod.name} does not tolerate taint ${describeTaint(taint)} of NodePool ${nodePool.name}`,
      );
    }
  }
  const first = offerings[0];
  if (!first) {
    const nothingFits = `no instance type in NodePool ${nodePool.name} fits ${pods.length} ${pods.length === 1 ? 'pod' : 'pods'}` +
      ` needing ${describeDemand(demandOf(pods))} in ${input.region} (zones ${zones.join(', ') || 'none'})`;
    // Worth planning again later only if the refusals alone stand in the way: plan without them.
    if (input.unavailable.length > 0 && planOneNode(capacityRequest(input, zones, []), options, new Exclusions()).offerings.length > 0) {
      throw new CapacityUnavailableError(`${nothingFits}: every fitting offering is recently unavailable; ${excluded.summary()}`);
    }
    throw new NoCompatibleOfferingError(`${nothingFits}: ${excluded.summary()}`);
  }
  if (shortfall) throw new NoCompatibleOfferingError(shortfall);
  return {
    capacityType: first.capacityType,
    offerings: offerings.map(pricedOffering),
    excluded: excluded.list(),
    ...(choice && choice.reasons.length > 0 ? { zones: { allowed: choice.zones, reasons: choice.reasons } } : {}),
  };
}

/**
 * Instance types the NodePool's requirements allow in the region for one capacity type, sorted;
 * empty when the pool does not allow that capacity type. Lets a caller fetch spot prices for
 * just the types that could be planned, before it knows the pods.
 */
export function candidateInstanceTypes(
  nodePool: NodePool, region: string, capacityType: CapacityType, options: Pick<PlannerOptions, 'catalog'> = {},
): string[] {
  const cat = options.catalog ?? catalog();
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
