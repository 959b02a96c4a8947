// Catalogs built from values rather than the committed snapshot: a tiny hand-written catalog for
// table tests, synthetic types for benchmarks, or the snapshot narrowed to a subset of types.
import { InvalidInputError } from '../../errors.ts';
import type { InstanceTypeInfo } from '../model.ts';
import type { InstanceCatalog } from './catalog.ts';

/** region -> instance type -> zones offering it. */
export type OfferingTable = Record<string, Record<string, string[]>>;

export function inMemoryCatalog(types: InstanceTypeInfo[], offerings: OfferingTable): InstanceCatalog {
  const sorted = [...types].sort((a, b) => a.name.localeCompare(b.name));
  const byName = new Map(sorted.map((t) => [t.name, t]));
  if (byName.size !== sorted.length) throw new InvalidInputError('inMemoryCatalog: instance type names must be unique');
  const regions = Object.keys(offerings).sort();
  return {
    types: () => sorted,
    get: (name) => byName.get(name),
    zones(region, type) {
      const table = offerings[region];
      if (!table) throw new InvalidInputError(`region "${region}" is not in the instance catalog (known: ${regions.join(', ')})`);
      return [...(table[type] ?? [])].sort();
    },
    regions: () => regions,
  };
}

/** The same catalog with only the types `keep` accepts. */
export function filteredCatalog(base: InstanceCatalog, keep: (type: InstanceTypeInfo) => boolean): InstanceCatalog {
  const types = base.types().filter(keep);
  const names = new Set(types.map((t) => t.name));
  return {
    types: () => types,
    get: (name) => (names.has(name) ? base.get(name) : undefined),
    zones(region, type) {
      const zones = base.zones(region, type); // still refuses a region the base does not know
      return names.has(type) ? zones : [];
    },
    regions: () => base.regions(),
  };
}
