import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors.ts';
import { allocatable, catalog, kubeReservedCpuMillis, maxPods } from '../../shared/provisioning/index.ts';
import type { KubeletConfig } from '../../shared/types.ts';
import { GiB, MiB } from './fixtures.ts';

const type = (name: string) => {
  const t = catalog().get(name);
  if (!t) throw new Error(`fixture type ${name} missing from the catalog`);
  return t;
};

describe('maxPods', () => {
  it.each<[string, KubeletConfig, number, string]>([
    ['t3.nano', {}, 4, '2 ENIs x (2 - 1) + 2'],
    ['a1.medium', {}, 8, '2 x (4 - 1) + 2'],
    ['m5.large', {}, 29, '3 x (10 - 1) + 2'],
    ['c6i.xlarge', {}, 58, '4 x (15 - 1) + 2'],
    ['m5.4xlarge', {}, 234, '8 x (30 - 1) + 2 = 234, as the EKS AMIs configure (no 110 cap)'],
    ['m5.8xlarge', {}, 234, '8 x (30 - 1) + 2 = 234'],
    ['m5.24xlarge', {}, 737, '15 x (50 - 1) + 2 = 737 (no 250 cap)'],
    ['p5.48xlarge', {}, 100, 'default card only: 2 x (50 - 1) + 2'],
    ['m5.large', { maxPods: 110 }, 110, 'kubelet.maxPods overrides the ENI limit'],
    ['m5.24xlarge', { maxPods: 500 }, 500, 'kubelet.maxPods is not capped'],
    ['m5.large', { podsPerCore: 10 }, 20, 'min(29, 10 x 2 vCPU)'],
    ['m5.large', { podsPerCore: 20 }, 29, 'min(29, 20 x 2)'],
    ['m5.large', { maxPods: 110, podsPerCore: 4 }, 8, 'min(110, 4 x 2)'],
    ['m5.large', { podsPerCore: 0 }, 29, 'podsPerCore 0 means no cap'],
  ])('%s with %j: %d (%s)', (name, kubelet, expected) => {
    expect(maxPods(type(name), kubelet)).toBe(expected);
  });

  it.each<[KubeletConfig, RegExp]>([
    [{ maxPods: 0 }, /kubelet.maxPods must be a positive integer, got 0/],
    [{ maxPods: 1.5 }, /kubelet.maxPods must be a positive integer, got 1.5/],
    [{ podsPerCore: -1 }, /kubelet.podsPerCore must be a non-negative integer, got -1/],
  ])('refuses %j', (kubelet, message) => {
    expect(() => maxPods(type('m5.large'), kubelet)).toThrow(InvalidInputError);
    expect(() => maxPods(type('m5.large'), kubelet)).toThrow(message);
  });
});

describe('kubeReservedCpuMillis', () => {
  it.each([
    [1, 60], // 6% of 1000m
    [2, 70], // 60 + 1% of 1000m
    [4, 80], // 70 + 0.5% of 2000m
    [8, 90], // 80 + 0.25% of 4000m
    [96, 310], // 80 + 0.25% of 92000m
  ])('%d vCPU -> %dm', (vcpu, expected) => expect(kubeReservedCpuMillis(vcpu)).toBe(expected));
});

