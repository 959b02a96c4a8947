// The multi-node planner's contract: what `planCapacity` takes and gives back. The CLI's
// `nodewright capacity` command and the benchmarks code against these names.
import type {
  CapacityType, NodeClass, NodePool, Pod, PricedOffering, Resources, SpotPrice, UnavailableOffering,
} from '../../types.ts';
import type { InstanceCatalog } from '../catalog/catalog.ts';

export interface CapacityRequest {
  /** Pods to place (DaemonSet pods NOT included here). */
  pods: Pod[];
  /** One template pod per DaemonSet: overhead on every new node it would run on. */
  daemonSets: Pod[];
  nodePools: NodePool[];
  nodeClasses: NodeClass[];
  region: string;
  /** Default: every zone of the region in the catalog. */
  zones?: string[];
  /** Empty means no spot prices, so no spot offerings; filling in simulated prices is the caller's job. */
  spotPrices: SpotPrice[];
  unavailable: UnavailableOffering[];
  now: Date;
}

export interface PlannedNode {
  nodePool: string;
  capacityType: CapacityType;
  /** Set when a constraint pins the node to one zone. */
  zone?: string;
  /** Ranked best first, at most 60 distinct instance types, ready for buildFleetRequest. */
  offerings: PricedOffering[];
  /** "namespace/name" of the pods the node is meant for. */
  pods: string[];
  /** Sum of the pods' requests plus the DaemonSet overhead on offerings[0]'s type. */
  requests: Resources;
  /** Price of offerings[0]. */
  hourlyPrice: number;
}

export interface CapacityPlan {
  nodes: PlannedNode[];
  unschedulable: Array<{ pod: string; reason: string }>;
  /** Sum of the nodes' hourlyPrice. */
  hourlyCost: number;
  excluded: Array<{ reason: string; count: number }>;
}

/** Seams for tests and benchmarks; production callers pass nothing and get the committed snapshot. */
export interface PlannerOptions {
  catalog?: InstanceCatalog;
  /** On-demand USD per hour; undefined when the type has no on-demand price. */
  onDemandPrice?: (region: string, instanceType: string) => number | undefined;
}
