// The simulated world: one EC2 region and one EKS cluster on a virtual clock, wired together the
// way AWS and Kubernetes are. When an instance reaches running its kubelet registers a Node and
// reports Ready; when it shuts down the node goes NotReady, its pods die, and the cloud node
// lifecycle controller removes the Node. Interruptions are delivered on the scenario's schedule.
// Nothing here decides anything for nodewright: the handlers reach this world only through
// the ports in adapters.ts.

import { allocatable, nodeLabels } from '../provisioning/index.ts';
import { ephemeralStorageCapacityBytes } from '../provisioning/ephemeral-storage.ts';
import { honoursSoftEviction } from '../provisioning/launch-template.ts';
import type { NodeConfig } from '../config/index.ts';
import type { ClusterInfo, ClusterNode, LaunchTemplateSpec, UnavailableOffering } from '../types.ts';
import type { SimCatalog } from './catalog.ts';
import type { SimCluster } from './cluster.ts';
import type { VirtualClock } from './clock.ts';
import type { EventBridgeEvent } from './events.ts';
import type { InterruptionKind, SimEc2, SimInstance } from './ec2.ts';
import type { SeededRandom } from './random.ts';

import { NODECLASS_TAG as NODECLASS_LABEL, NODEPOOL_LABEL, NODEPOOL_TAG, REPLACES_TAG } from '../well-known.ts';

/** Which running instances an interruption may hit; every field given must match. */
export interface InterruptionTarget {
  capacityType?: 'spot' | 'on-demand';
  nodePool?: string;
  zone?: string;
  instanceType?: string;
}

export interface PlannedInterruption {
  /** Milliseconds after the start of the simulation. */
  atMs: number;
  kind: InterruptionKind;
  count: number;
  where: InterruptionTarget;
}

/** One interruption notice as delivered, with what the world looked like just before it. */
export interface DeliveredInterruption {
  instanceId: string;
  kind: InterruptionKind;
  at: number;
  nodeName?: string;
  instanceType: string;
  zone: string;
  capacityType: 'spot' | 'on-demand';
  /** USD per hour of every pending or running instance just before the notice. */
  hourlyCostBefore: number;
  event: EventBridgeEvent;
}

export interface SimWorldOptions {
  name: string;
  seed: number;
  region: string;
  account: string;
  start: Date;
  clusterInfo: ClusterInfo;
  nodeConfig: NodeConfig;
  clock: VirtualClock;
  random: SeededRandom;
  catalog: SimCatalog;
  ec2: SimEc2;
  cluster: SimCluster;
  /** Seconds from instance running to Node registered, drawn uniformly. */
  registerSeconds: [number, number];
  /** Seconds from Node registered to Ready, drawn uniformly. */
  readySeconds: [number, number];
  /** Seconds from instance terminated to Node object deleted, drawn uniformly. */
  nodeRemovalSeconds: [number, number];
  /** The release `@latest` AMI aliases resolve to; change it to simulate a new AMI. */
  amiRelease: string;
  plannedInterruptions: PlannedInterruption[];
}

export class SimWorld {
  readonly name: string;
  readonly seed: number;
  readonly region: string;
  readonly account: string;
  readonly start: Date;
  readonly clusterInfo: ClusterInfo;
  readonly nodeConfig: NodeConfig;
  readonly clock: VirtualClock;
  readonly random: SeededRandom;
  readonly catalog: SimCatalog;
  readonly ec2: SimEc2;
  readonly cluster: SimCluster;
  amiRelease: string;

  /** Offerings marked unavailable through the OfferingAvailabilityPort, by offering key. */
  readonly unavailableOfferings = new Map<string, UnavailableOffering>();
  /** Auto Scaling lifecycle actions completed through the LifecyclePort. */
  readonly completedLifecycleActions: Array<{ at: string; autoScalingGroupName: string; lifecycleHookName: string; lifecycleActionToken: string; instanceId: string }> = [];
  /** Messages sent to the dead-letter queue through the DeadLetterPort. */
  readonly deadLetters: Array<{ at: string; body: string; reason: string }> = [];
  /** Interruption notices delivered so far. */
  readonly interruptions: DeliveredInterruption[] = [];
  /** Planned interruptions that found fewer targets than asked for, and why. */
  readonly warnings: string[] = [];
  /** The cluster's hourly cost after every instance state change, oldest first. */
  readonly costHistory: Array<{ at: number; hourlyCost: number }> = [];

