// Kubernetes workload manifests (the YAML users `kubectl apply`) to the pods they would run:
// Pods as they are; Deployments, ReplicaSets and StatefulSets as `replicas` copies of their
// template; Jobs as the pods that run at the same time; DaemonSets as one template each, since
// they are overhead on every node rather than demand to place. Everything is checked before
// anything is returned: a half-read workload file would size a cluster for the wrong pods.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { z } from 'zod';
import { readManifests, type Manifest } from '../config/documents.ts';
import { describeManifest, problemLine } from '../config/problems.ts';
import { InvalidInputError, NodewrightError } from '../errors.ts';
import { toPod } from '../k8s/convert.ts';
import type { Pod } from '../types.ts';
import { issuesToProblems } from './problems.ts';
import {
  daemonSetManifest, jobManifest, podManifest, replicatedManifest, type PodSpecManifest,
} from './schema.ts';

export const DEFAULT_NAMESPACE = 'default';

/** The kinds that become pods, with the only API version each is served at today. */
export const WORKLOAD_API_VERSIONS: Readonly<Record<string, string>> = Object.freeze({
  Pod: 'v1',
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  Job: 'batch/v1',
  DaemonSet: 'apps/v1',
});

/**
 * The controller that owns the pods of each kind in a cluster: a Deployment's pods belong to its
 * ReplicaSet, so decisions that look at `ownerKind` see the same value as for live pods.
 */
const OWNER_KIND: Readonly<Record<string, string>> = {
  Deployment: 'ReplicaSet',
  ReplicaSet: 'ReplicaSet',
  StatefulSet: 'StatefulSet',
  Job: 'Job',
  DaemonSet: 'DaemonSet',
};

export interface WorkloadSummary {
  source: string;
  kind: string;
  namespace: string;
  name: string;
  /** Pods it contributes: replicas, concurrent Job pods, 1 for a Pod or a DaemonSet's template. */
  pods: number;
}

/** A manifest of a kind that runs no pods of its own here (Service, ConfigMap, CronJob, ...). */
export interface SkippedManifest {
  source: string;
  position: string;
  kind: string;
  name?: string;
}

export interface Workloads {
  /** Pods to place, in file order; replicas named `<name>-<index>`. */
  pods: Pod[];
  /** One template pod per DaemonSet, named after the DaemonSet. */
  daemonSets: Pod[];
  workloads: WorkloadSummary[];
  skipped: SkippedManifest[];
  /** Parts of pod specs the domain model cannot express and therefore left out. */
  notes: string[];
}

interface Context {
  problems: string[];
  result: Workloads;
  /** "namespace/name" of each pod (or DaemonSet) already produced -> who produced it. */
  seen: Map<string, string>;
}

/** Loads workload manifests; throws InvalidInputError listing every problem of every source. */
export function loadWorkloads(sources: Array<{ name: string; text: string }>): Workloads {
  const context: Context = {
    problems: [],
    result: { pods: [], daemonSets: [], workloads: [], skipped: [], notes: [] },
    seen: new Map(),
  };
  for (const source of sources) {
    for (const manifest of unwrapTypedLists(readManifests(source))) {
      if (typeof manifest === 'string') context.problems.push(manifest);
      else loadManifest(manifest, context);
    }
  }
  const { problems } = context;
  if (problems.length > 0) {
    const summary = problems.length === 1 ? problems[0]! : `${problems.length} problems in the workload manifests:\n  ${problems.join('\n  ')}`;
    throw new InvalidInputError(summary, problems);
  }
  return context.result;
}

// The config reader unwraps `kind: List`; `kubectl get deployments -o yaml` prints a DeploymentList
// (any `<Kind>List` with items), which is the same thing for our purpose.
function unwrapTypedLists(manifests: Array<Manifest | string>): Array<Manifest | string> {
  return manifests.flatMap((manifest) => {
    if (typeof manifest === 'string') return [manifest];
    const { raw } = manifest;
    if (typeof raw.kind !== 'string' || !/^[A-Z]\w*List$/.test(raw.kind) || !('items' in raw)) return [manifest];
    if (!Array.isArray(raw.items)) return [`${manifest.source}: ${manifest.position} (${raw.kind}): items must be a list`];
    return raw.items.map((item, i): Manifest | string => {
      const position = `${manifest.position}, items[${i}]`;
      return isRecord(item) ? { source: manifest.source, position, raw: item } : `${manifest.source}: ${position}: must be a mapping with apiVersion, kind and metadata`;
    });
  });
}

