// Public face of the provisioning core. CONTRACT DRAFT: bodies are being written; signatures are fixed.
import type {
  CapacityType, FleetRequest, KubeletConfig, NodeClass, NodePool, Pod, PricedOffering, Resources,
  SpotPrice, Subnet, UnavailableOffering,
} from '../types.ts';

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
  maxEnis: number;
  ipv4PerEni: number;
  gpu?: { name: string; manufacturer: string; count: number; memoryMiB: number };
  accelerator?: { name: string; manufacturer: string; count: number };
  localNvmeGiB?: number;
  networkBandwidthGbps?: number;
  ebsBandwidthMbps?: number;
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
}

export interface ReplacementPlan {
  capacityType: CapacityType;
  /** Ranked best first; at most 60 distinct instance types. */
  offerings: PricedOffering[];
  /** Why candidate types or offerings were left out, with counts, for logs and the CLI. */
  excluded: Array<{ reason: string; count: number }>;
}