  private readonly options: SimWorldOptions;
  private interruptionsScheduled = false;

  constructor(options: SimWorldOptions) {
    this.options = options;
    this.name = options.name;
    this.seed = options.seed;
    this.region = options.region;
    this.account = options.account;
    this.start = options.start;
    this.clusterInfo = options.clusterInfo;
    this.nodeConfig = options.nodeConfig;
    this.clock = options.clock;
    this.random = options.random;
    this.catalog = options.catalog;
    this.ec2 = options.ec2;
    this.cluster = options.cluster;
    this.amiRelease = options.amiRelease;
    this.ec2.onStateChange((instance, previous) => {
      this.recordCost();
      this.instanceChanged(instance, previous);
    });
  }

  /** Samples the hourly cost now; createWorld calls it once the initial nodes exist. */
  recordCost(): void {
    this.costHistory.push({ at: this.clock.now().getTime(), hourlyCost: this.hourlyCost() });
  }

  /** USD per hour of the pending and running instances at `at` (from the samples taken so far). */
  hourlyCostAt(at: number): number {
    let cost: number | undefined;
    for (const sample of this.costHistory) {
      if (sample.at > at) break;
      cost = sample.hourlyCost;
    }
    return cost ?? this.hourlyCost();
  }

  /** Subscribes to every EventBridge event the region emits (what the SQS queue would receive). */
  onEvent(listener: (event: EventBridgeEvent) => void): void {
    this.ec2.onEvent(listener);
  }

  /** When the last planned interruption is due, as an absolute time. */
  lastPlannedInterruptionAt(): Date {
    const last = Math.max(0, ...this.options.plannedInterruptions.map((p) => p.atMs));
    return new Date(this.start.getTime() + last);
  }

  /** Arms timers that deliver the scenario's interruptions at their times; call once. */
  scheduleInterruptions(): void {
    if (this.interruptionsScheduled) throw new Error('interruptions are already scheduled');
    this.interruptionsScheduled = true;
    for (const planned of this.options.plannedInterruptions) {
      const delay = Math.max(0, this.start.getTime() + planned.atMs - this.clock.now().getTime());
      setTimeout(() => this.deliverPlanned(planned), delay);
    }
  }

  /** Delivers one notice for one instance now (also for tests and operator drills). */
  interrupt(instanceId: string, kind: InterruptionKind): DeliveredInterruption {
    const instance = this.ec2.instance(instanceId);
    if (!instance) throw new Error(`unknown instance ${instanceId}`);
    const hourlyCostBefore = this.hourlyCost();
    const node = this.cluster.findNodeByInstanceId(instanceId);
    const event = this.ec2.interrupt(instanceId, kind);
    const delivered: DeliveredInterruption = {
      instanceId, kind, at: this.clock.now().getTime(),
      instanceType: instance.instanceType, zone: instance.zone, capacityType: instance.capacityType,
      hourlyCostBefore, event,
      ...(node ? { nodeName: node.name } : {}),
    };
    this.interruptions.push(delivered);
    return delivered;
  }

  /** USD per hour of every instance that is pending or running now. */
  hourlyCost(): number {
    return this.ec2.allInstances()
      .filter((i) => i.state === 'pending' || i.state === 'running')
      .reduce((sum, i) => sum + i.hourlyPrice, 0);
  }

