// Kubernetes API objects (as @kubernetes/client-node deserializes them) to the domain model of
// shared/types.ts. Decisions never see a V1Pod: they see requests in fixed units and constraints
// in the project's own shapes, computed here once.

import type {
  V1Container,
  V1LabelSelector,
  V1Node,
  V1NodeSelectorTerm,
  V1Pod,
  V1PodAffinityTerm,
  V1PodDisruptionBudget,
  V1Taint,
  V1Toleration,
} from '@kubernetes/client-node';
import { InvalidInputError } from '../errors.ts';
import type {
  ClusterNode,
  NodeCondition,
  Pod,
  PodAntiAffinityTerm,
  PodDisruptionBudget,
  PodPhase,
  Requirement,
  RequirementOperator,
  Resources,
  Taint,
  TaintEffect,
  Toleration,
  TopologySpreadConstraint,
} from '../types.ts';
import { parseBytes, parseCount, parseCpuMillis } from '../quantity.ts';
import { ACCELERATOR_RESOURCES } from '../well-known.ts';

export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

const TAINT_EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const NODE_SELECTOR_OPERATORS: readonly RequirementOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];
const POD_PHASES: readonly PodPhase[] = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];

/** Every resource a pod request can carry that the domain model tracks, always present. */
interface ResourceVector {
  cpuMillis: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
  gpus: number;
  /** The ACCELERATOR_RESOURCES entry gpus counts (a pod may ask for one kind), when gpus > 0. */
  device?: string;
}

type ResourceList = { [name: string]: string } | undefined;

const ZERO: ResourceVector = { cpuMillis: 0, memoryBytes: 0, ephemeralStorageBytes: 0, gpus: 0 };

function vectorOf(list: ResourceList, field: string): ResourceVector {
  if (!list) return { ...ZERO };
  let gpus = 0;
  let device: string | undefined;
  for (const name of ACCELERATOR_RESOURCES) {
    const value = list[name];
    if (value === undefined) continue;
    const count = parseCount(value, `${field}["${name}"]`);
    if (count === 0) continue;
    if (device) throw new InvalidInputError(twoDevices(`${field}["${name}"]`, device, name));
    gpus = count;
    device = name;
  }
  return {
    cpuMillis: list.cpu === undefined ? 0 : parseCpuMillis(list.cpu, `${field}.cpu`),
    memoryBytes: list.memory === undefined ? 0 : parseBytes(list.memory, `${field}.memory`),
    ephemeralStorageBytes:
      list['ephemeral-storage'] === undefined ? 0 : parseBytes(list['ephemeral-storage'], `${field}["ephemeral-storage"]`),
    gpus,
    ...(device ? { device } : {}),
  };
}

const twoDevices = (field: string, first: string, second: string) =>
  `${field}: the pod asks for ${first} and ${second}; no instance type has both kinds of accelerator`;

function add(a: ResourceVector, b: ResourceVector): ResourceVector {
  return {
    cpuMillis: a.cpuMillis + b.cpuMillis,
    memoryBytes: a.memoryBytes + b.memoryBytes,
    ephemeralStorageBytes: a.ephemeralStorageBytes + b.ephemeralStorageBytes,
    gpus: a.gpus + b.gpus,
    ...mergedDevice(a, b),
  };
}

/** The device a sum or maximum of two vectors counts (effectiveRequests has refused two kinds). */
const mergedDevice = (a: ResourceVector, b: ResourceVector) => {
  const device = a.device ?? b.device;
  return device ? { device } : {};
};

function max(a: ResourceVector, b: ResourceVector): ResourceVector {
  return {
    cpuMillis: Math.max(a.cpuMillis, b.cpuMillis),
    memoryBytes: Math.max(a.memoryBytes, b.memoryBytes),
    ephemeralStorageBytes: Math.max(a.ephemeralStorageBytes, b.ephemeralStorageBytes),
    gpus: Math.max(a.gpus, b.gpus),
    ...mergedDevice(a, b),
  };
}

