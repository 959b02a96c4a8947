// What a node of an instance type offers to pods: capacity minus the hypervisor's share, the
// kubelet's reservations and the eviction threshold, the way Karpenter's AWS provider estimates
// it before launch (and EKS AMIs configure the kubelet).
import { InvalidInputError } from '../errors.ts';
import type { KubeletConfig, Resources } from '../types.ts';
import { deviceOf } from './devices.ts';
import type { InstanceTypeInfo } from './model.ts';
import { parseBytes, parseCpuMillis } from './quantity.ts';

const MiB = 2 ** 20;
/** Karpenter's default VM_MEMORY_OVERHEAD_PERCENT: memory the hypervisor and firmware keep. */
export const VM_MEMORY_OVERHEAD_PERCENT = 7.5;
/** Graviton kernels reserve 64 MiB for the contiguous memory allocator (Karpenter subtracts it too). */
const ARM64_CMA_MiB = 64;
const GiB = 2 ** 30;
const DEFAULT_EVICTION_MEMORY_BYTES = 100 * MiB;
/** Karpenter's default kube-reserved ephemeral storage, and the kubelet's nodefs.available 10%. */
const DEFAULT_KUBE_RESERVED_STORAGE_BYTES = GiB;
const DEFAULT_EVICTION_NODEFS_PERCENT = 10;
/** Karpenter's default volume for ephemeral storage when the node class says nothing: 20Gi. */
export const DEFAULT_EPHEMERAL_STORAGE_BYTES = 20 * GiB;

// EKS's kube-reserved CPU: 6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% above.
const CPU_RESERVATION_BANDS = [
  { fromMillis: 0, toMillis: 1000, share: 0.06 },
  { fromMillis: 1000, toMillis: 2000, share: 0.01 },
  { fromMillis: 2000, toMillis: 4000, share: 0.005 },
  { fromMillis: 4000, toMillis: Number.POSITIVE_INFINITY, share: 0.0025 },
];

function positiveInteger(value: number | undefined, field: string, allowZero: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new InvalidInputError(`${field} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${value}`);
  }
  return value;
}

/** Pods the VPC CNI can address with secondary IPs on the default network card: ENIs x (IPs per ENI - 1) + 2. */
export function eniLimitedPods(type: InstanceTypeInfo): number {
  return type.maxEnis * (type.ipv4PerEni - 1) + 2;
}

/**
 * The kubelet's max-pods. kubelet.maxPods wins; otherwise the ENI limit, uncapped: what the EKS
 * AMIs configure when nothing is set (AL2's eni-max-pods.txt, AL2023 nodeadm, Bottlerocket) and
 * what Karpenter assumes. (EKS's max-pods-calculator caps at 110 / 250, but only for the value
 * one passes explicitly.) podsPerCore caps either.
 */
export function maxPods(type: InstanceTypeInfo, kubelet: KubeletConfig): number {
  const configured = positiveInteger(kubelet.maxPods, 'kubelet.maxPods', false);
  const perCore = positiveInteger(kubelet.podsPerCore, 'kubelet.podsPerCore', true);
  let pods = configured ?? eniLimitedPods(type);
  if (perCore) pods = Math.min(pods, perCore * type.vcpu);
  return pods;
}

export function kubeReservedCpuMillis(vcpu: number): number {
  const millis = vcpu * 1000;
  let reserved = 0;
  for (const band of CPU_RESERVATION_BANDS) {
    if (millis <= band.fromMillis) break;
    reserved += Math.floor((Math.min(millis, band.toMillis) - band.fromMillis) * band.share);
  }
  return reserved;
}

/** Memory capacity the kubelet reports: physical memory less the Graviton CMA and the VM overhead. */
export function memoryCapacityBytes(type: InstanceTypeInfo): number {
  const mib = type.memoryMiB - (type.architecture === 'arm64' ? ARM64_CMA_MiB : 0);
  const overheadMiB = Math.ceil((mib * VM_MEMORY_OVERHEAD_PERCENT) / 100);
  return (mib - overheadMiB) * MiB;
}