  /** The Node a kubelet on this instance registers: labels, taints and allocatable from its NodePool. */
  nodeFor(instance: SimInstance, createdAt: Date, ready: boolean): ClusterNode {
    const typeInfo = this.catalog.typeInfo(instance.instanceType);
    if (!typeInfo) throw new Error(`instance type ${instance.instanceType} is not in the catalog`);
    const name = instance.privateDnsName as string;
    const poolName = instance.tags[NODEPOOL_TAG];
    const pool = poolName ? this.nodeConfig.nodePools.find((p) => p.name === poolName) : undefined;
    const nodeClass = pool ? this.nodeConfig.nodeClasses.find((c) => c.name === pool.nodeClassRef.name) : undefined;
    const labels: Record<string, string> = {
      ...nodeLabels(typeInfo, instance.zone, instance.capacityType),
      ...(pool?.labels ?? {}),
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      ...(pool ? { [NODEPOOL_LABEL]: pool.name } : {}),
      ...(nodeClass ? { [NODECLASS_LABEL]: nodeClass.name } : {}),
    };
    const at = createdAt.toISOString();
    return {
      name,
      providerId: `aws:///${instance.zone}/${instance.instanceId}`,
      labels,
      annotations: { 'alpha.kubernetes.io/provided-node-ip': instance.privateIpAddress },
      taints: structuredClone(pool?.taints ?? []),
      unschedulable: false,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: at, reason: ready ? 'KubeletReady' : 'KubeletNotReady' }],
      createdAt: at,
      // What the kubelet reports: the same estimate the planners use, on this node class's disks.
      allocatable: nodeClass
        ? allocatable(typeInfo, nodeClass.kubelet, ephemeralStorageCapacityBytes(typeInfo, nodeClass), honoursSoftEviction(nodeClass))
        : allocatable(typeInfo, {}),
    };
  }

  /** Launch templates nodewright created, by name. */
  launchTemplate(name: string): LaunchTemplateSpec | undefined {
    return this.ec2.launchTemplate(name);
  }

  private deliverPlanned(planned: PlannedInterruption): void {
    const interrupted = new Set(this.interruptions.map((i) => i.instanceId));
    const spotOnly = planned.kind !== 'scheduled-change';
    const eligible = this.ec2.allInstances().filter((instance) => {
      if (instance.state !== 'running' || interrupted.has(instance.instanceId)) return false;
      if (spotOnly && instance.capacityType !== 'spot') return false;
      const where = planned.where;
      if (where.capacityType && instance.capacityType !== where.capacityType) return false;
      if (where.zone && instance.zone !== where.zone) return false;
      if (where.instanceType && instance.instanceType !== where.instanceType) return false;
      if (where.nodePool && instance.tags[NODEPOOL_TAG] !== where.nodePool) return false;
      // Only instances that carry a node: an interruption of a booting instance tells little.
      return this.cluster.findNodeByInstanceId(instance.instanceId) !== undefined;
    });
    const targets = this.random.sample(eligible.sort((a, b) => a.instanceId.localeCompare(b.instanceId)), planned.count);
    if (targets.length < planned.count) {
      this.warnings.push(
        `${planned.kind} at +${Math.round(planned.atMs / 1000)}s wanted ${planned.count} instance(s) matching ${JSON.stringify(planned.where)}, found ${targets.length}`,
      );
    }
    for (const target of targets) this.interrupt(target.instanceId, planned.kind);
  }

  private instanceChanged(instance: SimInstance, previous: string | undefined): void {
    if (instance.state === 'running' && previous === 'pending') {
      const registerMs = this.draw(this.options.registerSeconds);
      setTimeout(() => this.registerKubelet(instance.instanceId), registerMs);
      return;
    }
    if (instance.state === 'shutting-down' || instance.state === 'stopping') {
      const node = this.cluster.findNodeByInstanceId(instance.instanceId);
      if (node) this.cluster.nodeLost(node.name);
      return;
    }
    if (instance.state === 'terminated') {
      setTimeout(() => {
        const node = this.cluster.findNodeByInstanceId(instance.instanceId);
        if (node) this.cluster.deleteNode(node.name);
      }, this.draw(this.options.nodeRemovalSeconds));
    }
  }

  private registerKubelet(instanceId: string): void {
    const instance = this.ec2.instance(instanceId);
    if (!instance || instance.state !== 'running') return;
    if (this.cluster.findNodeByInstanceId(instanceId)) return;
    const node = this.nodeFor(instance, this.clock.now(), false);
    this.cluster.registerNode(node, instanceId);
    setTimeout(() => {
      const current = this.ec2.instance(instanceId);
      if (current?.state === 'running') this.cluster.setNodeReady(node.name, true, 'KubeletReady');
    }, this.draw(this.options.readySeconds));
  }

  private draw(range: [number, number]): number {
    return Math.round(this.random.between(range[0], range[1]) * 1000);
  }
}