function toResources(v: ResourceVector): Resources {
  const resources: Resources = { cpuMillis: v.cpuMillis, memoryBytes: v.memoryBytes };
  if (v.ephemeralStorageBytes > 0) resources.ephemeralStorageBytes = v.ephemeralStorageBytes;
  if (v.gpus > 0) {
    resources.gpus = v.gpus;
    if (v.device) resources.gpuResource = v.device;
  }
  return resources;
}

export interface PodResourceSpec {
  containers?: V1Container[];
  initContainers?: V1Container[];
  overhead?: { [name: string]: string };
}

/**
 * What the scheduler reserves for a pod (kube-scheduler's NodeResourcesFit, Kubernetes >= 1.29):
 * regular containers and restartable init containers (sidecars) run together, so they add up;
 * a classic init container runs alone, next to the sidecars started before it, so it only raises
 * the floor; the RuntimeClass overhead comes on top. A container without a request counts zero.
 */
export function effectiveRequests(spec: PodResourceSpec, field = 'spec'): Resources {
  // One kind of accelerator per pod: every list is read through here, which refuses a second.
  let device: string | undefined;
  const read = (list: ResourceList, at: string): ResourceVector => {
    const vector = vectorOf(list, at);
    if (vector.device && device && vector.device !== device) {
      throw new InvalidInputError(twoDevices(`${at}["${vector.device}"]`, device, vector.device));
    }
    device ??= vector.device;
    return vector;
  };
  let running = { ...ZERO };
  (spec.containers ?? []).forEach((container, i) => {
    running = add(running, read(container.resources?.requests, `${field}.containers[${i}].resources.requests`));
  });
  let sidecars = { ...ZERO };
  let initFloor = { ...ZERO };
  (spec.initContainers ?? []).forEach((container, i) => {
    const requests = read(container.resources?.requests, `${field}.initContainers[${i}].resources.requests`);
    if (container.restartPolicy === 'Always') {
      running = add(running, requests);
      sidecars = add(sidecars, requests);
      initFloor = max(initFloor, sidecars);
    } else {
      initFloor = max(initFloor, add(requests, sidecars));
    }
  });
  const total = add(max(running, initFloor), read(spec.overhead, `${field}.overhead`));
  return toResources(total);
}

// ---------------------------------------------------------------- nodes

export function toClusterNode(node: V1Node): ClusterNode {
  const name = node.metadata?.name;
  if (!name) throw new InvalidInputError('node metadata.name: missing');
  const where = `node ${name}`;
  const allocatable = node.status?.allocatable;
  const clusterNode: ClusterNode = {
    name,
    labels: { ...node.metadata?.labels },
    annotations: { ...node.metadata?.annotations },
    taints: (node.spec?.taints ?? []).map((taint, i) => toTaint(taint, `${where} spec.taints[${i}]`)),
    unschedulable: node.spec?.unschedulable === true,
    conditions: (node.status?.conditions ?? []).map((c) => {
      const condition: NodeCondition = { type: c.type, status: conditionStatus(c.status) };
      const since = isoTime(c.lastTransitionTime);
      if (since) condition.lastTransitionTime = since;
      if (c.reason) condition.reason = c.reason;
      return condition;
    }),
    createdAt: requiredTime(node.metadata?.creationTimestamp, `${where} metadata.creationTimestamp`),
  };
  if (node.spec?.providerID) clusterNode.providerId = node.spec.providerID;
  if (allocatable) {
    const field = `${where} status.allocatable`;
    const vector = vectorOf(allocatable, field);
    const resources = toResources(vector);
    if (allocatable.pods !== undefined) resources.pods = parseCount(allocatable.pods, `${field}.pods`);
    clusterNode.allocatable = resources;
  }
  return clusterNode;
}

function toTaint(taint: V1Taint, field: string): Taint {
  const result: Taint = { key: taint.key, effect: taintEffect(taint.effect, `${field}.effect`) };
  if (taint.value !== undefined && taint.value !== '') result.value = taint.value;
  return result;
}

function taintEffect(effect: string, field: string): TaintEffect {
  if ((TAINT_EFFECTS as readonly string[]).includes(effect)) return effect as TaintEffect;
  throw new InvalidInputError(`${field}: "${effect}" is not a taint effect (${TAINT_EFFECTS.join(', ')})`);
}

