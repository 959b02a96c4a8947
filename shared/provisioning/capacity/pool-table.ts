// Everything about one NodePool that does not depend on the pods: the instance types its
// requirements allow in the request's zones, what each offers to pods (CPU, memory, GPUs, pod
// slots, ephemeral storage) once the kubelet's reservations and the pool's DaemonSets are taken
// out, the priced offerings (recent capacity refusals left out) sorted once by price, and the
// pool's limits. Built once per plan.
import type { NodeClass, NodePool, Pod, Requirement } from '../../types.ts';
import { allocatable } from '../allocatable.ts';
import type { InstanceCatalog } from '../catalog/catalog.ts';
import { ephemeralStorageCapacityBytes } from '../ephemeral-storage.ts';
import { honoursSoftEviction } from '../launch-template.ts';
import { instanceTypeLabels, LABEL } from '../labels.ts';
import type { InstanceTypeInfo } from '../model.ts';
import {
  EXCLUSION, Exclusions, OFFERING_KEYS, effectivePoolRequirements, isSpecialHardware, offeringKey,
  specialHardwareAllowed, specialHardwareAsk, type SpecialHardwareAsk,
} from '../offering-rules.ts';
import { parseBytes, parseCpuMillis } from '../quantity.ts';
import { canonicalLabelKey, compilePodConstraints, compileRequirements, untoleratedTaint } from '../requirements.ts';
import { demandOf, type Demand } from '../resources.ts';

const MiB = 2 ** 20;

export interface PoolType {
  index: number;
  info: InstanceTypeInfo;
  /** Labels a node of this type in this pool carries, without zone and capacity type. */
  labels: Record<string, string>;
  special: boolean;
  /** What pods may use: allocatable less the DaemonSets that run on this type in this pool. */
  cpu: number;
  mem: number;
  gpus: number;
  pods: number;
  /** Ephemeral storage, bytes: the node class's nodefs volume less reservations and DaemonSets. */
  storage: number;
  daemonSetOverhead: Demand;
  /** Node capacity, what NodePool limits count. */
  capacityCpuMillis: number;
  capacityMemoryBytes: number;
  /** Zone bitmasks (bit i = request zone i) of offerings that are allowed, priced and not refused. */
  spotZones: number;
  odZones: number;
  /** Spot price per zone index; Infinity where there is none. */
  spotPrice: Float64Array;
  odPrice: number;
  /** Zone bitmasks of offerings left out because EC2 refused them for capacity a moment ago. */
  refusedSpot: number;
  refusedOd: number;
  /** Zone bitmasks of offerings the pool allows that are left out for want of a price. */
  unpricedSpot: number;
  unpricedOd: number;
}

/** Every usable offering of the pool, cheapest first (ties: spot, type name, zone), as parallel arrays. */
export interface SortedOfferings {
  length: number;
  type: Int32Array;
  zone: Uint8Array;
  spot: Uint8Array;
  price: Float64Array;
}

export interface PoolTable {
  index: number;
  pool: NodePool;
  nodeClass: NodeClass;
  types: PoolType[];
  offerings: SortedOfferings;
  /** Infinity when the pool sets no limit. */
  limits: { cpuMillis: number; memoryBytes: number };
  minValues: Requirement[];
  /** What the pool's own requirements ask for: lets special hardware onto a node with no pods. */
  ask: SpecialHardwareAsk;
  exclusions: Exclusions;
}

export interface PoolTableInput {
  region: string;
  zones: string[];
  catalog: InstanceCatalog;
  onDemandPrice: (region: string, type: string) => number | undefined;
  spotPrices: Map<string, number>;
  unavailable: Set<string>;
  daemonSets: Pod[];
}

function parseLimits(pool: NodePool): PoolTable['limits'] {
  const limits = { cpuMillis: Number.POSITIVE_INFINITY, memoryBytes: Number.POSITIVE_INFINITY };
  const cpu = pool.limits['cpu'];
  const memory = pool.limits['memory'];
  if (cpu !== undefined) limits.cpuMillis = parseCpuMillis(cpu, `NodePool ${pool.name} limits.cpu`);
  if (memory !== undefined) limits.memoryBytes = parseBytes(memory, `NodePool ${pool.name} limits.memory`);
  return limits;
}

