// Builds the compact committed catalog (generated/*.json) from the AWS reference snapshot:
// DescribeInstanceTypes, DescribeInstanceTypeOfferings per region and on-demand prices.
// Run with `npm run catalog`; the data directory defaults to ../shared/data/ec2 relative to the
// repository root and can be set with `--data <dir>` or NODEWRIGHT_EC2_DATA.
// This is the only code that reads the reference snapshot; everything else imports generated/.
import { readFileSync, readdirSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseInstanceTypeName } from './names.ts';
import {
  FLAG, TYPE_COLUMNS,
  type AcceleratorCell, type CompactInstanceTypes, type CompactOfferings, type CompactPrices, type GpuCell, type TypeRow,
} from './format.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '../../..');

/** The subset of EC2's InstanceTypeInfo the catalog reads. */
export interface Ec2InstanceTypeInfo {
  InstanceType: string;
  BareMetal?: boolean;
  BurstablePerformanceSupported?: boolean;
  CurrentGeneration?: boolean;
  Hypervisor?: string;
  SupportedUsageClasses?: string[];
  ProcessorInfo?: { SupportedArchitectures?: string[]; Manufacturer?: string };
  VCpuInfo?: { DefaultVCpus?: number };
  MemoryInfo?: { SizeInMiB?: number };
  NetworkInfo?: {
    DefaultNetworkCardIndex?: number;
    Ipv4AddressesPerInterface?: number;
    EncryptionInTransitSupported?: boolean;
    NetworkCards?: Array<{ NetworkCardIndex?: number; MaximumNetworkInterfaces?: number; BaselineBandwidthInGbps?: number }>;
  };
  EbsInfo?: { EbsOptimizedSupport?: string; EbsOptimizedInfo?: { MaximumBandwidthInMbps?: number } };
  InstanceStorageInfo?: { NvmeSupport?: string; TotalSizeInGB?: number };
  GpuInfo?: { Gpus?: Array<{ Name?: string; Manufacturer?: string; Count?: number; MemoryInfo?: { SizeInMiB?: number } }> };
  InferenceAcceleratorInfo?: { Accelerators?: Array<{ Name?: string; Manufacturer?: string; Count?: number }> };
  NeuronInfo?: { NeuronDevices?: Array<{ Name?: string; Count?: number }> };
}

// Karpenter lower-cases and kebab-cases GPU and accelerator names ("RTX PRO 4500" -> "rtx-pro-4500").
const kebab = (s: string): string => s.toLowerCase().replaceAll(' ', '-');

/** EKS nodes run Linux on amd64 or arm64; i386-only and Mac types cannot be nodes. */
function kubeArchitecture(info: Ec2InstanceTypeInfo): 'amd64' | 'arm64' | undefined {
  const archs = info.ProcessorInfo?.SupportedArchitectures ?? [];
  if (archs.includes('x86_64')) return 'amd64';
  if (archs.includes('arm64')) return 'arm64';
  return undefined;
}

function required<T>(value: T | undefined, type: string, field: string): T {
  if (value === undefined || value === null) throw new Error(`instance type ${type}: field ${field} is missing`);
  return value;
}

/** One compact row, or undefined when the type cannot be an EKS node. */
export function compactInstanceType(info: Ec2InstanceTypeInfo): TypeRow | undefined {
  const name = info.InstanceType;
  const architecture = kubeArchitecture(info);
  if (!architecture) return undefined;
  parseInstanceTypeName(name); // fail the generation now rather than at run time
  const network = required(info.NetworkInfo, name, 'NetworkInfo');
  const cards = required(network.NetworkCards, name, 'NetworkInfo.NetworkCards');
  const defaultCardIndex = network.DefaultNetworkCardIndex ?? 0;
  const defaultCard = cards.find((c) => (c.NetworkCardIndex ?? 0) === defaultCardIndex) ?? cards[0];
  const maxEnis = required(defaultCard?.MaximumNetworkInterfaces, name, 'NetworkCards[default].MaximumNetworkInterfaces');
  const bandwidthGbps = cards.reduce((sum, c) => sum + (c.BaselineBandwidthInGbps ?? 0), 0);
  const flags =
    (info.BareMetal ? FLAG.bareMetal : 0) |
    (info.BurstablePerformanceSupported ? FLAG.burstable : 0) |
    (info.CurrentGeneration ? FLAG.currentGeneration : 0) |
    ((info.SupportedUsageClasses ?? []).includes('spot') ? FLAG.supportsSpot : 0) |
    (network.EncryptionInTransitSupported ? FLAG.encryptionInTransit : 0);
  const ebs = info.EbsInfo?.EbsOptimizedSupport === 'default' ? info.EbsInfo.EbsOptimizedInfo?.MaximumBandwidthInMbps ?? 0 : 0;
  const storage = info.InstanceStorageInfo;
  const nvme = storage && storage.NvmeSupport !== 'unsupported' ? storage.TotalSizeInGB ?? 0 : 0;

  // Like Karpenter, label GPUs and accelerators only when the type carries a single model.
  const gpus = info.GpuInfo?.Gpus ?? [];
  const gpu0 = gpus.length === 1 ? gpus[0] : undefined;
  const gpu: GpuCell | 0 = gpu0
    ? [kebab(gpu0.Name ?? ''), kebab(gpu0.Manufacturer ?? ''), gpu0.Count ?? 0, gpu0.MemoryInfo?.SizeInMiB ?? 0]
    : 0;
  const neuron = info.NeuronInfo?.NeuronDevices ?? [];
  const inference = info.InferenceAcceleratorInfo?.Accelerators ?? [];
  let accelerator: AcceleratorCell | 0 = 0;
  if (neuron.length === 1 && neuron[0]) {
    accelerator = [kebab(neuron[0].Name ?? ''), 'aws', neuron[0].Count ?? 0];
  } else if (neuron.length === 0 && inference.length === 1 && inference[0]) {
    const a = inference[0];
    accelerator = [kebab(a.Name ?? ''), kebab(a.Manufacturer ?? ''), a.Count ?? 0];
  }

  const row: TypeRow = [
    name,
    required(info.VCpuInfo?.DefaultVCpus, name, 'VCpuInfo.DefaultVCpus'),
    required(info.MemoryInfo?.SizeInMiB, name, 'MemoryInfo.SizeInMiB'),
    architecture,
    kebab(info.ProcessorInfo?.Manufacturer ?? ''),
    info.Hypervisor ?? '',
    flags,
    maxEnis,
    required(network.Ipv4AddressesPerInterface, name, 'NetworkInfo.Ipv4AddressesPerInterface'),
    Math.round(bandwidthGbps * 1000) / 1000,
    ebs,
    nvme,
  ];
  if (gpu || accelerator) row.push(gpu);
  if (accelerator) row.push(accelerator);
  return row;
}