function conditionStatus(status: string): NodeCondition['status'] {
  return status === 'True' || status === 'False' ? status : 'Unknown';
}

// The client deserializes date-time fields into Date; tolerate strings for objects built by hand.
function isoTime(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function requiredTime(value: Date | string | undefined, field: string): string {
  const iso = isoTime(value);
  if (!iso) throw new InvalidInputError(`${field}: ${JSON.stringify(value)} is not a timestamp`);
  return iso;
}

// ---------------------------------------------------------------- pods

/**
 * Converts a pod. Parts of its constraints the domain model cannot express are left out and, when
 * `notes` is given, described there so callers can log what the decision did not see.
 */
export function toPod(pod: V1Pod, notes?: string[]): Pod {
  const namespace = pod.metadata?.namespace;
  const name = pod.metadata?.name;
  if (!namespace || !name) {
    throw new InvalidInputError(`pod metadata.namespace/name: missing (got ${JSON.stringify({ namespace, name })})`);
  }
  const where = `pod ${namespace}/${name}`;
  const note = (text: string) => notes?.push(`${where}: ${text}`);
  const spec = pod.spec;
  const annotations = { ...pod.metadata?.annotations };
  const result: Pod = {
    namespace,
    name,
    uid: pod.metadata?.uid ?? '',
    phase: podPhase(pod.status?.phase),
    labels: { ...pod.metadata?.labels },
    annotations,
    requests: effectiveRequests(spec ?? {}, `${where} spec`),
    nodeSelector: { ...spec?.nodeSelector },
    requiredNodeAffinity: requiredNodeAffinity(
      spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [],
      `${where} spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`,
    ),
    tolerations: (spec?.tolerations ?? []).map((t, i) => toToleration(t, `${where} spec.tolerations[${i}]`)),
    topologySpread: (spec?.topologySpreadConstraints ?? []).map((c, i) => {
      const field = `spec.topologySpreadConstraints[${i}]`;
      const whenUnsatisfiable = c.whenUnsatisfiable === 'ScheduleAnyway' ? 'ScheduleAnyway' : 'DoNotSchedule';
      if (c.matchLabelKeys?.length) note(`${field}.matchLabelKeys ignored`);
      if (c.minDomains !== undefined) note(`${field}.minDomains ignored`);
      const constraint: TopologySpreadConstraint = {
        topologyKey: c.topologyKey,
        maxSkew: c.maxSkew,
        whenUnsatisfiable,
        labelSelector: matchLabels(c.labelSelector, `${field}.labelSelector`, note),
      };
      return constraint;
    }),
    podAntiAffinity: podAffinityTerms(
      spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
      'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution',
      note,
    ),
  };
  const affinity = podAffinityTerms(
    spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
    'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution',
    note,
  );
  if (affinity.length > 0) result.podAffinity = affinity;
  const ownerKind =
    annotations[MIRROR_POD_ANNOTATION] !== undefined
      ? 'Node'
      : pod.metadata?.ownerReferences?.find((owner) => owner.controller === true)?.kind;
  if (ownerKind) result.ownerKind = ownerKind;
  if (pod.metadata?.deletionTimestamp) result.terminating = true;
  if (spec?.nodeName) result.nodeName = spec.nodeName;
  if (spec?.priority !== undefined) result.priority = spec.priority;
  if (spec?.terminationGracePeriodSeconds !== undefined) {
    result.terminationGracePeriodSeconds = spec.terminationGracePeriodSeconds;
  }
  return result;
}

/** Required pod (anti-)affinity terms: topology key and matchLabels; namespaces are not modelled. */
function podAffinityTerms(terms: V1PodAffinityTerm[], field: string, note: (text: string) => void): PodAntiAffinityTerm[] {
  return terms.map((term, i) => {
    const where = `${field}[${i}]`;
    if (term.namespaces?.length || term.namespaceSelector) note(`${where} namespaces/namespaceSelector ignored`);
    return { topologyKey: term.topologyKey, labelSelector: matchLabels(term.labelSelector, `${where}.labelSelector`, note) };
  });
}

function podPhase(phase: string | undefined): PodPhase {
  // A pod the API server has just accepted has no status yet: it is waiting to be scheduled.
  if (phase === undefined) return 'Pending';
  return (POD_PHASES as readonly string[]).includes(phase) ? (phase as PodPhase) : 'Unknown';
}

/**
 * Required node affinity as OR-of-AND requirements. `matchFields` (only `metadata.name`) is left
 * out, as Karpenter does: it pins a pod (typically a DaemonSet's) to an existing node by name and
 * never describes what a new node must be.
 */
export function requiredNodeAffinity(terms: V1NodeSelectorTerm[], field: string): Requirement[][] {
  return terms.map((term, t) =>
    (term.matchExpressions ?? []).map((expression, e) => {
      const where = `${field}.nodeSelectorTerms[${t}].matchExpressions[${e}]`;
      if (!(NODE_SELECTOR_OPERATORS as readonly string[]).includes(expression.operator)) {
        throw new InvalidInputError(
          `${where}.operator: "${expression.operator}" is not a node selector operator (${NODE_SELECTOR_OPERATORS.join(', ')})`,
        );
      }
      const requirement: Requirement = { key: expression.key, operator: expression.operator as RequirementOperator };
      if (expression.values !== undefined) requirement.values = [...expression.values];
      return requirement;
    }),
  );
}

function toToleration(toleration: V1Toleration, field: string): Toleration {
  const result: Toleration = {};
  if (toleration.key) result.key = toleration.key;
  if (toleration.operator !== undefined) {
    if (toleration.operator !== 'Exists' && toleration.operator !== 'Equal') {
      throw new InvalidInputError(`${field}.operator: "${toleration.operator}" is not Exists or Equal`);
    }
    result.operator = toleration.operator;
  }
  if (toleration.value !== undefined && toleration.value !== '') result.value = toleration.value;
  // An empty effect tolerates every effect, which the domain model writes as no effect.
  if (toleration.effect) result.effect = taintEffect(toleration.effect, `${field}.effect`);
  if (toleration.tolerationSeconds !== undefined) result.tolerationSeconds = toleration.tolerationSeconds;
  return result;
}

/**
 * A label selector reduced to matchLabels. An `In` expression with one value is the same thing and
 * is folded in; any other expression cannot be expressed and is dropped (noted), which makes the
 * selector match more pods than it should: spreading and anti-affinity then err on the strict side.
 */
function matchLabels(
  selector: V1LabelSelector | undefined,
  field: string,
  note: (text: string) => void,
): Record<string, string> {
  const labels: Record<string, string> = { ...selector?.matchLabels };
  for (const [i, expression] of (selector?.matchExpressions ?? []).entries()) {
    const value = expression.values?.[0];
    if (expression.operator === 'In' && expression.values?.length === 1 && value !== undefined) {
      labels[expression.key] = value;
    } else {
      note(`${field}.matchExpressions[${i}] (${expression.key} ${expression.operator}) ignored`);
    }
  }
  return labels;
}

// ---------------------------------------------------------------- disruption budgets

export function toPodDisruptionBudget(pdb: V1PodDisruptionBudget, notes?: string[]): PodDisruptionBudget {
  const namespace = pdb.metadata?.namespace;
  const name = pdb.metadata?.name;
  if (!namespace || !name) {
    throw new InvalidInputError(`PodDisruptionBudget metadata.namespace/name: missing (got ${JSON.stringify({ namespace, name })})`);
  }
  const where = `PodDisruptionBudget ${namespace}/${name}`;
  const result: PodDisruptionBudget = {
    namespace,
    name,
    selector: matchLabels(pdb.spec?.selector, 'spec.selector', (text) => notes?.push(`${where}: ${text}`)),
  };
  if (pdb.spec?.minAvailable !== undefined) result.minAvailable = pdb.spec.minAvailable;
  if (pdb.spec?.maxUnavailable !== undefined) result.maxUnavailable = pdb.spec.maxUnavailable;
  return result;
}
