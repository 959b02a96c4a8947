// Validates a capacity request and compiles what every later step reads: the zones, the pools
// (highest weight first) with their types and offerings, the pod classes, their topology rules
// and which pools and types each class accepts. Shared by planCapacity and costLowerBound.
import { InvalidInputError } from '../../errors.ts';
import { catalog as snapshotCatalog, type InstanceCatalog } from '../catalog/catalog.ts';
import { regionOfZone } from '../labels.ts';
import { spotPriceIndex, unavailableIndex } from '../offering-rules.ts';
import { onDemandPrice as snapshotOnDemandPrice } from '../pricing.ts';
import { validateRequirement } from '../requirements.ts';
import { fitClassToPool, type ClassFit } from './class-fit.ts';
import type { CapacityRequest, PlannerOptions } from './model.ts';
import { groupPods, validatePods, type PodClass } from './pod-classes.ts';
import { buildPoolTable, type PoolTable } from './pool-table.ts';
import { compileTopology, groupCount, type ClassTopology } from './topology.ts';

/** Zones are bits of a 32-bit mask. */
const MAX_ZONES = 30;

export interface PlanningSetup {
  region: string;
  zones: string[];
  /** Every zone as a mask (bit i = zones[i]); 0 with no zones. */
  allZones: number;
  /** Highest weight first; ties by name. */
  pools: PoolTable[];
  classes: PodClass[];
  topologies: ClassTopology[];
  groupCount: number;
  /** fits[class][pool]: undefined when the class cannot use the pool. */
  fits: Array<Array<ClassFit | undefined>>;
  /** Why each class cannot use the pools it cannot use. */
  poolReasons: string[][];
}

function validateRequest(request: CapacityRequest, cat: InstanceCatalog): void {
  if (!(request.now instanceof Date) || Number.isNaN(request.now.getTime())) {
    throw new InvalidInputError(`now must be a valid Date, got ${String(request.now)}`);
  }
  if (!cat.regions().includes(request.region)) {
    throw new InvalidInputError(`region "${request.region}" is not in the instance catalog (known: ${cat.regions().join(', ')})`);
  }
  for (const zone of request.zones ?? []) {
    if (regionOfZone(zone) !== request.region) {
      throw new InvalidInputError(`zones: "${zone}" is not a zone of region ${request.region}`);
    }
  }
  const poolNames = new Set<string>();
  request.nodePools.forEach((pool, i) => {
    if (!pool.name) throw new InvalidInputError(`nodePools[${i}].name must not be empty`);
    if (poolNames.has(pool.name)) throw new InvalidInputError(`nodePools[${i}]: NodePool ${pool.name} is listed twice`);
    poolNames.add(pool.name);
    if (!Number.isFinite(pool.weight)) throw new InvalidInputError(`NodePool ${pool.name} weight must be a number, got ${pool.weight}`);
    for (const req of pool.requirements) validateRequirement(req);
  });
  validatePods(request.pods, 'pods');
  validatePods(request.daemonSets, 'daemonSets');
}

function requestZones(request: CapacityRequest, cat: InstanceCatalog): string[] {
  let zones: string[];
  if (request.zones) {
    zones = [...new Set(request.zones)].sort();
  } else {
    const all = new Set<string>();
    for (const type of cat.types()) for (const zone of cat.zones(request.region, type.name)) all.add(zone);
    zones = [...all].sort();
  }
  if (zones.length > MAX_ZONES) throw new InvalidInputError(`zones: at most ${MAX_ZONES} zones can be planned at once, got ${zones.length}`);
  return zones;
}

export function preparePlanning(request: CapacityRequest, options: PlannerOptions = {}): PlanningSetup {
  const cat = options.catalog ?? snapshotCatalog();
  validateRequest(request, cat);
  const zones = requestZones(request, cat);
  const classesByName = new Map(request.nodeClasses.map((nc) => [nc.name, nc]));
  const tableInput = {
    region: request.region,
    zones,
    catalog: cat,
    onDemandPrice: options.onDemandPrice ?? snapshotOnDemandPrice,
    spotPrices: spotPriceIndex(request.spotPrices),
    unavailable: unavailableIndex(request.unavailable, request.now),
    daemonSets: request.daemonSets,
  };
  const ordered = [...request.nodePools].sort((a, b) => b.weight - a.weight || a.name.localeCompare(b.name));
  const pools = ordered.map((pool, index) => {
    const nodeClass = classesByName.get(pool.nodeClassRef.name);
    if (!nodeClass) {
      throw new InvalidInputError(
        `NodePool ${pool.name} nodeClassRef.name: "${pool.nodeClassRef.name}" matches no node class (known: ${[...classesByName.keys()].join(', ') || 'none'})`,
      );
    }
    return buildPoolTable(index, pool, nodeClass, tableInput);
  });

  const classes = groupPods(request.pods);
  const topologies = compileTopology(classes);
  // Classes that select nodes alike (same nodeSelector, affinity, tolerations) share a fit per pool.
  const fitCache = new Map<string, ReturnType<typeof fitClassToPool>>();
  const fits: Array<Array<ClassFit | undefined>> = [];
  const poolReasons: string[][] = [];
  for (const cls of classes) {
    const row: Array<ClassFit | undefined> = [];
    const reasons: string[] = [];
    for (const table of pools) {
      const key = `${table.index}\u0000${cls.placementKey}\u0000${JSON.stringify(cls.template.tolerations)}`;
      let result = fitCache.get(key);
      if (!result) {
        result = fitClassToPool(cls.template, table, zones);
        fitCache.set(key, result);
      }
      if ('fit' in result) row.push(result.fit);
      else {
        row.push(undefined);
        reasons.push(result.reason);
      }
    }
    fits.push(row);
    poolReasons.push(reasons);
  }
  return { region: request.region, zones, allZones: 2 ** zones.length - 1, pools, classes, topologies, groupCount: groupCount(topologies), fits, poolReasons };
}
