// Sums and renderings of pod resource requests, in the fixed units of the domain model.
import type { Pod, Resources } from '../types.ts';
import { askedDevice } from './devices.ts';

export interface Demand {
  cpuMillis: number;
  memoryBytes: number;
  gpus: number;
  /** The accelerator resource gpus counts (devices.ts), when the pods name one. */
  gpuResource?: string;
  pods: number;
  /** Ephemeral storage (emptyDirs, writable layers, logs); absent reads as 0. */
  storageBytes?: number;
}

export function demandOf(pods: Pod[]): Demand {
  const demand: Demand = { cpuMillis: 0, memoryBytes: 0, gpus: 0, pods: pods.length, storageBytes: 0 };
  // Pods asking for different kinds cannot share a node; the first kind names them all.
  for (const pod of pods) {
    demand.cpuMillis += pod.requests.cpuMillis;
    demand.memoryBytes += pod.requests.memoryBytes;
    demand.gpus += pod.requests.gpus ?? 0;
    demand.gpuResource ??= askedDevice(pod.requests);
    demand.storageBytes! += pod.requests.ephemeralStorageBytes ?? 0;
  }
  return demand;
}

export function addDemand(a: Demand, b: Demand): Demand {
  return {
    cpuMillis: a.cpuMillis + b.cpuMillis,
    memoryBytes: a.memoryBytes + b.memoryBytes,
    gpus: a.gpus + b.gpus,
    pods: a.pods + b.pods,
    storageBytes: (a.storageBytes ?? 0) + (b.storageBytes ?? 0),
  };
}

export function fits(demand: Demand, capacity: Resources): boolean {
  return (
    demand.cpuMillis <= capacity.cpuMillis &&
    demand.memoryBytes <= capacity.memoryBytes &&
    demand.gpus <= (capacity.gpus ?? 0) &&
    demand.pods <= (capacity.pods ?? Number.POSITIVE_INFINITY) &&
    (demand.storageBytes ?? 0) <= (capacity.ephemeralStorageBytes ?? Number.POSITIVE_INFINITY)
  );
}

const GiB = 2 ** 30;
const MiB = 2 ** 20;

/** 51539607552 -> "48Gi", 1610612736 -> "1.5Gi", 268435456 -> "256Mi". */
export function formatBytes(bytes: number): string {
  const trim = (n: number): string => String(Math.round(n * 100) / 100);
  if (bytes >= GiB) return `${trim(bytes / GiB)}Gi`;
  if (bytes >= MiB) return `${trim(bytes / MiB)}Mi`;
  return `${bytes}B`;
}

export function describeDemand(demand: Demand): string {
  const gpus = demand.gpus ? ` / ${demand.gpus} ${demand.gpuResource ?? 'GPU'}` : '';
  const storage = demand.storageBytes ? ` / ${formatBytes(demand.storageBytes)} ephemeral storage` : '';
  return `${demand.cpuMillis}m CPU / ${formatBytes(demand.memoryBytes)} memory${gpus}${storage}`;
}
