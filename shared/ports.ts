// The narrow interfaces between nodewright's decisions and the outside world.
// Three adapters implement them: shared/aws (SDK v3), shared/k8s (@kubernetes/client-node) and
// shared/sim (in process). Each method states what it returns when the thing is already gone and
// which error means what, so handlers can be retried safely.
// Errors: adapters throw TransientError for throttling/5xx/timeouts (worth retrying) and let any
// other failure through as a plain Error (a bug or a permission problem, not worth retrying).

import type {
  ClusterInfo,
  ClusterNode,
  FleetRequest,
  FleetResult,
  Instance,
  LaunchTemplateSpec,
  NodeClass,
  NodePool,
  Offering,
  Pod,
  PodDisruptionBudget,
  MachineImage,
  SelectorTerm,
  SpotPrice,
  Subnet,
  Taint,
  UnavailableOffering,
} from './types.ts';

/** EC2. */
export interface ComputePort {
  /** The instance; undefined when EC2 does not know it (never launched, or terminated long ago). */
  describeInstance(instanceId: string): Promise<Instance | undefined>;
  /** Instances not yet terminated carrying tag `key` = `value`; empty when none. */
  findInstancesByTag(key: string, value: string): Promise<Instance[]>;
  /**
   * CreateFleet of type instant. Capacity refusals come back in `errors`, not as a throw.
   * Repeating a request with the same clientToken launches nothing new and returns the same instances.
   */
  createFleet(request: FleetRequest): Promise<FleetResult>;
  /** Terminates; an instance already shutting down, terminated or unknown returns 'already-gone'. */
  terminateInstance(instanceId: string): Promise<'terminating' | 'already-gone'>;
  /** The latest spot price of each (type, zone) pair that has one. */
  describeSpotPrices(instanceTypes: string[]): Promise<SpotPrice[]>;
  /** Subnets matching any of the terms; empty when none match. */
  resolveSubnets(terms: SelectorTerm[]): Promise<Subnet[]>;
  /** Security group ids matching any of the terms; empty when none match. */
  resolveSecurityGroups(terms: SelectorTerm[]): Promise<string[]>;
  /**
   * Available AMIs matching any of the terms (id, name with EC2's * and ? wildcards, tags, all
   * of a term's fields together; a name without an owner looks at the account's own and
   * Amazon's), each once; empty when none match.
   */
  resolveImages(terms: SelectorTerm[]): Promise<MachineImage[]>;
  /** Creates the launch template unless one of that name exists; returns its name either way. */
  ensureLaunchTemplate(spec: LaunchTemplateSpec): Promise<string>;
}

/**
 * The prices offerings are ranked with, USD per hour: the Price List API and EC2's spot price
 * history in AWS, the committed snapshot and the seeded spot model in the simulator.
 */
export interface PricingPort {
  /**
   * Brings the on-demand prices of the region up to date, unless those held are still fresh. On
   * failure it throws (TransientError when worth retrying) and keeps the prices it had, so
   * onDemandPrice still answers: from the committed snapshot until a refresh has succeeded.
   */
  refreshOnDemand(): Promise<void>;
  /** On-demand USD per hour of the type in the region; undefined when it is not sold on demand there. */
  onDemandPrice(region: string, instanceType: string): number | undefined;
  /**
   * The latest spot price of each (type, zone) pair of these types that has one, reused while
   * fresh; fails as ComputePort.describeSpotPrices does. The answer is for exactly these types,
   * whatever another caller asked for in between.
   */
  spotPrices(instanceTypes: string[]): Promise<SpotPrice[]>;
}

/** SSM parameters: public AMI aliases and nodewright's own stored configuration. */
export interface ParameterPort {
  /**
   * The image id for an alias such as `al2023@latest` or `bottlerocket@v1.20.0` on this Kubernetes
   * version and architecture (amd64 | arm64); throws ConfigurationNotFoundError when no such parameter.
   */
  resolveImageAlias(alias: string, kubernetesVersion: string, arch: string): Promise<string>;
}