function loadManifest(manifest: Manifest, context: Context): void {
  const { raw, source, position } = manifest;
  const kind = raw.kind;
  if (typeof kind !== 'string' || kind === '') {
    const message = kind === undefined ? 'required, expected a Kubernetes kind such as Pod or Deployment' : 'expected a Kubernetes kind such as Pod or Deployment';
    context.problems.push(problemLine(`${source}: ${position}`, ['kind'], message, kind));
    return;
  }
  const name = isRecord(raw.metadata) && typeof raw.metadata.name === 'string' ? raw.metadata.name : undefined;
  const expectedVersion = WORKLOAD_API_VERSIONS[kind];
  if (expectedVersion === undefined) {
    context.result.skipped.push({ source, position, kind, ...(name ? { name } : {}) });
    return;
  }
  const subject = `${source}: ${describeManifest(kind, name, manifest)}`;
  if (raw.apiVersion !== expectedVersion) {
    // Another version has another schema: field-by-field findings would only be noise.
    context.problems.push(problemLine(subject, ['apiVersion'], `expected ${expectedVersion}`, raw.apiVersion));
    return;
  }
  switch (kind) {
    case 'Pod':
      return loadPod(raw, subject, source, context);
    case 'Job':
      return loadJob(raw, subject, source, context);
    case 'DaemonSet':
      return loadDaemonSet(raw, subject, source, context);
    default:
      return loadReplicated(kind, raw, subject, source, context);
  }
}

function loadPod(raw: Record<string, unknown>, subject: string, source: string, context: Context): void {
  const parsed = check(podManifest, raw, subject, context);
  if (!parsed) return;
  const namespace = parsed.metadata.namespace ?? DEFAULT_NAMESPACE;
  const name = parsed.metadata.name;
  const pod = convert(
    {
      ...(raw as V1Pod),
      metadata: { ...(raw.metadata as V1Pod['metadata']), namespace, name },
      spec: normalizedSpec(parsed.spec),
    },
    subject,
    'spec',
    context,
  );
  if (!pod) return;
  if (!claim(`${namespace}/${name}`, subject, context)) return;
  context.result.pods.push(pod);
  context.result.workloads.push({ source, kind: 'Pod', namespace, name, pods: 1 });
}

function loadReplicated(kind: string, raw: Record<string, unknown>, subject: string, source: string, context: Context): void {
  const parsed = check(replicatedManifest, raw, subject, context);
  if (!parsed) return;
  const replicas = parsed.spec.replicas ?? 1;
  const statefulSet = kind === 'StatefulSet';
  expand(kind, parsed, replicas, subject, source, context, (podName, index): Record<string, string> =>
    statefulSet ? { 'statefulset.kubernetes.io/pod-name': podName, 'apps.kubernetes.io/pod-index': String(index) } : {},
  );
}

function loadJob(raw: Record<string, unknown>, subject: string, source: string, context: Context): void {
  const parsed = check(jobManifest, raw, subject, context);
  if (!parsed) return;
  // Pods that run at the same time: `parallelism`, never more than the completions still to go.
  // Completions run one after another and add time, not concurrent pods.
  const parallelism = parsed.spec.parallelism ?? 1;
  const completions = parsed.spec.completions;
  const concurrent = completions === undefined || completions === null ? parallelism : Math.min(parallelism, completions);
  const jobName = parsed.metadata.name;
  expand('Job', parsed, concurrent, subject, source, context, () => ({ 'job-name': jobName, 'batch.kubernetes.io/job-name': jobName }));
}

function loadDaemonSet(raw: Record<string, unknown>, subject: string, source: string, context: Context): void {
  const parsed = check(daemonSetManifest, raw, subject, context);
  if (!parsed) return;
  const namespace = parsed.metadata.namespace ?? DEFAULT_NAMESPACE;
  const name = parsed.metadata.name;
  const template = templatePod(parsed, namespace, name, subject, context);
  if (!template) return;
  if (!claim(`DaemonSet ${namespace}/${name}`, subject, context)) return;
  template.ownerKind = OWNER_KIND.DaemonSet;
  template.uid = `manifest:${namespace}/${name}`;
  context.result.daemonSets.push(template);
  context.result.workloads.push({ source, kind: 'DaemonSet', namespace, name, pods: 1 });
}

interface TemplatedManifest {
  metadata: { name: string; namespace?: string | undefined };
  spec: { template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined; spec: PodSpecManifest } };
}

