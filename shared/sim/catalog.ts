// The simulated region's view of instance types, drawn from the provisioning core's catalog and
// price model: on-demand prices from the snapshot, spot prices from the seeded model (the same
// function the CLI uses without an AWS account), offerings per zone from the snapshot.

import { catalog, onDemandPrice, simulatedSpotPrices, type InstanceTypeInfo } from '../provisioning/index.ts';
import type { SpotPrice } from '../types.ts';
import type { Ec2Catalog } from './ec2.ts';

export interface SimCatalog extends Ec2Catalog {
  typeInfo(instanceType: string): InstanceTypeInfo | undefined;
  /** Zones of the region that offer the type. */
  zonesOffering(instanceType: string): string[];
  regions(): string[];
  /** Every zone of the region that offers at least one instance type. */
  regionZones(): string[];
}

export function simCatalog(region: string, seed: number): SimCatalog {
  const types = catalog();
  if (!types.regions().includes(region)) {
    throw new RangeError(`region "${region}" is not in the instance catalog (known: ${types.regions().join(', ')})`);
  }
  let spotByType: Map<string, SpotPrice[]> | undefined;
  // Drawn once for the whole region: the model is deterministic, and CreateFleet asks often.
  const spotIndex = (): Map<string, SpotPrice[]> => {
    if (!spotByType) {
      spotByType = new Map();
      for (const price of simulatedSpotPrices(region, seed)) {
        const list = spotByType.get(price.instanceType) ?? [];
        list.push(price);
        spotByType.set(price.instanceType, list);
      }
    }
    return spotByType;
  };
  return {
    onDemandPrice: (instanceType) => onDemandPrice(region, instanceType),
    spotPrices: (instanceTypes) => {
      const index = spotIndex();
      const names = instanceTypes ?? [...index.keys()];
      return names.flatMap((name) => (index.get(name) ?? []).map((p) => ({ ...p })));
    },
    offered: (instanceType, zone) => types.zones(region, instanceType).includes(zone),
    typeInfo: (instanceType) => types.get(instanceType),
    zonesOffering: (instanceType) => types.zones(region, instanceType),
    regions: () => types.regions(),
    regionZones: () => [...new Set(types.types().flatMap((t) => types.zones(region, t.name)))].sort(),
  };
}
