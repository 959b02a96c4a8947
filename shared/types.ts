// The domain model every layer shares: what a node, a pod, an instance, a notice and a fleet
// request are, independent of the SDK or the Kubernetes client that produced them.
// Quantities are plain numbers in fixed units (millicores, bytes) so decisions never parse strings.

// ---------------------------------------------------------------- Kubernetes view

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: TaintEffect;
  tolerationSeconds?: number;
}

export type RequirementOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt' | 'Gte' | 'Lte';

/** A node selector requirement as Karpenter writes it; `minValues` only matters on NodePools. */
export interface Requirement {
  key: string;
  operator: RequirementOperator;
  values?: string[];
  minValues?: number;
}

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  /** ISO 8601. */
  lastTransitionTime?: string;
  reason?: string;
}

export interface ClusterNode {
  name: string;
  /** `aws:///<zone>/<instance-id>`; absent until the cloud provider sets it. */
  providerId?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
  conditions: NodeCondition[];
  /** ISO 8601 creation time of the Node object. */
  createdAt: string;
  allocatable?: Resources;
}

/** Resource amounts in fixed units. */
export interface Resources {
  cpuMillis: number;
  memoryBytes: number;
  pods?: number;
  ephemeralStorageBytes?: number;
  /** Accelerators: a count of the extended resource gpuResource names. */
  gpus?: number;
  /** nvidia.com/gpu, amd.com/gpu, aws.amazon.com/neuron or habana.ai/gaudi; nvidia.com/gpu when absent. */
  gpuResource?: string;
}

export interface TopologySpreadConstraint {
  topologyKey: string;
  maxSkew: number;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  labelSelector: Record<string, string>;
}