function sortOfferings(types: PoolType[], zoneCount: number): SortedOfferings {
  const rows: Array<{ type: number; zone: number; spot: number; price: number }> = [];
  for (const t of types) {
    for (let z = 0; z < zoneCount; z++) {
      if (t.spotZones & (1 << z)) rows.push({ type: t.index, zone: z, spot: 1, price: t.spotPrice[z]! });
      if (t.odZones & (1 << z)) rows.push({ type: t.index, zone: z, spot: 0, price: t.odPrice });
    }
  }
  // Spot before on-demand at one price: an equal spot offering is not "dearer than on-demand".
  rows.sort((a, b) => a.price - b.price || b.spot - a.spot || a.type - b.type || a.zone - b.zone);
  const out: SortedOfferings = {
    length: rows.length,
    type: new Int32Array(rows.length),
    zone: new Uint8Array(rows.length),
    spot: new Uint8Array(rows.length),
    price: new Float64Array(rows.length),
  };
  rows.forEach((row, i) => {
    out.type[i] = row.type;
    out.zone[i] = row.zone;
    out.spot[i] = row.spot;
    out.price[i] = row.price;
  });
  return out;
}

/** Whether a DaemonSet's node selection reads a label that differs between a type's offerings. */
function readsOfferingLabels(ds: Pod): boolean {
  const keys = [...Object.keys(ds.nodeSelector), ...ds.requiredNodeAffinity.flatMap((term) => term.map((r) => r.key))];
  return keys.some((key) => OFFERING_KEYS.has(canonicalLabelKey(key)));
}