/** An eviction threshold: a quantity, or a percentage of the capacity (100% reads as "disabled"). */
function signalBytes(signal: string, capacityBytes: number, field: string): number {
  if (signal.endsWith('%')) {
    const percent = Number(signal.slice(0, -1));
    if (!Number.isFinite(percent) || percent < 0 || percent > 100) {
      throw new InvalidInputError(`${field}: "${signal}" is not a percentage`);
    }
    return percent === 100 ? 0 : Math.ceil((capacityBytes / 100) * percent);
  }
  return parseBytes(signal, field);
}

/**
 * What the kubelet keeps free for one eviction signal, as Karpenter estimates it: the larger of
 * the hard and (where the image honours it) soft thresholds set for the signal, else the default.
 */
function evictionBytes(kubelet: KubeletConfig, signal: string, capacityBytes: number, fallback: number, countsSoft: boolean): number {
  const set: number[] = [];
  const hard = kubelet.evictionHard?.[signal];
  if (hard !== undefined) set.push(signalBytes(hard, capacityBytes, `kubelet.evictionHard["${signal}"]`));
  const soft = countsSoft ? kubelet.evictionSoft?.[signal] : undefined;
  if (soft !== undefined) set.push(signalBytes(soft, capacityBytes, `kubelet.evictionSoft["${signal}"]`));
  return set.length > 0 ? Math.max(...set) : fallback;
}

function reserved(table: Record<string, string> | undefined, resource: 'cpu' | 'memory' | 'ephemeral-storage', field: string): number | undefined {
  const value = table?.[resource];
  if (value === undefined) return undefined;
  if (resource === 'cpu') return parseCpuMillis(value, `${field}.cpu`);
  return parseBytes(value, resource === 'memory' ? `${field}.memory` : `${field}["${resource}"]`);
}

/**
 * What a node offers to pods. `ephemeralStorageCapacityBytes` is the size of the volume the
 * kubelet's nodefs lives on (ephemeral-storage.ts works it out from the node class); it loses
 * kube-reserved (1Gi unless set), system-reserved and the nodefs.available threshold (10%).
 * `countsSoftEviction`: soft thresholds hold back capacity too, except on Bottlerocket, which
 * does not support them (Karpenter's EvictionSoftEnabled flag).
 */
export function allocatable(
  type: InstanceTypeInfo, kubelet: KubeletConfig, ephemeralStorageCapacityBytes = DEFAULT_EPHEMERAL_STORAGE_BYTES, countsSoftEviction = true,
): Resources {
  const pods = maxPods(type, kubelet);
  const capacityMemory = memoryCapacityBytes(type);
  const kubeCpu = reserved(kubelet.kubeReserved, 'cpu', 'kubelet.kubeReserved') ?? kubeReservedCpuMillis(type.vcpu);
  const kubeMemory = reserved(kubelet.kubeReserved, 'memory', 'kubelet.kubeReserved') ?? (11 * pods + 255) * MiB;
  const systemCpu = reserved(kubelet.systemReserved, 'cpu', 'kubelet.systemReserved') ?? 0;
  const systemMemory = reserved(kubelet.systemReserved, 'memory', 'kubelet.systemReserved') ?? 0;
  const eviction = evictionBytes(kubelet, 'memory.available', capacityMemory, DEFAULT_EVICTION_MEMORY_BYTES, countsSoftEviction);
  const storage = ephemeralStorageCapacityBytes;
  const kubeStorage = reserved(kubelet.kubeReserved, 'ephemeral-storage', 'kubelet.kubeReserved') ?? DEFAULT_KUBE_RESERVED_STORAGE_BYTES;
  const systemStorage = reserved(kubelet.systemReserved, 'ephemeral-storage', 'kubelet.systemReserved') ?? 0;
  const nodefsEviction = evictionBytes(kubelet, 'nodefs.available', storage, Math.ceil((storage / 100) * DEFAULT_EVICTION_NODEFS_PERCENT), countsSoftEviction);
  return {
    cpuMillis: Math.max(0, type.vcpu * 1000 - kubeCpu - systemCpu),
    memoryBytes: Math.max(0, capacityMemory - kubeMemory - systemMemory - eviction),
    pods,
    ephemeralStorageBytes: Math.max(0, storage - kubeStorage - systemStorage - nodefsEviction),
    gpus: deviceOf(type)?.count ?? 0,
  };
}