describe('allocatable (no kubelet overrides)', () => {
  // memory = (MiB - 64 on arm64) - ceil(7.5% of that) - (11 x maxPods + 255) - 100 eviction
  // cpu = vCPU x 1000 - kube-reserved CPU
  it.each([
    // a1.medium: 2048 - 64 = 1984; 1984 - ceil(148.8)=149 = 1835; 1835 - (11x8+255=343) - 100 = 1392; 1000 - 60 = 940
    // (Karpenter's published a1.medium figures: 940m, 1392Mi, 8 pods)
    ['a1.medium', 940, 1392, 8, 0],
    // a1.large: 4096 - 64 = 4032; - ceil(302.4)=303 = 3729; - (11x29+255=574) - 100 = 3055; 2000 - 70 = 1930
    ['a1.large', 1930, 3055, 29, 0],
    // m5.large: 8192 - ceil(614.4)=615 = 7577; - 574 - 100 = 6903; 2000 - 70 = 1930
    ['m5.large', 1930, 6903, 29, 0],
    // t3.micro: 1024 - ceil(76.8)=77 = 947; - (11x4+255=299) - 100 = 548
    ['t3.micro', 1930, 548, 4, 0],
    // t3.nano: 512 - ceil(38.4)=39 = 473; - 299 - 100 = 74
    ['t3.nano', 1930, 74, 4, 0],
    // m6g.large: 8192 - 64 = 8128; - ceil(609.6)=610 = 7518; - 574 - 100 = 6844
    ['m6g.large', 1930, 6844, 29, 0],
    // r5.large: 16384 - ceil(1228.8)=1229 = 15155; - 574 - 100 = 14481
    ['r5.large', 1930, 14481, 29, 0],
    // c6i.xlarge: 8192 - 615 = 7577; - (11x58+255=893) - 100 = 6584; 4000 - 80 = 3920
    ['c6i.xlarge', 3920, 6584, 58, 0],
    // m5.4xlarge: 65536 - ceil(4915.2)=4916 = 60620; - (11x234+255=2829) - 100 = 57691; 16000 - (80 + 0.25% x 12000 = 110) = 15890
    ['m5.4xlarge', 15890, 57691, 234, 0],
    // m5.8xlarge: 131072 - ceil(9830.4)=9831 = 121241; - (11x234+255=2829) - 100 = 118312; 32000 - (80 + 70) = 31850
    ['m5.8xlarge', 31850, 118312, 234, 0],
    // m5.24xlarge: 393216 - ceil(29491.2)=29492 = 363724; - (11x737+255=8362) - 100 = 355262; 96000 - 310 = 95690
    ['m5.24xlarge', 95690, 355262, 737, 0],
    // g5.xlarge: 16384 - 1229 = 15155; - 893 - 100 = 14162; one A10G
    ['g5.xlarge', 3920, 14162, 58, 1],
    // p5.48xlarge: 2097152 - ceil(157286.4)=157287 = 1939865; - (11x100+255=1355) - 100 = 1938410; 192000 - (80 + 0.25% x 188000 = 550); 8 H100
    ['p5.48xlarge', 191450, 1938410, 100, 8],
    // inf2.xlarge: same shape as g5.xlarge; one Inferentia2 device
    ['inf2.xlarge', 3920, 14162, 58, 1],
  ])('%s: %dm CPU, %d MiB, %d pods, %d GPUs', (name, cpu, memoryMiB, pods, gpus) => {
    // Ephemeral storage on Karpenter's default 20Gi volume: 20Gi - 1Gi kube-reserved - 10% (2Gi) = 17Gi.
    expect(allocatable(type(name), {})).toEqual({ cpuMillis: cpu, memoryBytes: memoryMiB * MiB, pods, gpus, ephemeralStorageBytes: 17 * GiB });
  });
});