export interface PodAntiAffinityTerm {
  topologyKey: string;
  labelSelector: Record<string, string>;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface Pod {
  namespace: string;
  name: string;
  uid: string;
  nodeName?: string;
  phase: PodPhase;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Kind of the controlling owner (ReplicaSet, StatefulSet, DaemonSet, Job, Node for mirror pods). */
  ownerKind?: string;
  /** Effective requests as the scheduler counts them (max of init containers, sum of containers, plus overhead). */
  requests: Resources;
  nodeSelector: Record<string, string>;
  /** Required node affinity: OR of terms, each an AND of requirements. Empty means no constraint. */
  requiredNodeAffinity: Requirement[][];
  tolerations: Toleration[];
  topologySpread: TopologySpreadConstraint[];
  podAntiAffinity: PodAntiAffinityTerm[];
  /** Required pod affinity (same shape as anti-affinity); optional: producers that do not read it leave it out. */
  podAffinity?: PodAntiAffinityTerm[];
  priority?: number;
  terminationGracePeriodSeconds?: number;
  /** True once the pod has a deletionTimestamp: it is shutting down and must not be evicted again. */
  terminating?: boolean;
}

export interface PodDisruptionBudget {
  namespace: string;
  name: string;
  selector: Record<string, string>;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
}

// ---------------------------------------------------------------- Karpenter configuration

export interface NodeClassRef {
  group: string;
  kind: string;
  name: string;
}

export interface DisruptionBudget {
  nodes: string;
  reasons?: Array<'Underutilized' | 'Empty' | 'Drifted'>;
  schedule?: string;
  duration?: string;
}

export interface NodePool {
  name: string;
  weight: number;
  labels: Record<string, string>;
  taints: Taint[];
  startupTaints: Taint[];
  requirements: Requirement[];
  nodeClassRef: NodeClassRef;
  /** Resource limits as Kubernetes quantities (`cpu: "1000"`, `memory: 1000Gi`). */
  limits: Record<string, string>;
  disruption: {
    consolidationPolicy: 'WhenEmpty' | 'WhenEmptyOrUnderutilized';
    consolidateAfter: string;
    budgets: DisruptionBudget[];
  };
  /** A duration such as `720h`, or `Never`. */
  expireAfter: string;
  terminationGracePeriod?: string;
}

export interface SelectorTerm {
  tags?: Record<string, string>;
  id?: string;
  name?: string;
  alias?: string;
  /** AMI terms only: owner account id, `self`, `amazon` or `aws-marketplace`, narrowing `name`. */
  owner?: string;
}

export interface KubeletConfig {
  maxPods?: number;
  podsPerCore?: number;
  kubeReserved?: Record<string, string>;
  systemReserved?: Record<string, string>;
  evictionHard?: Record<string, string>;
  clusterDNS?: string[];
  /** Soft eviction thresholds by signal, as evictionHard; each signal has a grace period in evictionSoftGracePeriod. */
  evictionSoft?: Record<string, string>;
  /** Grace period per soft eviction signal, as a Go duration the way Karpenter renders it (`1m30s`). */
  evictionSoftGracePeriod?: Record<string, string>;
  /** Seconds: the longest grace period a pod gets when a soft eviction threshold is met. */
  evictionMaxPodGracePeriod?: number;
  /** Disk usage percent (0-100) above which the kubelet always garbage-collects images. */
  imageGCHighThresholdPercent?: number;
  /** Disk usage percent (0-100) image garbage collection frees down to; below the high threshold. */
  imageGCLowThresholdPercent?: number;
  /** Whether the kubelet enforces CPU limits with CFS quota (the kubelet's default is true). */
  cpuCFSQuota?: boolean;
}

export interface BlockDeviceMapping {
  deviceName: string;
  ebs: {
    volumeSize?: string;
    volumeType?: string;
    iops?: number;
    throughput?: number;
    encrypted?: boolean;
    kmsKeyID?: string;
    deleteOnTermination?: boolean;
    /** EBS snapshot the volume is restored from (`snap-...`); volumeSize may then be left out. */
    snapshotID?: string;
  };
  rootVolume?: boolean;
}

export interface NodeClass {
  name: string;
  /** Legacy `amiFamily`: says how to write user data when no `alias` term names the family. */
  amiFamily?: 'AL2' | 'AL2023' | 'Bottlerocket' | 'Custom';
  amiSelectorTerms: SelectorTerm[];
  subnetSelectorTerms: SelectorTerm[];
  securityGroupSelectorTerms: SelectorTerm[];
  /** IAM role name; nodewright derives the instance profile from it. */
  role?: string;
  instanceProfile?: string;
  kubelet: KubeletConfig;
  blockDeviceMappings: BlockDeviceMapping[];
  tags: Record<string, string>;
  userData?: string;
  metadataOptions?: { httpTokens?: 'required' | 'optional'; httpPutResponseHopLimit?: number };
  /** CloudWatch detailed (1-minute) monitoring for the instances. */
  detailedMonitoring?: boolean;
  /** Whether instances get a public IPv4 address; absent means the subnet's own setting applies. */
  associatePublicIPAddress?: boolean;
  /** RAID0: stripe the instance-store NVMe disks and put kubelet and containerd state on them. */
  instanceStorePolicy?: 'RAID0';
}

// ---------------------------------------------------------------- EC2 view

export type CapacityType = 'spot' | 'on-demand';
export type InstanceState = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

export interface Instance {
  instanceId: string;
  instanceType: string;
  zone: string;
  capacityType: CapacityType;
  state: InstanceState;
  /** ISO 8601. */
  launchTime: string;
  tags: Record<string, string>;
  privateDnsName?: string;
}

export interface Subnet {
  subnetId: string;
  zone: string;
  availableIpAddressCount: number;
}

/** An AMI an amiSelectorTerm matched: what choosing among them needs. */
export interface MachineImage {
  imageId: string;
  name: string;
  /** amd64 or arm64 (EC2's x86_64 read as amd64); any other architecture as EC2 names it. */
  architecture: string;
  /** ISO 8601, as EC2 reports CreationDate. */
  creationDate: string;
}

/** One way to buy one node: an instance type in a zone with a capacity type. */
export interface Offering {
  instanceType: string;
  zone: string;
  capacityType: CapacityType;
}

export interface PricedOffering extends Offering {
  /** USD per hour. */
  price: number;
}

export interface SpotPrice {
  instanceType: string;
  zone: string;
  price: number;
  /** ISO 8601. */
  timestamp: string;
}

/** An offering recently refused for capacity; left out of plans until `until`. */
export interface UnavailableOffering extends Offering {
  /** ISO 8601. */
  until: string;
  reason: string;
}

export interface LaunchTemplateSpec {
  /** Deterministic name: the same spec always yields the same name. */
  name: string;
  imageId: string;
  securityGroupIds: string[];
  instanceProfile?: string;
  /** Plain text; the AWS adapter base64-encodes it as EC2 expects. */
  userData: string;
  blockDeviceMappings: BlockDeviceMapping[];
  metadataOptions: { httpTokens: 'required' | 'optional'; httpPutResponseHopLimit: number };
  tags: Record<string, string>;
  /** Set (true) only when detailed monitoring is on; absent means EC2's basic monitoring. */
  detailedMonitoring?: boolean;
  /** When set, the template carries a primary network interface with this public IP choice (and the security groups). */
  associatePublicIPAddress?: boolean;
}

export interface FleetOverride {
  instanceType: string;
  subnetId: string;
  zone: string;
  /** Lower is preferred; used by the `prioritized` and `capacity-optimized-prioritized` strategies. */
  priority?: number;
}

/** An EC2 CreateFleet request of type `instant` for one node, in the project's own terms. */
export interface FleetRequest {
  /** Idempotency token: the same token with the same request launches at most once. */
  clientToken: string;
  capacityType: CapacityType;
  allocationStrategy: 'price-capacity-optimized' | 'lowest-price' | 'capacity-optimized-prioritized' | 'prioritized';
  launchTemplateName: string;
  overrides: FleetOverride[];
  /** Tags put on the instance (and its volumes). */
  tags: Record<string, string>;
}

export interface FleetError {
  instanceType?: string;
  zone?: string;
  /** EC2 error code, for example `InsufficientInstanceCapacity`. */
  code: string;
  message: string;
}

export interface FleetResult {
  instances: Instance[];
  errors: FleetError[];
}

export interface ClusterInfo {
  name: string;
  endpoint: string;
  certificateAuthority: string;
  kubernetesVersion: string;
  serviceIpv4Cidr?: string;
}

// ---------------------------------------------------------------- Notices

/** What an event says is about to happen to one instance. */
export type NoticeKind =
  | 'spot-interruption'
  | 'rebalance-recommendation'
  | 'instance-stopping'
  | 'instance-stopped'
  | 'instance-shutting-down'
  | 'instance-terminated'
  | 'scheduled-change'
  | 'capacity-reservation-interruption'
  | 'asg-terminate'
  | 'operator-drill';

/** One normalized notice per instance, whatever the event it came from. */
export interface Notice {
  instanceId: string;
  kind: NoticeKind;
  /** ISO 8601 time by which the instance is expected to be gone; null when the event sets none. */
  deadline: string | null;
  /** ISO 8601 time of the event itself. */
  time: string;
  eventId: string;
  region: string;
  /** Only for `asg-terminate`: what CompleteLifecycleAction needs. */
  lifecycle?: {
    autoScalingGroupName: string;
    lifecycleHookName: string;
    lifecycleActionToken: string;
  };
}

/**
 * What the spot-interruption workflow does for one notice; decided by `shared/events` from the
 * notice's kind, carried in the execution input so the workflow itself holds no decision.
 */
export interface InterruptionAction {
  /** Launch replacement capacity for the node's pods. */
  replace: boolean;
  /** `now`: evict at once, in parallel with the launch; `after-replacement`: wait for the replacement to be Ready first. */
  drain: 'now' | 'after-replacement';
  /** ISO 8601: eviction retries stop here, and the instance is terminated whatever remains. */
  drainDeadline: string;
  /** Terminate the instance once drained (false when AWS or the Auto Scaling group owns that). */
  terminate: boolean;
  /** Complete the Auto Scaling lifecycle action at the end. */
  completeLifecycleAction: boolean;
}
