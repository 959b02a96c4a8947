// A simulated Kubernetes cluster: nodes, pods, PodDisruptionBudgets, Deployments and DaemonSets,
// the eviction subresource, a scheduler, and the controllers that replace lost pods. It records
// what happened (cordons, bindings, evictions, kills, PDB violations) for the metrics.
// Time passes through setTimeout, which the VirtualClock fakes.

import type { Clock } from '../ports.ts';
import type {
  ClusterNode, NodeCondition, Pod, PodAntiAffinityTerm, PodDisruptionBudget, Requirement, Resources, Taint, Toleration,
  TopologySpreadConstraint,
} from '../types.ts';
import { evictionAllowed, pdbStatus, selects, type PdbStatus } from './pdb.ts';
import type { SeededRandom } from './random.ts';
import { PodTopology, type BoundPod } from './pod-topology.ts';
import { addRequests, isNodeReady, leastAllocatedScore, unschedulableReason } from '../scheduling-filters.ts';

export interface PodTemplate {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  requests: Resources;
  nodeSelector: Record<string, string>;
  requiredNodeAffinity: Requirement[][];
  tolerations: Toleration[];
  priority?: number;
  terminationGracePeriodSeconds?: number;
  topologySpread?: TopologySpreadConstraint[];
  podAntiAffinity?: PodAntiAffinityTerm[];
  podAffinity?: PodAntiAffinityTerm[];
}

export interface DeploymentSpec {
  namespace: string;
  name: string;
  replicas: number;
  template: PodTemplate;
}

export interface DaemonSetSpec {
  namespace: string;
  name: string;
  template: PodTemplate;
}

export interface SimClusterOptions {
  clock: Clock;
  random: SeededRandom;
  /** The scheduler runs this long after the change that triggered it, batching changes. */
  schedulerDelayMs: number;
  /** Seconds from binding to Running and Ready, drawn uniformly. */
  podStartSeconds: [number, number];
  /** Seconds an evicted pod takes to shut down, drawn uniformly, capped by its grace period. */
  podStopSeconds: [number, number];
}

/** How a pod stopped being part of the cluster. */
export type PodStopCause = 'eviction' | 'deletion' | 'node-lost' | 'node-deleted';

/** What the cluster observed, in order; the metrics are computed from this, not from the handlers. */
export type ClusterRecord =
  | { type: 'node-registered'; at: number; node: string; instanceId: string }
  | { type: 'node-ready'; at: number; node: string; instanceId: string }
  | { type: 'node-cordoned'; at: number; node: string; instanceId: string }
  | { type: 'node-removed'; at: number; node: string; instanceId: string }
  | { type: 'pod-stopped'; at: number; pod: string; node: string; cause: PodStopCause; ownerKind?: string }
  | { type: 'pod-bound'; at: number; pod: string; node: string; pendingMs: number; displacedFrom?: string }
  | { type: 'pdb-violation'; at: number; pdb: string; pod: string; node: string; cause: PodStopCause };

interface PodRecord {
  pod: Pod;
  ready: boolean;
  /** Has a deletionTimestamp: no longer counted healthy, resources held until it is gone. */
  terminating: boolean;
  createdAt: number;
  controller?: { kind: 'Deployment' | 'DaemonSet'; key: string };
  /** The node whose loss of a pod made its controller create this one. */
  displacedFrom?: string;
}

interface NodeRecord {
  node: ClusterNode;
  instanceId: string;
  /** The instance behind it is gone: kubelet no longer runs anything. */
  lost: boolean;
}

