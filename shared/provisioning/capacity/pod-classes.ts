// Pods that ask for the same thing are planned once: same namespace, requests, node selection,
// tolerations, topology constraints and the labels other pods' selectors look at. Twenty
// thousand pods from a few Deployments become a few dozen classes.
import { InvalidInputError } from '../../errors.ts';
import type { Pod } from '../../types.ts';
import { ACCELERATOR_RESOURCES } from '../../well-known.ts';
import { askedDevice } from '../devices.ts';

export interface PodClass {
  index: number;
  /** The first pod of the class: its constraints stand for all of them. */
  template: Pod;
  podIds: string[];
  cpu: number;
  mem: number;
  gpus: number;
  /** Ephemeral storage request, bytes. */
  storage: number;
  /** nodeSelector + required node affinity + the accelerator resource requested: what decides the instance types. */
  placementKey: string;
}

export function podId(pod: Pod): string {
  return `${pod.namespace}/${pod.name}`;
}

const isAmount = (n: number) => Number.isFinite(n) && n >= 0;

function validatePod(pod: Pod, field: string): void {
  if (!pod.namespace || !pod.name) {
    throw new InvalidInputError(`${field}: namespace and name are required, got ${JSON.stringify({ namespace: pod.namespace, name: pod.name })}`);
  }
  const { cpuMillis, memoryBytes, gpus, ephemeralStorageBytes } = pod.requests;
  if (!isAmount(cpuMillis) || !isAmount(memoryBytes) || !isAmount(gpus ?? 0) || !isAmount(ephemeralStorageBytes ?? 0)) {
    throw new InvalidInputError(
      `pod ${podId(pod)}: requests must be non-negative numbers, got ${JSON.stringify(pod.requests)}`,
    );
  }
  const device = pod.requests.gpuResource;
  if (device !== undefined && !ACCELERATOR_RESOURCES.includes(device)) {
    throw new InvalidInputError(`pod ${podId(pod)}: requests.gpuResource must be one of ${ACCELERATOR_RESOURCES.join(', ')}, got ${JSON.stringify(device)}`);
  }
  for (const c of pod.topologySpread) {
    if (!Number.isInteger(c.maxSkew) || c.maxSkew < 1) {
      throw new InvalidInputError(`pod ${podId(pod)}: topologySpread maxSkew must be a positive integer, got ${c.maxSkew}`);
    }
  }
}

export function validatePods(pods: Pod[], field: string): void {
  const seen = new Set<string>();
  pods.forEach((pod, i) => {
    validatePod(pod, `${field}[${i}]`);
    const id = podId(pod);
    if (seen.has(id)) throw new InvalidInputError(`${field}[${i}]: pod ${id} is listed twice`);
    seen.add(id);
  });
}

/** Label keys some pod's spread, affinity or anti-affinity selector reads: only these tell pods apart. */
export function selectorLabelKeys(pods: Pod[]): string[] {
  const keys = new Set<string>();
  for (const pod of pods) {
    for (const c of pod.topologySpread) for (const k of Object.keys(c.labelSelector)) keys.add(k);
    for (const t of pod.podAntiAffinity) for (const k of Object.keys(t.labelSelector)) keys.add(k);
    for (const t of pod.podAffinity ?? []) for (const k of Object.keys(t.labelSelector)) keys.add(k);
  }
  return [...keys].sort();
}

const json = (value: unknown[] | Record<string, unknown>): string =>
  (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0) ? '' : JSON.stringify(value);

export function groupPods(pods: Pod[]): PodClass[] {
  const labelKeys = selectorLabelKeys(pods);
  const byKey = new Map<string, PodClass>();
  const classes: PodClass[] = [];
  for (const pod of pods) {
    const { cpuMillis, memoryBytes } = pod.requests;
    const gpus = pod.requests.gpus ?? 0;
    const storage = pod.requests.ephemeralStorageBytes ?? 0;
    const placementKey = `${json(pod.nodeSelector)}\u0001${json(pod.requiredNodeAffinity)}\u0001${askedDevice(pod.requests) ?? ''}`;
    let key = `${pod.namespace}\u0000${cpuMillis}\u0000${memoryBytes}\u0000${gpus}\u0000${storage}\u0000${placementKey}\u0000${json(pod.tolerations)}` +
      `\u0000${json(pod.topologySpread)}\u0000${json(pod.podAntiAffinity)}\u0000${json(pod.podAffinity ?? [])}\u0000`;
    for (const k of labelKeys) key += `${pod.labels[k] ?? '\u0002'}\u0001`;
    let cls = byKey.get(key);
    if (!cls) {
      cls = { index: classes.length, template: pod, podIds: [], cpu: cpuMillis, mem: memoryBytes, gpus, storage, placementKey };
      byKey.set(key, cls);
      classes.push(cls);
    }
    cls.podIds.push(podId(pod));
  }
  return classes;
}