describe('allocatable with kubelet settings', () => {
  it('subtracts systemReserved and uses kubeReserved where given', () => {
    // m5.large: 7577 MiB capacity - 1Gi kube-reserved - 300Mi system - 100Mi eviction = 6153 MiB
    // cpu: 2000 - 200m kube-reserved - 100m system = 1700
    const result = allocatable(type('m5.large'), {
      kubeReserved: { cpu: '200m', memory: '1Gi' },
      systemReserved: { cpu: '0.1', memory: '300Mi' },
    });
    expect(result.cpuMillis).toBe(1700);
    expect(result.memoryBytes).toBe(6153 * MiB);
  });

  it('recomputes kube-reserved memory from kubelet.maxPods', () => {
    // 7577 - (11 x 110 + 255 = 1465) - 100 = 6012 MiB
    expect(allocatable(type('m5.large'), { maxPods: 110 }).memoryBytes).toBe(6012 * MiB);
  });

  it('takes the memory eviction threshold from evictionHard, as a quantity or a percentage of capacity', () => {
    // 7577 - 574 - 500 = 6503 MiB
    expect(allocatable(type('m5.large'), { evictionHard: { 'memory.available': '500Mi' } }).memoryBytes).toBe(6503 * MiB);
    // 10% of 7577 MiB = 757.7 MiB -> 7577 - 574 MiB - 757.7 MiB (rounded up to the byte)
    const capacity = 7577 * MiB;
    const expected = capacity - 574 * MiB - Math.ceil(capacity / 10);
    expect(allocatable(type('m5.large'), { evictionHard: { 'memory.available': '10%' } }).memoryBytes).toBe(expected);
  });

  it('takes ephemeral storage from the volume size, less kube-reserved, system-reserved and nodefs.available', () => {
    // 100Gi volume: - 1Gi kube-reserved - 10Gi (10%) = 89Gi.
    expect(allocatable(type('m5.large'), {}, 100 * GiB).ephemeralStorageBytes).toBe(89 * GiB);
    // kubeReserved 5Gi, systemReserved 2Gi, nodefs.available 15Gi: 100 - 5 - 2 - 15 = 78Gi.
    const kubelet = {
      kubeReserved: { 'ephemeral-storage': '5Gi' },
      systemReserved: { 'ephemeral-storage': '2Gi' },
      evictionHard: { 'nodefs.available': '15Gi' },
    };
    expect(allocatable(type('m5.large'), kubelet, 100 * GiB).ephemeralStorageBytes).toBe(78 * GiB);
    // nodefs.available as a percentage: 5% of 100Gi = 5Gi; 100 - 1 - 5 = 94Gi.
    expect(allocatable(type('m5.large'), { evictionHard: { 'nodefs.available': '5%' } }, 100 * GiB).ephemeralStorageBytes).toBe(94 * GiB);
  });

  it('counts soft eviction thresholds too, the larger of hard and soft, except where the image ignores them', () => {
    // m5.large: 7577 MiB capacity - 574 MiB kube-reserved. Soft 500Mi alone replaces the 100Mi default.
    expect(allocatable(type('m5.large'), { evictionSoft: { 'memory.available': '500Mi' } }).memoryBytes).toBe((7577 - 574 - 500) * MiB);
    // Hard 300Mi and soft 200Mi: the larger, 300Mi.
    const both = { evictionHard: { 'memory.available': '300Mi' }, evictionSoft: { 'memory.available': '200Mi' } };
    expect(allocatable(type('m5.large'), both).memoryBytes).toBe((7577 - 574 - 300) * MiB);
    // nodefs: soft 20% of 100Gi beats the 10% default: 100 - 1 - 20 = 79Gi.
    expect(allocatable(type('m5.large'), { evictionSoft: { 'nodefs.available': '20%' } }, 100 * GiB).ephemeralStorageBytes).toBe(79 * GiB);
    // Bottlerocket does not support soft eviction: the default 100Mi stays.
    expect(allocatable(type('m5.large'), { evictionSoft: { 'memory.available': '500Mi' } }, 20 * GiB, false).memoryBytes).toBe((7577 - 574 - 100) * MiB);
  });

  it('names the field of an unreadable quantity', () => {
    expect(() => allocatable(type('m5.large'), { systemReserved: { memory: 'lots' } })).toThrow(
      /kubelet.systemReserved.memory: "lots" is not a Kubernetes quantity/,
    );
    expect(() => allocatable(type('m5.large'), { evictionHard: { 'nodefs.available': '120%' } })).toThrow(
      /kubelet.evictionHard\["nodefs.available"\]: "120%" is not a percentage/,
    );
  });
});
