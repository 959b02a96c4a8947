// The compact shape of the committed catalog under generated/: written by generate.ts, read by
// catalog.ts. Positional rows keep the bundle small (every Lambda carries it); the column list
// travels in the file so the data stays readable without this module.

export const TYPE_COLUMNS = [
  'name', 'vcpu', 'memoryMiB', 'architecture', 'cpuManufacturer', 'hypervisor', 'flags',
  'maxEnis', 'ipv4PerEni', 'networkBandwidthGbps', 'ebsBandwidthMbps', 'localNvmeGiB', 'gpu', 'accelerator',
] as const;

/** [name, manufacturer, count, memoryMiB per GPU] */
export type GpuCell = [string, string, number, number];
/** [name, manufacturer, count] */
export type AcceleratorCell = [string, string, number];

/** Absent optional numbers are 0, absent strings '', absent gpu/accelerator 0 or cut off the end. */
export type TypeRow = [
  name: string, vcpu: number, memoryMiB: number, architecture: 'amd64' | 'arm64', cpuManufacturer: string,
  hypervisor: string, flags: number, maxEnis: number, ipv4PerEni: number, networkBandwidthGbps: number,
  ebsBandwidthMbps: number, localNvmeGiB: number, gpu?: GpuCell | 0, accelerator?: AcceleratorCell | 0,
];

export const FLAG = {
  bareMetal: 1,
  burstable: 2,
  currentGeneration: 4,
  supportsSpot: 8,
  encryptionInTransit: 16,
} as const;

export interface CompactInstanceTypes {
  source: string;
  columns: readonly string[];
  types: TypeRow[];
}

/** region -> instance type -> zone suffix letters ("abd" = <region>a, <region>b, <region>d). */
export interface CompactOfferings {
  source: string;
  regions: Record<string, Record<string, string>>;
}

export interface CompactPrices {
  source: string;
  /** Date of the price snapshot (YYYY-MM-DD). */
  snapshot: string;
  currency: string;
  /** region -> instance type -> USD per hour. */
  onDemand: Record<string, Record<string, number>>;
}