/** `count` copies of the template named `<name>-<index>`, each with its controller's labels. */
function expand(
  kind: string,
  parsed: TemplatedManifest,
  count: number,
  subject: string,
  source: string,
  context: Context,
  controllerLabels: (podName: string, index: number) => Record<string, string>,
): void {
  const namespace = parsed.metadata.namespace ?? DEFAULT_NAMESPACE;
  const name = parsed.metadata.name;
  // Converted (and checked) once, even with zero replicas: a broken template is broken whatever the count.
  const template = templatePod(parsed, namespace, name, subject, context);
  if (!template) return;
  const pods: Pod[] = [];
  for (let index = 0; index < count; index += 1) {
    const podName = `${name}-${index}`;
    if (!claim(`${namespace}/${podName}`, subject, context)) return;
    const pod = structuredClone(template);
    pod.name = podName;
    pod.uid = `manifest:${namespace}/${podName}`;
    pod.ownerKind = OWNER_KIND[kind]!;
    pod.labels = { ...pod.labels, ...controllerLabels(podName, index) };
    pods.push(pod);
  }
  context.result.pods.push(...pods);
  context.result.workloads.push({ source, kind, namespace, name, pods: count });
}

function templatePod(parsed: TemplatedManifest, namespace: string, name: string, subject: string, context: Context): Pod | undefined {
  const template = parsed.spec.template;
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace,
      name,
      labels: { ...template.metadata?.labels },
      annotations: { ...template.metadata?.annotations },
    },
    spec: normalizedSpec(template.spec),
  };
  return convert(pod, subject, 'spec.template.spec', context);
}

/**
 * The spec as the API server would store it: a container's request defaults to its limit for
 * every resource that has a limit and no request (the scheduler then counts the limit), and
 * quantities written as YAML numbers become the strings the API returns.
 */
function normalizedSpec(spec: PodSpecManifest): NonNullable<V1Pod['spec']> {
  const normalized = structuredClone(spec) as unknown as NonNullable<V1Pod['spec']>;
  const containers = (list: V1Container[] | undefined) => list?.map(defaultRequestsFromLimits);
  normalized.containers = containers(normalized.containers) ?? [];
  if (normalized.initContainers) normalized.initContainers = containers(normalized.initContainers)!;
  if (normalized.overhead) normalized.overhead = quantityStrings(normalized.overhead);
  return normalized;
}

function defaultRequestsFromLimits(container: V1Container): V1Container {
  const limits = container.resources?.limits;
  const requests = container.resources?.requests;
  if (!limits && !requests) return container;
  return {
    ...container,
    resources: {
      ...container.resources,
      requests: quantityStrings({ ...limits, ...requests }),
      ...(limits ? { limits: quantityStrings(limits) } : {}),
    },
  };
}

function quantityStrings(list: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(list).map(([key, value]) => [key, String(value)]));
}

function convert(pod: V1Pod, subject: string, specPath: string, context: Context): Pod | undefined {
  const notes: string[] = [];
  try {
    const converted = toPod(pod, notes);
    // toPod writes "pod <ns>/<name>: spec.x ignored"; say it about the manifest the user wrote.
    const prefix = `pod ${pod.metadata?.namespace}/${pod.metadata?.name}: spec`;
    context.result.notes.push(...notes.map((note) => `${subject} ${note.startsWith(prefix) ? specPath + note.slice(prefix.length) : note}`));
    // A pod the scheduler has not seen has no phase; the converter already reads that as Pending.
    return converted;
  } catch (error) {
    // The schema lets through only what the converter can read; anything left is still the user's input.
    if (!(error instanceof NodewrightError)) throw error;
    context.problems.push(`${subject}: ${error.message}`);
    return undefined;
  }
}

/** Records who produced `key`; false (with a problem) when something else already did. */
function claim(key: string, subject: string, context: Context): boolean {
  const earlier = context.seen.get(key);
  if (earlier !== undefined) {
    context.problems.push(`${subject}: ${key.startsWith('DaemonSet ') ? key : `pod "${key}"`} is already defined by ${earlier}`);
    return false;
  }
  context.seen.set(key, subject);
  return true;
}

function check<T extends z.ZodType>(schema: T, raw: Record<string, unknown>, subject: string, context: Context): z.infer<T> | undefined {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  context.problems.push(...issuesToProblems(subject, result.error.issues, raw));
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
