// The provisioning core's own vocabulary: what it knows about an instance type, and what a
// replacement decision takes in and gives back. Re-exported unchanged by index.ts.
import type { CapacityType, NodeClass, NodePool, Pod, PricedOffering, SpotPrice, UnavailableOffering } from '../types.ts';
import type { PlacedPod } from './existing-topology.ts';
import type { ExistingNode } from './existing-room.ts';

export interface InstanceTypeInfo {
  name: string;            // m5.large
  family: string;          // m5
  category: string;        // m
  generation: number;      // 5
  size: string;            // large
  vcpu: number;
  memoryMiB: number;
  architecture: 'amd64' | 'arm64';
  cpuManufacturer?: string;     // intel | amd | aws
  hypervisor: string;           // nitro | xen | '' for metal
  bareMetal: boolean;
  burstable: boolean;
  currentGeneration: boolean;
  supportsSpot: boolean;
  /** Network interfaces of the default network card: the ones the VPC CNI uses for pods. */
  maxEnis: number;
  ipv4PerEni: number;
  /** Per-GPU memory, as Karpenter's instance-gpu-memory label reports it. */
  gpu?: { name: string; manufacturer: string; count: number; memoryMiB: number };
  /** Inference accelerators and Neuron devices (Inferentia, Trainium, Qualcomm AI100). */
  accelerator?: { name: string; manufacturer: string; count: number };
  /** Total local NVMe instance storage, the number EC2 reports as TotalSizeInGB (Karpenter labels it as is). */
  localNvmeGiB?: number;
  /** Baseline bandwidth summed over all network cards. */
  networkBandwidthGbps?: number;
  /** Maximum EBS bandwidth, only for types that are EBS-optimized by default. */
  ebsBandwidthMbps?: number;
  /** Addition to the draft contract: feeds karpenter.k8s.aws/instance-encryption-in-transit-supported. */
  encryptionInTransitSupported?: boolean;
}

export interface ReplacementInput {
  /** Pods that must move (DaemonSet and mirror pods excluded). */
  pods: Pod[];
  /** DaemonSet pods a new node will also run: counted as per-node overhead. */
  daemonSetPods: Pod[];
  nodePool: NodePool;
  nodeClass: NodeClass;
  region: string;
  /** Zones where the node class has a usable subnet. */
  zones: string[];
  spotPrices: SpotPrice[];
  unavailable: UnavailableOffering[];
  now: Date;
  /**
   * Pods that stay, with their node's zone: those of the groups the moving pods spread or follow
   * on zone (existing-topology.ts). Without them the replacement may go to any of `zones`.
   */
  placedPods?: PlacedPod[];
  /**
   * Nodes that stay, with what their pods use: when the moving pods' zone spread narrows the
   * zones, those of them these nodes could take now do not count (existing-room.ts).
   */
  existingNodes?: ExistingNode[];
}

export interface ReplacementPlan {
  capacityType: CapacityType;
  /** Ranked best first; at most 60 distinct instance types. */
  offerings: PricedOffering[];
  /** Why candidate types or offerings were left out, with counts, for logs and the CLI. */
  excluded: Array<{ reason: string; count: number }>;
  /** The zones the placed pods' topology left, when that ruled any out, and why. */
  zones?: { allowed: string[]; reasons: string[] };
}