export function compactOfferings(
  region: string,
  offerings: Array<{ InstanceType: string; Location: string }>,
  known: Set<string>,
): Record<string, string> {
  const byType = new Map<string, Set<string>>();
  for (const { InstanceType, Location } of offerings) {
    if (!known.has(InstanceType)) continue;
    const suffix = Location.slice(region.length);
    if (!Location.startsWith(region) || !/^[a-z]$/.test(suffix)) {
      throw new Error(`offerings/${region}.json: zone "${Location}" is not <region><letter>; the compact format cannot hold it`);
    }
    let zones = byType.get(InstanceType);
    if (!zones) byType.set(InstanceType, (zones = new Set()));
    zones.add(suffix);
  }
  const out: Record<string, string> = {};
  for (const type of [...byType.keys()].sort()) out[type] = [...byType.get(type)!].sort().join('');
  return out;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** `--data <dir>` wins over NODEWRIGHT_EC2_DATA, which wins over ../shared/data/ec2. */
export function dataDirectory(argv: string[], env: NodeJS.ProcessEnv): string {
  const flag = argv.indexOf('--data');
  if (flag >= 0) {
    const value = argv[flag + 1];
    if (!value) throw new Error('--data needs a directory');
    return resolve(value);
  }
  if (env.NODEWRIGHT_EC2_DATA) return resolve(env.NODEWRIGHT_EC2_DATA);
  return resolve(REPO_ROOT, '../shared/data/ec2');
}

// One row per line: small diffs when AWS adds a type, still compact.
function writeRowsJson(path: string, head: Record<string, unknown>, key: string, rows: unknown[]): void {
  const headJson = JSON.stringify(head).slice(0, -1);
  writeFileSync(path, `${headJson},"${key}":[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`);
}

export function generate(dataDir: string, outDir: string): { types: number; regions: string[]; bytes: number } {
  if (!statSync(dataDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`EC2 data directory ${dataDir} does not exist (set --data or NODEWRIGHT_EC2_DATA)`);
  }
  const rawTypes = readJson(join(dataDir, 'instance-types.json')) as Record<string, Ec2InstanceTypeInfo>;
  const rows = Object.values(rawTypes)
    .map(compactInstanceType)
    .filter((r): r is TypeRow => r !== undefined)
    .sort((a, b) => a[0].localeCompare(b[0]));
  const known = new Set(rows.map((r) => r[0]));

  const offeringsDir = join(dataDir, 'offerings');
  const regions = readdirSync(offeringsDir).filter((f) => f.endsWith('.json')).map((f) => basename(f, '.json')).sort();
  const offerings: CompactOfferings = { source: 'EC2 DescribeInstanceTypeOfferings (availability-zone)', regions: {} };
  for (const region of regions) {
    const list = readJson(join(offeringsDir, `${region}.json`)) as Array<{ InstanceType: string; Location: string }>;
    offerings.regions[region] = compactOfferings(region, list, known);
  }

  const rawPrices = readJson(join(dataDir, 'on-demand-prices.json')) as {
    currency: string; source: string; regions: Record<string, Record<string, number>>;
  };
  const snapshot = /\d{4}-\d{2}-\d{2}/.exec(rawPrices.source)?.[0];
  if (!snapshot) throw new Error(`on-demand-prices.json: no snapshot date in source "${rawPrices.source}"`);
  const prices: CompactPrices = { source: rawPrices.source, snapshot, currency: rawPrices.currency, onDemand: {} };
  for (const [region, table] of Object.entries(rawPrices.regions)) {
    const kept: Record<string, number> = {};
    for (const type of Object.keys(table).sort()) if (known.has(type)) kept[type] = table[type]!;
    prices.onDemand[region] = kept;
  }

  mkdirSync(outDir, { recursive: true });
  const head: Omit<CompactInstanceTypes, 'types'> = {
    source: 'EC2 DescribeInstanceTypes; EKS-capable types only (amd64/arm64)',
    columns: TYPE_COLUMNS,
  };
  writeRowsJson(join(outDir, 'instance-types.json'), head, 'types', rows);
  writeFileSync(join(outDir, 'offerings.json'), `${JSON.stringify(offerings)}\n`);
  writeFileSync(join(outDir, 'prices.json'), `${JSON.stringify(prices)}\n`);
  const bytes = ['instance-types.json', 'offerings.json', 'prices.json']
    .reduce((sum, f) => sum + statSync(join(outDir, f)).size, 0);
  return { types: rows.length, regions, bytes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dataDir = dataDirectory(process.argv.slice(2), process.env);
  const outDir = join(HERE, 'generated');
  const result = generate(dataDir, outDir);
  console.log(JSON.stringify({ dataDir, outDir, ...result }));
}
