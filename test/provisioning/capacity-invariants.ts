// What every capacity plan must satisfy, whatever the pods: each pod placed once or reported,
// each node's offerings able to hold its pods (accelerators of the kind they ask for too), ranked, of one capacity type, at most 60 types,
// and the topology constraints holding in the result.
import { expect } from 'vitest';
import {
  allocatable, canonicalLabelKey, catalog as snapshotCatalog, MAX_INSTANCE_TYPES, requirementsMatch,
  type CapacityPlan, type CapacityRequest, type InstanceTypeInfo, type PlannerOptions,
} from '../../shared/provisioning/index.ts';
import { ephemeralStorageCapacityBytes } from '../../shared/provisioning/ephemeral-storage.ts';
import { honoursSoftEviction } from '../../shared/provisioning/launch-template.ts';
import type { Pod, Requirement } from '../../shared/types.ts';

const ZONE = 'topology.kubernetes.io/zone';
const HOSTNAME = 'kubernetes.io/hostname';
const id = (p: Pod) => `${p.namespace}/${p.name}`;
const selects = (selector: Record<string, string>, namespace: string, pod: Pod) =>
  pod.namespace === namespace && Object.entries(selector).every(([k, v]) => pod.labels[k] === v);

function zoneAllowed(pod: Pod, zone: string): boolean {
  const zoneOnly = (reqs: Requirement[]) => reqs.filter((r) => canonicalLabelKey(r.key) === ZONE);
  const labels = { [ZONE]: zone };
  const selector = zoneOnly(Object.entries(pod.nodeSelector).map(([key, value]) => ({ key, operator: 'In' as const, values: [value] })));
  if (!requirementsMatch(selector, labels)) return false;
  return pod.requiredNodeAffinity.length === 0 || pod.requiredNodeAffinity.some((term) => requirementsMatch(zoneOnly(term), labels));
}

/** How many accelerators of a kind a type carries, read from the catalog (not through devices.ts). */
function carried(type: InstanceTypeInfo, kind: string): number {
  if (kind === 'aws.amazon.com/neuron') return type.accelerator?.manufacturer === 'aws' ? type.accelerator.count : 0;
  const maker = ({ 'nvidia.com/gpu': 'nvidia', 'amd.com/gpu': 'amd', 'habana.ai/gaudi': 'habana' } as Record<string, string>)[kind];
  return type.gpu !== undefined && type.gpu.manufacturer === maker ? type.gpu.count : 0;
}

