import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors.ts';
import { catalog, parseInstanceTypeName } from '../../shared/provisioning/index.ts';
import { compactInstanceType, dataDirectory, generate, type Ec2InstanceTypeInfo } from '../../shared/provisioning/catalog/generate.ts';
import { decodeTypeRow } from '../../shared/provisioning/catalog/catalog.ts';

const GENERATED = resolve(import.meta.dirname, '../../shared/provisioning/catalog/generated');
const REFERENCE_DATA = resolve(import.meta.dirname, '../../../shared/data/ec2');

describe('parseInstanceTypeName', () => {
  it.each([
    ['m5d.2xlarge', 'm', 'm5d', 5, '2xlarge'],
    ['u-6tb1.metal', 'u', 'u-6tb1', 1, 'metal'],
    ['u-6tb1.112xlarge', 'u', 'u-6tb1', 1, '112xlarge'],
    ['u7i-12tb.224xlarge', 'u', 'u7i-12tb', 7, '224xlarge'],
    ['mac2-m2pro.metal', 'mac', 'mac2-m2pro', 2, 'metal'],
    ['trn1n.32xlarge', 'trn', 'trn1n', 1, '32xlarge'],
    ['inf2.xlarge', 'inf', 'inf2', 2, 'xlarge'],
    ['p4de.24xlarge', 'p', 'p4de', 4, '24xlarge'],
    ['c7i.metal-48xl', 'c', 'c7i', 7, 'metal-48xl'],
    ['x8aedz.metal-12xl', 'x', 'x8aedz', 8, 'metal-12xl'],
    ['g4dn.xlarge', 'g', 'g4dn', 4, 'xlarge'],
  ])('%s -> category %s, family %s, generation %d, size %s', (name, category, family, generation, size) => {
    expect(parseInstanceTypeName(name)).toEqual({ category, family, generation, size });
  });

  it.each(['m5', 'm5.large.extra', 'mac-m4.metal', '.large', 'M5.large'])('refuses %s with a message naming it', (name) => {
    expect(() => parseInstanceTypeName(name)).toThrow(InvalidInputError);
    expect(() => parseInstanceTypeName(name)).toThrow(name);
  });
});

describe('catalog()', () => {
  const cat = catalog();

  it('maps DescribeInstanceTypes fields for a plain type', () => {
    expect(cat.get('m5.large')).toEqual({
      name: 'm5.large', family: 'm5', category: 'm', generation: 5, size: 'large',
      vcpu: 2, memoryMiB: 8192, architecture: 'amd64', cpuManufacturer: 'intel', hypervisor: 'nitro',
      bareMetal: false, burstable: false, currentGeneration: false, supportsSpot: true, // EC2 now lists m5 as previous generation
      encryptionInTransitSupported: false, maxEnis: 3, ipv4PerEni: 10,
      networkBandwidthGbps: 0.75, ebsBandwidthMbps: 4750,
    });
  });

  it('carries GPUs with Karpenter-style lowercase names and per-GPU memory', () => {
    expect(cat.get('g5.xlarge')?.gpu).toEqual({ name: 'a10g', manufacturer: 'nvidia', count: 1, memoryMiB: 22888 });
    expect(cat.get('g5.xlarge')?.localNvmeGiB).toBe(250);
    expect(cat.get('p5.48xlarge')?.gpu).toEqual({ name: 'h100', manufacturer: 'nvidia', count: 8, memoryMiB: 81920 });
  });

  it('carries Neuron devices and inference accelerators', () => {
    expect(cat.get('inf2.xlarge')?.accelerator).toEqual({ name: 'inferentia2', manufacturer: 'aws', count: 1 });
    expect(cat.get('trn1n.32xlarge')?.accelerator).toEqual({ name: 'trainium', manufacturer: 'aws', count: 16 });
    expect(cat.get('dl2q.24xlarge')?.accelerator).toEqual({ name: 'qualcomm-ai100', manufacturer: 'qualcomm', count: 8 });
  });

  it('sums network bandwidth over all network cards and uses the default card for ENIs', () => {
    const p5 = cat.get('p5.48xlarge')!;
    expect(p5.networkBandwidthGbps).toBe(3200);
    expect(p5.maxEnis).toBe(2); // card 0 of 32, the only one the VPC CNI uses for pods
  });

  it('marks metal types with an empty hypervisor, burstable types as burstable', () => {
    expect(cat.get('m5.metal')).toMatchObject({ bareMetal: true, hypervisor: '' });
    expect(cat.get('t3.micro')).toMatchObject({ burstable: true, architecture: 'amd64' });
    expect(cat.get('m6g.large')).toMatchObject({ architecture: 'arm64', cpuManufacturer: 'aws' });
  });

  it('keeps i386+x86_64 types as amd64 and leaves Mac types out', () => {
    expect(cat.get('t2.micro')?.architecture).toBe('amd64');
    expect(cat.get('mac2-m2pro.metal')).toBeUndefined();
    expect(cat.types().some((t) => t.family.startsWith('mac'))).toBe(false);
    expect(cat.get('no-such.type')).toBeUndefined();
  });

  it('lists regions and zones per type', () => {
    expect(cat.regions()).toEqual(['ap-northeast-2', 'eu-west-1', 'us-east-1', 'us-west-2']);
    expect(cat.zones('us-east-1', 'm5.large')).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1f']);
    expect(cat.zones('us-east-1', 'no-such.type')).toEqual([]);
    expect(() => cat.zones('mars-north-1', 'm5.large')).toThrow(/mars-north-1/);
  });

  it('sorts types by name and knows more than a thousand of them', () => {
    const names = cat.types().map((t) => t.name);
    expect(names.length).toBeGreaterThan(1000);
    expect([...names].sort((a, b) => a.localeCompare(b))).toEqual(names);
  });
});