/** NodePools and EC2NodeClasses in force for this cluster. */
export interface NodeConfigPort {
  /** The NodePool by name; undefined when none has that name. */
  nodePool(name: string): Promise<NodePool | undefined>;
  /** The EC2NodeClass by name; undefined when none has that name. */
  nodeClass(name: string): Promise<NodeClass | undefined>;
  /** Every NodePool, any order. */
  nodePools(): Promise<NodePool[]>;
}

/** EKS. */
export interface ClusterInfoPort {
  /** Endpoint, CA and version of the cluster nodewright serves; throws ConfigurationNotFoundError when it does not exist. */
  describeCluster(): Promise<ClusterInfo>;
}

/** The Kubernetes API. */
export interface ClusterPort {
  /** The node whose spec.providerID names this instance; undefined when none is registered. */
  findNodeByInstanceId(instanceId: string): Promise<ClusterNode | undefined>;
  /** The node by name; undefined when it is gone. */
  getNode(name: string): Promise<ClusterNode | undefined>;
  /** Every node. */
  listNodes(): Promise<ClusterNode[]>;
  /** Adds the taint unless present and marks the node unschedulable; false when the node is gone. */
  cordonNode(name: string, taint: Taint): Promise<boolean>;
  /** Pods bound to the node, any phase; empty when the node is gone. */
  listPodsOnNode(name: string): Promise<Pod[]>;
  /** Pods of the namespace whose labels match every pair of `selector` (matchLabels). */
  listPodsMatching(namespace: string, selector: Record<string, string>): Promise<Pod[]>;
  /** Pods of every namespace that are bound to a node and have not finished (not Succeeded or Failed). */
  listScheduledPods(): Promise<Pod[]>;
  /** PodDisruptionBudgets of every namespace. */
  listPodDisruptionBudgets(): Promise<PodDisruptionBudget[]>;
  /**
   * Asks the API server to evict the pod: 'evicted' when accepted, 'blocked' when a
   * PodDisruptionBudget refuses it now (HTTP 429), 'gone' when the pod no longer exists (404).
   */
  evictPod(namespace: string, name: string): Promise<'evicted' | 'blocked' | 'gone'>;
  /** Deletes the pod outright (forced paths only); a pod already gone is success. */
  deletePod(namespace: string, name: string): Promise<void>;
  /** Deletes the Node object; a node already gone is success. */
  deleteNode(name: string): Promise<void>;
}

/** Offerings refused for capacity, shared by every execution (DynamoDB with TTL in AWS). */
export interface OfferingAvailabilityPort {
  /** Records the offerings as unavailable until `until`; recording one twice keeps the later expiry. */
  markUnavailable(offerings: Offering[], until: Date, reason: string): Promise<void>;
  /** The entries that have not expired at `now`. */
  listUnavailable(now: Date): Promise<UnavailableOffering[]>;
}

/** Step Functions. */
export interface WorkflowPort {
  /**
   * Starts an execution of the named workflow; 'duplicate' when an execution of that name
   * already exists (Step Functions refuses the second start), which is success for the caller.
   */
  startExecution(workflow: WorkflowName, executionName: string, input: unknown): Promise<'started' | 'duplicate'>;
}

export type WorkflowName = 'spot-interruption';

/** EC2 Auto Scaling lifecycle hooks. */
export interface LifecyclePort {
  /** Completes the action with CONTINUE; an action already completed or expired is success. */
  completeLifecycleAction(input: {
    autoScalingGroupName: string;
    lifecycleHookName: string;
    lifecycleActionToken: string;
    instanceId: string;
  }): Promise<void>;
}

/** Where refused messages go, with their reason (the SQS dead-letter queue in AWS). */
export interface DeadLetterPort {
  send(body: string, reason: string): Promise<void>;
}

export interface Clock {
  now(): Date;
}

/** Everything a handler may reach; each composition root fills it with one family of adapters. */
export interface Ports {
  compute: ComputePort;
  pricing: PricingPort;
  parameters: ParameterPort;
  nodeConfig: NodeConfigPort;
  clusterInfo: ClusterInfoPort;
  cluster: ClusterPort;
  availability: OfferingAvailabilityPort;
  workflows: WorkflowPort;
  lifecycle: LifecyclePort;
  deadLetters: DeadLetterPort;
  clock: Clock;
  /** The AWS region the handlers act in. */
  region: string;
}
