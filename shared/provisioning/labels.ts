// The labels a node of a given instance type, zone and capacity type carries: the well-known
// Kubernetes ones plus those Karpenter's AWS provider derives from DescribeInstanceTypes.
// Units follow Karpenter: memory and GPU memory in MiB, network and EBS bandwidth in Mbps,
// local NVMe in GB as EC2 reports it.
import type { CapacityType } from '../types.ts';
import type { InstanceTypeInfo } from './model.ts';

export const LABEL = {
  arch: 'kubernetes.io/arch',
  os: 'kubernetes.io/os',
  instanceType: 'node.kubernetes.io/instance-type',
  zone: 'topology.kubernetes.io/zone',
  region: 'topology.kubernetes.io/region',
  capacityType: 'karpenter.sh/capacity-type',
  nodePool: 'karpenter.sh/nodepool',
  category: 'karpenter.k8s.aws/instance-category',
  family: 'karpenter.k8s.aws/instance-family',
  generation: 'karpenter.k8s.aws/instance-generation',
  size: 'karpenter.k8s.aws/instance-size',
  cpu: 'karpenter.k8s.aws/instance-cpu',
  cpuManufacturer: 'karpenter.k8s.aws/instance-cpu-manufacturer',
  memory: 'karpenter.k8s.aws/instance-memory',
  hypervisor: 'karpenter.k8s.aws/instance-hypervisor',
  encryptionInTransit: 'karpenter.k8s.aws/instance-encryption-in-transit-supported',
  gpuName: 'karpenter.k8s.aws/instance-gpu-name',
  gpuManufacturer: 'karpenter.k8s.aws/instance-gpu-manufacturer',
  gpuCount: 'karpenter.k8s.aws/instance-gpu-count',
  gpuMemory: 'karpenter.k8s.aws/instance-gpu-memory',
  acceleratorName: 'karpenter.k8s.aws/instance-accelerator-name',
  acceleratorManufacturer: 'karpenter.k8s.aws/instance-accelerator-manufacturer',
  acceleratorCount: 'karpenter.k8s.aws/instance-accelerator-count',
  localNvme: 'karpenter.k8s.aws/instance-local-nvme',
  networkBandwidth: 'karpenter.k8s.aws/instance-network-bandwidth',
  ebsBandwidth: 'karpenter.k8s.aws/instance-ebs-bandwidth',
} as const;

/** us-east-1a -> us-east-1; local and wavelength zones (us-east-1-bos-1a) map to their parent region. */
export function regionOfZone(zone: string): string {
  const match = /^([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+)/.exec(zone);
  return match?.[1] ?? zone.replace(/[a-z]$/, '');
}

/** Labels that depend on the instance type alone (no zone, no capacity type). */
export function instanceTypeLabels(type: InstanceTypeInfo): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL.arch]: type.architecture,
    [LABEL.os]: 'linux',
    [LABEL.instanceType]: type.name,
    [LABEL.category]: type.category,
    [LABEL.family]: type.family,
    [LABEL.generation]: String(type.generation),
    [LABEL.size]: type.size,
    [LABEL.cpu]: String(type.vcpu),
    [LABEL.memory]: String(type.memoryMiB),
    // Karpenter labels metal types with an empty hypervisor; `NotIn [""]` is the usual way to exclude them.
    [LABEL.hypervisor]: type.hypervisor,
  };
  if (type.cpuManufacturer) labels[LABEL.cpuManufacturer] = type.cpuManufacturer;
  if (type.encryptionInTransitSupported !== undefined) {
    labels[LABEL.encryptionInTransit] = String(type.encryptionInTransitSupported);
  }
  if (type.gpu) {
    labels[LABEL.gpuName] = type.gpu.name;
    labels[LABEL.gpuManufacturer] = type.gpu.manufacturer;
    labels[LABEL.gpuCount] = String(type.gpu.count);
    labels[LABEL.gpuMemory] = String(type.gpu.memoryMiB);
  }
  if (type.accelerator) {
    labels[LABEL.acceleratorName] = type.accelerator.name;
    labels[LABEL.acceleratorManufacturer] = type.accelerator.manufacturer;
    labels[LABEL.acceleratorCount] = String(type.accelerator.count);
  }
  if (type.localNvmeGiB) labels[LABEL.localNvme] = String(type.localNvmeGiB);
  if (type.networkBandwidthGbps) labels[LABEL.networkBandwidth] = String(Math.round(type.networkBandwidthGbps * 1000));
  if (type.ebsBandwidthMbps) labels[LABEL.ebsBandwidth] = String(type.ebsBandwidthMbps);
  return labels;
}

export function nodeLabels(type: InstanceTypeInfo, zone: string, capacityType: CapacityType): Record<string, string> {
  return {
    ...instanceTypeLabels(type),
    [LABEL.zone]: zone,
    [LABEL.region]: regionOfZone(zone),
    [LABEL.capacityType]: capacityType,
  };
}