describe('compactInstanceType', () => {
  const base: Ec2InstanceTypeInfo = {
    InstanceType: 'x9z.large',
    CurrentGeneration: true,
    Hypervisor: 'nitro',
    SupportedUsageClasses: ['on-demand'],
    ProcessorInfo: { SupportedArchitectures: ['x86_64'], Manufacturer: 'Intel' },
    VCpuInfo: { DefaultVCpus: 2 },
    MemoryInfo: { SizeInMiB: 4096 },
    NetworkInfo: {
      DefaultNetworkCardIndex: 0, Ipv4AddressesPerInterface: 10,
      NetworkCards: [{ NetworkCardIndex: 0, MaximumNetworkInterfaces: 3, BaselineBandwidthInGbps: 0.5 }],
    },
    EbsInfo: { EbsOptimizedSupport: 'supported', EbsOptimizedInfo: { MaximumBandwidthInMbps: 999 } },
    InstanceStorageInfo: { NvmeSupport: 'unsupported', TotalSizeInGB: 160 },
  };

  it('drops EBS bandwidth unless EBS-optimized by default, and non-NVMe instance storage', () => {
    const info = decodeTypeRow(compactInstanceType(base)!);
    expect(info.ebsBandwidthMbps).toBeUndefined();
    expect(info.localNvmeGiB).toBeUndefined();
    expect(info.supportsSpot).toBe(false);
  });

  it.each([[['i386']], [['x86_64_mac']], [['arm64_mac']]])('skips types that cannot be EKS nodes: %j', (archs) => {
    expect(compactInstanceType({ ...base, ProcessorInfo: { SupportedArchitectures: archs } })).toBeUndefined();
  });

  it('fails loudly on a missing required field', () => {
    expect(() => compactInstanceType({ ...base, VCpuInfo: {} })).toThrow(/x9z.large.*VCpuInfo.DefaultVCpus/);
  });
});

describe('generated catalog files', () => {
  it('stay under 400 KB together, so every Lambda can carry them', () => {
    const total = ['instance-types.json', 'offerings.json', 'prices.json']
      .reduce((sum, f) => sum + statSync(join(GENERATED, f)).size, 0);
    expect(total).toBeLessThan(400 * 1024);
  });

  it('takes the data directory from --data, then NODEWRIGHT_EC2_DATA, then ../shared/data/ec2', () => {
    expect(dataDirectory(['--data', '/x/y'], { NODEWRIGHT_EC2_DATA: '/a' })).toBe('/x/y');
    expect(dataDirectory([], { NODEWRIGHT_EC2_DATA: '/a' })).toBe('/a');
    expect(dataDirectory([], {})).toBe(REFERENCE_DATA);
  });

  it.skipIf(!existsSync(REFERENCE_DATA))('are what the generator produces from the reference data (committed output is current)', () => {
    const out = mkdtempSync(join(tmpdir(), 'nodewright-catalog-'));
    try {
      generate(REFERENCE_DATA, out);
      for (const file of ['instance-types.json', 'offerings.json', 'prices.json']) {
        expect(readFileSync(join(out, file), 'utf8'), file).toBe(readFileSync(join(GENERATED, file), 'utf8'));
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
