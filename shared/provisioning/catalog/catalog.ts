// The instance catalog at run time: the generated snapshot, imported as JSON so esbuild bundles
// it into each Lambda (no file reads, no network). Decoded once, on first use.
import typesData from './generated/instance-types.json' with { type: 'json' };
import offeringsData from './generated/offerings.json' with { type: 'json' };
import { InvalidInputError } from '../../errors.ts';
import type { InstanceTypeInfo } from '../model.ts';
import { parseInstanceTypeName } from './names.ts';
import { FLAG, type CompactInstanceTypes, type CompactOfferings, type TypeRow } from './format.ts';

export interface InstanceCatalog {
  /** Every EKS-capable instance type, sorted by name. */
  types(): InstanceTypeInfo[];
  /** The type by name; undefined when the catalog does not know it. */
  get(name: string): InstanceTypeInfo | undefined;
  /** Zones of the region where the type is offered, sorted; empty when it is not offered there. Throws InvalidInputError for a region the catalog does not cover. */
  zones(region: string, type: string): string[];
  /** Regions with offering data, sorted. */
  regions(): string[];
}

export function decodeTypeRow(row: TypeRow): InstanceTypeInfo {
  const [name, vcpu, memoryMiB, architecture, cpuManufacturer, hypervisor, flags, maxEnis, ipv4PerEni,
    networkBandwidthGbps, ebsBandwidthMbps, localNvmeGiB, gpu, accelerator] = row;
  const info: InstanceTypeInfo = {
    name,
    ...parseInstanceTypeName(name),
    vcpu,
    memoryMiB,
    architecture,
    hypervisor,
    bareMetal: (flags & FLAG.bareMetal) !== 0,
    burstable: (flags & FLAG.burstable) !== 0,
    currentGeneration: (flags & FLAG.currentGeneration) !== 0,
    supportsSpot: (flags & FLAG.supportsSpot) !== 0,
    encryptionInTransitSupported: (flags & FLAG.encryptionInTransit) !== 0,
    maxEnis,
    ipv4PerEni,
  };
  if (cpuManufacturer) info.cpuManufacturer = cpuManufacturer;
  if (networkBandwidthGbps) info.networkBandwidthGbps = networkBandwidthGbps;
  if (ebsBandwidthMbps) info.ebsBandwidthMbps = ebsBandwidthMbps;
  if (localNvmeGiB) info.localNvmeGiB = localNvmeGiB;
  if (gpu) info.gpu = { name: gpu[0], manufacturer: gpu[1], count: gpu[2], memoryMiB: gpu[3] };
  if (accelerator) info.accelerator = { name: accelerator[0], manufacturer: accelerator[1], count: accelerator[2] };
  return info;
}

class SnapshotCatalog implements InstanceCatalog {
  private readonly list: InstanceTypeInfo[];
  private readonly byName: Map<string, InstanceTypeInfo>;
  private readonly zoneCache = new Map<string, string[]>();

  constructor(types: CompactInstanceTypes, private readonly offerings: CompactOfferings) {
    this.list = types.types.map(decodeTypeRow);
    this.byName = new Map(this.list.map((t) => [t.name, t]));
  }

  types(): InstanceTypeInfo[] {
    return this.list;
  }

  get(name: string): InstanceTypeInfo | undefined {
    return this.byName.get(name);
  }

  zones(region: string, type: string): string[] {
    const table = this.offerings.regions[region];
    if (!table) {
      throw new InvalidInputError(`region "${region}" is not in the instance catalog (known: ${this.regions().join(', ')})`);
    }
    const key = `${region}/${type}`;
    let zones = this.zoneCache.get(key);
    if (!zones) {
      zones = [...(table[type] ?? '')].map((letter) => `${region}${letter}`);
      this.zoneCache.set(key, zones);
    }
    return zones;
  }

  regions(): string[] {
    return Object.keys(this.offerings.regions).sort();
  }
}

let shared: InstanceCatalog | undefined;

/** The catalog built from the committed snapshot; the same object on every call. */
export function catalog(): InstanceCatalog {
  shared ??= new SnapshotCatalog(typesData as unknown as CompactInstanceTypes, offeringsData as unknown as CompactOfferings);
  return shared;
}