interface ControllerRecord {
  uid: string;
  templateHash: string;
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export class SimCluster {
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly pods = new Map<string, PodRecord>();
  private readonly pdbs: PodDisruptionBudget[] = [];
  private readonly deployments = new Map<string, DeploymentSpec & ControllerRecord>();
  private readonly daemonSets = new Map<string, DaemonSetSpec & ControllerRecord>();
  private readonly records: ClusterRecord[] = [];
  private schedulingPending = false;

  constructor(private readonly options: SimClusterOptions) {}

  // ------------------------------------------------------------ objects the scenario creates

  addDeployment(spec: DeploymentSpec): void {
    const key = `${spec.namespace}/${spec.name}`;
    if (this.deployments.has(key)) throw new Error(`Deployment ${key} already exists`);
    this.deployments.set(key, { ...structuredClone(spec), uid: this.options.random.uuid(), templateHash: this.randomName(10) });
    for (let i = 0; i < spec.replicas; i++) this.createDeploymentPod(key, undefined);
  }

  addDaemonSet(spec: DaemonSetSpec): void {
    const key = `${spec.namespace}/${spec.name}`;
    if (this.daemonSets.has(key)) throw new Error(`DaemonSet ${key} already exists`);
    this.daemonSets.set(key, { ...structuredClone(spec), uid: this.options.random.uuid(), templateHash: '' });
    for (const record of this.nodes.values()) if (!record.lost) this.createDaemonPod(key, record.node.name);
  }

  addPodDisruptionBudget(pdb: PodDisruptionBudget): void {
    if (this.pdbs.some((p) => p.namespace === pdb.namespace && p.name === pdb.name)) {
      throw new Error(`PodDisruptionBudget ${pdb.namespace}/${pdb.name} already exists`);
    }
    this.pdbs.push(structuredClone(pdb));
  }

  /**
   * Binds every Pending pod and makes every bound pod Running and Ready at once: the state of a
   * cluster that has been up for a while when the simulation starts.
   */
  settleInitialPlacement(): void {
    this.schedule();
    for (const record of this.pods.values()) {
      if (record.pod.nodeName && record.pod.phase === 'Pending') {
        record.pod.phase = 'Running';
        record.ready = true;
      }
    }
  }

  // ------------------------------------------------------------ what kubelet and the cloud controller do

  /** A kubelet registers its Node (not Ready yet unless its conditions say so). */
  registerNode(node: ClusterNode, instanceId: string): void {
    if (this.nodes.has(node.name)) throw new Error(`Node ${node.name} already exists`);
    this.nodes.set(node.name, { node: structuredClone(node), instanceId, lost: false });
    this.record({ type: 'node-registered', node: node.name, instanceId });
    for (const key of this.daemonSets.keys()) this.createDaemonPod(key, node.name);
    if (isNodeReady(node)) this.nodeBecameReady(node.name);
  }

  setNodeReady(name: string, ready: boolean, reason: string): void {
    const record = this.nodes.get(name);
    if (!record) return;
    const status = ready ? 'True' : record.lost ? 'Unknown' : 'False';
    const previous = record.node.conditions.find((c) => c.type === 'Ready');
    if (previous?.status === status) return;
    const condition: NodeCondition = { type: 'Ready', status, lastTransitionTime: this.now().toISOString(), reason };
    record.node.conditions = [...record.node.conditions.filter((c) => c.type !== 'Ready'), condition];
    if (ready) this.nodeBecameReady(name);
  }

  /**
   * The instance behind the node stopped: the node stops reporting (Ready Unknown) and every pod
   * on it dies; controllers create replacements elsewhere.
   */
  nodeLost(name: string): void {
    const record = this.nodes.get(name);
    if (!record || record.lost) return;
    record.lost = true;
    this.setNodeReady(name, false, 'NodeStatusUnknown');
    for (const pod of this.podRecordsOn(name)) this.stopPod(pod, 'node-lost', true);
  }

  // ------------------------------------------------------------ the Kubernetes API

  getNode(name: string): ClusterNode | undefined {
    const record = this.nodes.get(name);
    return record ? structuredClone(record.node) : undefined;
  }

  listNodes(): ClusterNode[] {
    return [...this.nodes.values()].map((r) => structuredClone(r.node));
  }

  findNodeByInstanceId(instanceId: string): ClusterNode | undefined {
    for (const record of this.nodes.values()) {
      if (record.node.providerId?.endsWith(`/${instanceId}`)) return structuredClone(record.node);
    }
    return undefined;
  }

  instanceIdOfNode(name: string): string | undefined {
    return this.nodes.get(name)?.instanceId;
  }

  cordonNode(name: string, taint: Taint): boolean {
    const record = this.nodes.get(name);
    if (!record) return false;
    const node = record.node;
    if (!node.taints.some((t) => t.key === taint.key && t.effect === taint.effect)) node.taints.push({ ...taint });
    if (!node.unschedulable) {
      node.unschedulable = true;
      this.record({ type: 'node-cordoned', node: name, instanceId: record.instanceId });
    }
    return true;
  }

  listPodsOnNode(name: string): Pod[] {
    if (!this.nodes.has(name)) return [];
    return this.podRecordsOn(name).map((r) => this.podView(r));
  }

  listPods(): Pod[] {
    return [...this.pods.values()].map((r) => this.podView(r));
  }

  listPodDisruptionBudgets(): PodDisruptionBudget[] {
    return structuredClone(this.pdbs);
  }

  /** The eviction subresource. Throws, as the API server does (HTTP 500), when more than one PDB covers the pod. */
  evictPod(namespace: string, name: string): 'evicted' | 'blocked' | 'gone' {
    const record = this.pods.get(`${namespace}/${name}`);
    if (!record) return 'gone';
    // Pending, finished or already terminating pods are not protected by budgets.
    const ignoresBudgets = record.terminating || record.pod.phase !== 'Running';
    if (!ignoresBudgets) {
      const budgets = this.budgetsCovering(record);
      if (budgets.length > 1) {
        throw new Error(`This pod has more than one PodDisruptionBudget, which the eviction subresource does not support: ${namespace}/${name}`);
      }
      const budget = budgets[0];
      if (budget && !evictionAllowed(this.pdbStatus(budget), record.ready)) return 'blocked';
    }
    this.stopPod(record, 'eviction', false);
    return 'evicted';
  }

  /** Deletes the pod at once (grace period 0); a pod already gone is success. */
  deletePod(namespace: string, name: string): void {
    const record = this.pods.get(`${namespace}/${name}`);
    if (record) this.stopPod(record, 'deletion', true);
  }

  /** Deletes the Node object; the pod garbage collector then removes the pods bound to it. */
  deleteNode(name: string): void {
    const record = this.nodes.get(name);
    if (!record) return;
    for (const pod of this.podRecordsOn(name)) this.stopPod(pod, 'node-deleted', true);
    this.nodes.delete(name);
    this.record({ type: 'node-removed', node: name, instanceId: record.instanceId });
    this.requestScheduling();
  }

  // ------------------------------------------------------------ observation

  /** The budget's status as the disruption controller would write it now. */
  pdbStatus(pdb: PodDisruptionBudget): PdbStatus {
    const covered = [...this.pods.values()].filter((r) => r.pod.namespace === pdb.namespace && selects(pdb.selector, r.pod.labels));
    return pdbStatus(
      pdb,
      covered.map((r) => {
        const scale = this.controllerScale(r);
        return { healthy: isHealthy(r), ...(scale ? { controller: scale } : {}) };
      }),
    );
  }

  history(): readonly ClusterRecord[] {
    return this.records;
  }

  /** Pods Pending now, with how long each has waited and the node it was displaced from. */
  pendingPods(): Array<{ pod: string; waitingMs: number; displacedFrom?: string }> {
    const now = this.now().getTime();
    return [...this.pods.values()]
      .filter((r) => r.pod.nodeName === undefined)
      .map((r) => ({ pod: podKey(r.pod), waitingMs: now - r.createdAt, ...(r.displacedFrom ? { displacedFrom: r.displacedFrom } : {}) }));
  }

  // ------------------------------------------------------------ internals

  private createDeploymentPod(key: string, displacedFrom: string | undefined): void {
    const deployment = this.deployments.get(key) as DeploymentSpec & ControllerRecord;
    const name = `${deployment.name}-${deployment.templateHash}-${this.randomName(5)}`;
    this.addPod(deployment.namespace, name, deployment.template, 'ReplicaSet', { kind: 'Deployment', key }, undefined, displacedFrom);
  }

  private createDaemonPod(key: string, nodeName: string): void {
    const daemonSet = this.daemonSets.get(key) as DaemonSetSpec & ControllerRecord;
    // DaemonSet pods tolerate the taints the node lifecycle puts on nodes, cordons included.
    const template: PodTemplate = {
      ...daemonSet.template,
      tolerations: [...daemonSet.template.tolerations, { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
    };
    const name = `${daemonSet.name}-${this.randomName(5)}`;
    const record = this.addPod(daemonSet.namespace, name, template, 'DaemonSet', { kind: 'DaemonSet', key }, nodeName, undefined);
    const node = this.nodes.get(nodeName);
    if (node && isNodeReady(node.node)) this.startPodSoon(record);
  }

  private addPod(
    namespace: string, name: string, template: PodTemplate, ownerKind: string,
    controller: PodRecord['controller'], nodeName: string | undefined, displacedFrom: string | undefined,
  ): PodRecord {
    const pod: Pod = {
      namespace,
      name,
      uid: this.options.random.uuid(),
      phase: 'Pending',
      labels: { ...template.labels },
      annotations: { ...template.annotations },
      ownerKind,
      requests: { ...template.requests },
      nodeSelector: { ...template.nodeSelector },
      requiredNodeAffinity: structuredClone(template.requiredNodeAffinity),
      tolerations: structuredClone(template.tolerations),
      topologySpread: structuredClone(template.topologySpread ?? []),
      podAntiAffinity: structuredClone(template.podAntiAffinity ?? []),
      ...(template.podAffinity ? { podAffinity: structuredClone(template.podAffinity) } : {}),
      ...(nodeName ? { nodeName } : {}),
      ...(template.priority !== undefined ? { priority: template.priority } : {}),
      ...(template.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: template.terminationGracePeriodSeconds } : {}),
    };
    const record: PodRecord = {
      pod, ready: false, terminating: false, createdAt: this.now().getTime(),
      ...(controller ? { controller } : {}),
      ...(displacedFrom ? { displacedFrom } : {}),
    };
    this.pods.set(podKey(pod), record);
    if (!nodeName) this.requestScheduling();
    return record;
  }

  /**
   * Takes a pod out of service. `immediately`: its containers are already dead (node lost,
   * forced delete); otherwise it shuts down within its grace period. Either way its controller
   * creates a replacement at once, as a ReplicaSet does when a pod gets a deletionTimestamp.
   */
  private stopPod(record: PodRecord, cause: PodStopCause, immediately: boolean): void {
    const key = podKey(record.pod);
    const node = record.pod.nodeName ?? '';
    if (!record.terminating) {
      if (isHealthy(record)) {
        for (const pdb of this.budgetsCovering(record)) {
          if (this.pdbStatus(pdb).disruptionsAllowed === 0) {
            this.record({ type: 'pdb-violation', pdb: `${pdb.namespace}/${pdb.name}`, pod: key, node, cause });
          }
        }
      }
      record.terminating = true;
      record.ready = false;
      this.record({ type: 'pod-stopped', pod: key, node, cause, ...(record.pod.ownerKind ? { ownerKind: record.pod.ownerKind } : {}) });
      this.replace(record, cause);
    }
    const remove = (): void => {
      if (this.pods.get(key) !== record) return;
      this.pods.delete(key);
      this.requestScheduling();
    };
    if (immediately) {
      remove();
      return;
    }
    const grace = record.pod.terminationGracePeriodSeconds ?? 30;
    const seconds = Math.min(grace, this.options.random.between(...this.options.podStopSeconds));
    setTimeout(remove, Math.round(seconds * 1000));
  }

  private replace(record: PodRecord, cause: PodStopCause): void {
    const controller = record.controller;
    if (!controller) return;
    const from = record.pod.nodeName;
    if (controller.kind === 'Deployment') {
      if (this.deployments.has(controller.key)) this.createDeploymentPod(controller.key, from);
      return;
    }
    // A DaemonSet pod is recreated only on its own node, and only while that node still runs.
    const node = from ? this.nodes.get(from) : undefined;
    if (cause === 'eviction' || cause === 'deletion') {
      if (node && !node.lost && this.daemonSets.has(controller.key)) this.createDaemonPod(controller.key, node.node.name);
    }
  }

  private nodeBecameReady(name: string): void {
    const node = this.nodes.get(name) as NodeRecord;
    this.record({ type: 'node-ready', node: name, instanceId: node.instanceId });
    for (const record of this.podRecordsOn(name)) if (record.pod.phase === 'Pending') this.startPodSoon(record);
    this.requestScheduling();
  }

  private startPodSoon(record: PodRecord): void {
    const ms = Math.round(this.options.random.between(...this.options.podStartSeconds) * 1000);
    setTimeout(() => {
      const node = record.pod.nodeName ? this.nodes.get(record.pod.nodeName) : undefined;
      if (this.pods.get(podKey(record.pod)) !== record || record.terminating || !node || node.lost) return;
      record.pod.phase = 'Running';
      record.ready = true;
    }, ms);
  }

  private requestScheduling(): void {
    if (this.schedulingPending) return;
    this.schedulingPending = true;
    setTimeout(() => {
      this.schedulingPending = false;
      this.schedule();
    }, this.options.schedulerDelayMs);
  }

  /** One scheduling pass: highest priority first, then oldest; each pod to the least-allocated feasible node. */
  private schedule(): void {
    const pending = [...this.pods.values()]
      .filter((r) => r.pod.nodeName === undefined && !r.terminating)
      .sort((a, b) => (b.pod.priority ?? 0) - (a.pod.priority ?? 0) || a.createdAt - b.createdAt);
    if (pending.length === 0) return;
    const usage = this.nodeUsage();
    const nodes = [...this.nodes.values()].filter((n) => !n.lost).map((n) => n.node).sort((a, b) => a.name.localeCompare(b.name));
    const byName = new Map(nodes.map((n) => [n.name, n]));
    const bound: BoundPod[] = [];
    for (const r of this.pods.values()) {
      const node = r.pod.nodeName === undefined ? undefined : byName.get(r.pod.nodeName);
      if (node) bound.push({ pod: r.pod, node, terminating: r.terminating });
    }
    const topology = new PodTopology(nodes, bound);
    const now = this.now().getTime();
    for (const record of pending) {
      let best: { node: ClusterNode; score: number } | undefined;
      for (const node of nodes) {
        const used = usage.get(node.name) as Resources;
        if (unschedulableReason(record.pod, node, used) !== undefined) continue;
        if (topology.reason(record.pod, node) !== undefined) continue;
        const score = leastAllocatedScore(record.pod.requests, used, node.allocatable as Resources);
        if (!best || score > best.score) best = { node, score };
      }
      if (!best) continue;
      record.pod.nodeName = best.node.name;
      topology.bind(record.pod, best.node);
      usage.set(best.node.name, addRequests(usage.get(best.node.name) as Resources, record.pod.requests));
      this.record({
        type: 'pod-bound', pod: podKey(record.pod), node: best.node.name, pendingMs: now - record.createdAt,
        ...(record.displacedFrom ? { displacedFrom: record.displacedFrom } : {}),
      });
      this.startPodSoon(record);
    }
  }

  private nodeUsage(): Map<string, Resources> {
    const usage = new Map<string, Resources>();
    for (const name of this.nodes.keys()) usage.set(name, { cpuMillis: 0, memoryBytes: 0, pods: 0 });
    for (const record of this.pods.values()) {
      const name = record.pod.nodeName;
      if (name && usage.has(name)) usage.set(name, addRequests(usage.get(name) as Resources, record.pod.requests));
    }
    return usage;
  }

  private budgetsCovering(record: PodRecord): PodDisruptionBudget[] {
    return this.pdbs.filter((p) => p.namespace === record.pod.namespace && selects(p.selector, record.pod.labels));
  }

  private controllerScale(record: PodRecord): { uid: string; scale: number } | undefined {
    if (record.controller?.kind !== 'Deployment') return undefined;
    const deployment = this.deployments.get(record.controller.key);
    return deployment ? { uid: deployment.uid, scale: deployment.replicas } : undefined;
  }

  private podRecordsOn(nodeName: string): PodRecord[] {
    return [...this.pods.values()].filter((r) => r.pod.nodeName === nodeName);
  }

  private podView(record: PodRecord): Pod {
    return structuredClone(record.pod);
  }

  private randomName(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += NAME_CHARS[this.options.random.int(0, NAME_CHARS.length - 1)];
    return out;
  }

  private record(entry: DistributiveOmit<ClusterRecord, 'at'>): void {
    this.records.push({ ...entry, at: this.now().getTime() } as ClusterRecord);
  }

  private now(): Date {
    return this.options.clock.now();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function podKey(pod: Pod): string {
  return `${pod.namespace}/${pod.name}`;
}

/** Healthy as the disruption controller counts it: Running, Ready and not being deleted. */
function isHealthy(record: PodRecord): boolean {
  return !record.terminating && record.pod.phase === 'Running' && record.ready;
}