export function expectValidPlan(plan: CapacityPlan, req: CapacityRequest, options: PlannerOptions = {}): void {
  const cat = options.catalog ?? snapshotCatalog();
  const byId = new Map(req.pods.map((p) => [id(p), p]));
  const seen = new Map<string, number>();
  for (const node of plan.nodes) for (const p of node.pods) seen.set(p, (seen.get(p) ?? 0) + 1);
  for (const u of plan.unschedulable) {
    seen.set(u.pod, (seen.get(u.pod) ?? 0) + 1);
    expect(u.reason.length).toBeGreaterThan(0);
  }
  for (const pod of req.pods) expect(seen.get(id(pod)), `pod ${id(pod)} placed or reported exactly once`).toBe(1);

  // What a type offers under a node class, computed once per pair (large plans list thousands).
  const allocatables = new Map<string, ReturnType<typeof allocatable>>();
  const allocatableOf = (typeName: string, nodeClass: CapacityRequest['nodeClasses'][number]) => {
    const key = `${typeName}|${nodeClass.name}`;
    let alloc = allocatables.get(key);
    if (!alloc) {
      const type = cat.get(typeName)!;
      alloc = allocatable(type, nodeClass.kubelet, ephemeralStorageCapacityBytes(type, nodeClass), honoursSoftEviction(nodeClass));
      allocatables.set(key, alloc);
    }
    return alloc;
  };
  const zoneOfPod = new Map<string, string>();
  let total = 0;
  for (const node of plan.nodes) {
    const pool = req.nodePools.find((p) => p.name === node.nodePool)!;
    const nodeClass = req.nodeClasses.find((c) => c.name === pool.nodeClassRef.name)!;
    const pods = node.pods.map((p) => byId.get(p)!);
    const cpu = pods.reduce((s, p) => s + p.requests.cpuMillis, 0);
    const mem = pods.reduce((s, p) => s + p.requests.memoryBytes, 0);
    const storage = pods.reduce((s, p) => s + (p.requests.ephemeralStorageBytes ?? 0), 0);
    // Accelerators: the kind each pod names (NVIDIA's when it names none), their sum per kind.
    const devices = new Map<string, number>();
    for (const p of pods) {
      if ((p.requests.gpus ?? 0) > 0) {
        const kind = p.requests.gpuResource ?? 'nvidia.com/gpu';
        devices.set(kind, (devices.get(kind) ?? 0) + p.requests.gpus!);
      }
    }
    expect(node.offerings.length).toBeGreaterThan(0);
    expect(new Set(node.offerings.map((o) => o.instanceType)).size).toBeLessThanOrEqual(MAX_INSTANCE_TYPES);
    expect(node.hourlyPrice).toBe(node.offerings[0]!.price);
    const prices = node.offerings.map((o) => o.price);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    // expect() only where a check fails: large plans list up to 60 offerings on thousands of nodes.
    for (const o of node.offerings) {
      if (o.capacityType !== node.capacityType) expect(o.capacityType).toBe(node.capacityType);
      if (node.zone && o.zone !== node.zone) expect(o.zone).toBe(node.zone);
      const alloc = allocatableOf(o.instanceType, nodeClass);
      if (cpu > alloc.cpuMillis) expect(cpu, `${o.instanceType} holds the node's CPU`).toBeLessThanOrEqual(alloc.cpuMillis);
      if (mem > alloc.memoryBytes) expect(mem, `${o.instanceType} holds the node's memory`).toBeLessThanOrEqual(alloc.memoryBytes);
      if (storage > alloc.ephemeralStorageBytes!) {
        expect(storage, `${o.instanceType} holds the node's ephemeral storage`).toBeLessThanOrEqual(alloc.ephemeralStorageBytes!);
      }
      for (const [kind, count] of devices) {
        const has = carried(cat.get(o.instanceType)!, kind);
        if (has < count) expect(has, `${o.instanceType} carries the node's ${count} ${kind}`).toBeGreaterThanOrEqual(count);
      }
    }
    const first = allocatableOf(node.offerings[0]!.instanceType, nodeClass);
    expect(node.requests.cpuMillis).toBeLessThanOrEqual(first.cpuMillis);
    expect(node.requests.memoryBytes).toBeLessThanOrEqual(first.memoryBytes);
    expect(node.requests.pods).toBeLessThanOrEqual(first.pods!);
    total += node.hourlyPrice;

    for (const pod of pods) {
      if (node.zone) zoneOfPod.set(id(pod), node.zone);
      for (const term of pod.podAntiAffinity) {
        const clash = pods.filter((other) => other !== pod && selects(term.labelSelector, pod.namespace, other));
        expect(clash.map(id), `anti-affinity of ${id(pod)}`).toEqual([]);
      }
      for (const c of pod.topologySpread) {
        if (c.topologyKey !== HOSTNAME || c.whenUnsatisfiable !== 'DoNotSchedule') continue;
        const matching = pods.filter((other) => selects(c.labelSelector, pod.namespace, other)).length;
        expect(matching, `hostname spread of ${id(pod)}`).toBeLessThanOrEqual(c.maxSkew);
      }
    }
  }
  expect(plan.hourlyCost).toBeCloseTo(total, 5);

  // Zone spread over pods that select themselves: per-zone counts within maxSkew of each other.
  const onNodes = new Set(plan.nodes.flatMap((n) => n.pods));
  const placed = req.pods.filter((p) => onNodes.has(id(p)));
  // Pods alike in namespace and spread selector have the same group: counted once (large plans).
  const checked = new Set<string>();
  for (const pod of placed) {
    for (const c of pod.topologySpread) {
      if (c.topologyKey !== ZONE || c.whenUnsatisfiable !== 'DoNotSchedule' || !selects(c.labelSelector, pod.namespace, pod)) continue;
      const key = `${pod.namespace}|${JSON.stringify(c)}|${JSON.stringify(pod.requiredNodeAffinity)}|${JSON.stringify(pod.nodeSelector)}`;
      if (checked.has(key)) continue;
      checked.add(key);
      const group = placed.filter((p) => selects(c.labelSelector, pod.namespace, p));
      const counts = new Map<string, number>();
      for (const p of group) {
        const zone = zoneOfPod.get(id(p));
        expect(zone, `zone-spread pod ${id(p)} is on a node pinned to a zone`).toBeDefined();
        counts.set(zone!, (counts.get(zone!) ?? 0) + 1);
      }
      // Domains are the zones the pod's own node selection allows (Kubernetes' nodeAffinityPolicy: Honor).
      const zones = (req.zones ?? [...counts.keys()]).filter((zone) => zoneAllowed(pod, zone));
      const values = zones.map((z) => counts.get(z) ?? 0);
      expect(Math.max(...values) - Math.min(...values), `zone spread of ${id(pod)} over ${JSON.stringify(c.labelSelector)}`).toBeLessThanOrEqual(c.maxSkew);
    }
  }
}