export function buildPoolTable(index: number, pool: NodePool, nodeClass: NodeClass, input: PoolTableInput): PoolTable {
  const { region, zones, catalog } = input;
  const exclusions = new Exclusions();
  const requirements = effectivePoolRequirements(pool.requirements);
  const typeLevel = compileRequirements(requirements.filter((r) => !OFFERING_KEYS.has(canonicalLabelKey(r.key))));
  const offeringLevel = compileRequirements(requirements.filter((r) => OFFERING_KEYS.has(canonicalLabelKey(r.key))));
  // Offering-level requirements read only zone, region and capacity type: one answer per (zone, capacity type).
  let poolSpot = 0;
  let poolOd = 0;
  zones.forEach((zone, z) => {
    const base = { [LABEL.region]: region, [LABEL.zone]: zone };
    if (offeringLevel({ ...base, [LABEL.capacityType]: 'spot' })) poolSpot |= 1 << z;
    if (offeringLevel({ ...base, [LABEL.capacityType]: 'on-demand' })) poolOd |= 1 << z;
  });
  const zoneIndex = new Map(zones.map((zone, z) => [zone, z]));
  const poolAsk = specialHardwareAsk([], pool.requirements);
  const daemonSets = input.daemonSets
    .filter((ds) => !untoleratedTaint(ds.tolerations, pool.taints))
    .map((ds) => ({ pod: ds, runsOn: compilePodConstraints(ds), perOffering: readsOfferingLabels(ds) }));
  const kubelet = nodeClass.kubelet;
  const countsSoftEviction = honoursSoftEviction(nodeClass);
  const types: PoolType[] = [];

  for (const info of catalog.types()) {
    const regionZones = catalog.zones(region, info.name);
    if (regionZones.length === 0) {
      exclusions.add(EXCLUSION.notOfferedInRegion);
      continue;
    }
    let offered = 0;
    for (const zone of regionZones) {
      const z = zoneIndex.get(zone);
      if (z !== undefined) offered |= 1 << z;
    }
    if (offered === 0) {
      exclusions.add(EXCLUSION.notOfferedInZones);
      continue;
    }
    // Object.assign rather than spread syntax: with these slash-keyed (dictionary-mode) objects the
    // spread took a third of the table's time (20,000 mixed pods: three tables 55 -> 31 ms).
    const labels: Record<string, string> = Object.assign({}, pool.labels, instanceTypeLabels(info));
    labels[LABEL.nodePool] = pool.name;
    labels[LABEL.region] = region;
    const capacityTypesAllowed = ((info.supportsSpot ? poolSpot : 0) | poolOd) & offered;
    if (!typeLevel(labels) || capacityTypesAllowed === 0) {
      exclusions.add(EXCLUSION.nodePoolRequirements);
      continue;
    }
    const special = isSpecialHardware(info);
    if (special && !specialHardwareAllowed(info, poolAsk)) exclusions.add(EXCLUSION.specialHardware);

    const spotPrice = new Float64Array(zones.length).fill(Number.POSITIVE_INFINITY);
    const odPrice = input.onDemandPrice(region, info.name) ?? Number.POSITIVE_INFINITY;
    let spotZones = 0;
    let odZones = 0;
    let refusedSpot = 0;
    let refusedOd = 0;
    let unpricedSpot = 0;
    let unpricedOd = 0;
    zones.forEach((zone, z) => {
      const bit = 1 << z;
      if (!(offered & bit)) return;
      if (info.supportsSpot && poolSpot & bit) {
        const price = input.spotPrices.get(offeringKey(info.name, zone));
        if (input.unavailable.has(offeringKey(info.name, zone, 'spot'))) {
          refusedSpot |= bit;
          exclusions.add(EXCLUSION.recentlyUnavailable);
        } else if (price === undefined) {
          unpricedSpot |= bit;
          exclusions.add(EXCLUSION.noSpotPrice);
        } else {
          spotZones |= bit;
          spotPrice[z] = price;
        }
      }
      if (poolOd & bit) {
        if (input.unavailable.has(offeringKey(info.name, zone, 'on-demand'))) {
          refusedOd |= bit;
          exclusions.add(EXCLUSION.recentlyUnavailable);
        } else if (!Number.isFinite(odPrice)) {
          unpricedOd |= bit;
          exclusions.add(EXCLUSION.noOnDemandPrice);
        } else {
          odZones |= bit;
        }
      }
    });

    // A DaemonSet counts on a type when it would run on any offering of it: the safe side. Most
    // select on no zone or capacity type, so one look at the type's labels answers for all offerings.
    const anyOffering = spotZones | refusedSpot | odZones | refusedOd;
    const running = daemonSets.filter(({ runsOn, perOffering }) =>
      !perOffering ? anyOffering !== 0 && runsOn(labels) : zones.some((zone, z) =>
        ((spotZones | refusedSpot) & (1 << z) && runsOn({ ...labels, [LABEL.zone]: zone, [LABEL.capacityType]: 'spot' })) ||
        ((odZones | refusedOd) & (1 << z) && runsOn({ ...labels, [LABEL.zone]: zone, [LABEL.capacityType]: 'on-demand' })),
      ),
    );
    const overhead = demandOf(running.map((ds) => ds.pod));
    const alloc = allocatable(info, kubelet, ephemeralStorageCapacityBytes(info, nodeClass), countsSoftEviction);
    const free = {
      cpu: alloc.cpuMillis - overhead.cpuMillis,
      mem: alloc.memoryBytes - overhead.memoryBytes,
      gpus: (alloc.gpus ?? 0) - overhead.gpus,
      pods: (alloc.pods ?? Number.POSITIVE_INFINITY) - overhead.pods,
      storage: (alloc.ephemeralStorageBytes ?? Number.POSITIVE_INFINITY) - (overhead.storageBytes ?? 0),
    };
    if (free.cpu < 0 || free.mem < 0 || free.gpus < 0 || free.pods < 1 || free.storage < 0) {
      exclusions.add(EXCLUSION.tooSmall);
      continue;
    }
    types.push({
      index: types.length,
      info,
      labels,
      special,
      ...free,
      daemonSetOverhead: overhead,
      capacityCpuMillis: info.vcpu * 1000,
      capacityMemoryBytes: info.memoryMiB * MiB,
      spotZones,
      odZones,
      spotPrice,
      odPrice,
      refusedSpot,
      refusedOd,
      unpricedSpot,
      unpricedOd,
    });
  }
  return {
    index,
    pool,
    nodeClass,
    types,
    offerings: sortOfferings(types, zones.length),
    limits: parseLimits(pool),
    minValues: pool.requirements.filter((r) => r.minValues !== undefined),
    ask: poolAsk,
    exclusions,
  };
}

/** Cheapest price among the type's offerings in the given zone masks; Infinity when none. */
export function bestPrice(type: PoolType, spotZones: number, odZones: number): number {
  let best = odZones !== 0 ? type.odPrice : Number.POSITIVE_INFINITY;
  for (let mask = spotZones, z = 0; mask !== 0; mask >>>= 1, z++) {
    if (mask & 1 && type.spotPrice[z]! < best) best = type.spotPrice[z]!;
  }
  return best;
}
