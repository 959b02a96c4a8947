// PodDisruptionBudget arithmetic as the Kubernetes disruption controller and the eviction
// subresource compute it (pkg/controller/disruption, pkg/registry/core/pod/storage/eviction.go),
// so the sim refuses exactly the evictions a real API server would refuse.

import { selectorMatches } from '../provisioning/requirements.ts';
import type { PodDisruptionBudget } from '../types.ts';

/** What the PDB arithmetic needs to know about one pod the budget selects. */
export interface BudgetedPod {
  /** Running, Ready and not being deleted. */
  healthy: boolean;
  /** The pod's controller (ReplicaSet, StatefulSet...) and its desired scale; absent for unmanaged pods. */
  controller?: { uid: string; scale: number };
}

export interface PdbStatus {
  expectedPods: number;
  desiredHealthy: number;
  currentHealthy: number;
  disruptionsAllowed: number;
}

/**
 * intstr.GetScaledValueFromIntOrPercent: an integer as is, a percentage of `total` rounded up or
 * down. Any other string is invalid, including a bare number written as a string.
 */
export function scaledValue(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`PDB value must be a non-negative integer, got ${value}`);
    return value;
  }
  const match = /^(\d+)%$/.exec(value);
  if (!match) throw new RangeError(`PDB value ${JSON.stringify(value)} is neither an integer nor a percentage`);
  const scaled = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/**
 * The status the disruption controller writes for the budget. expectedPods is the sum of the
 * selected pods' controllers' scales, except for an integer minAvailable where it is simply the
 * number of selected pods; pods without a controller add nothing to it.
 */
export function pdbStatus(pdb: PodDisruptionBudget, pods: BudgetedPod[]): PdbStatus {
  const currentHealthy = pods.filter((p) => p.healthy).length;
  let expectedPods: number;
  let desiredHealthy: number;
  if (pdb.maxUnavailable !== undefined) {
    expectedPods = controllerScale(pods);
    desiredHealthy = Math.max(0, expectedPods - scaledValue(pdb.maxUnavailable, expectedPods, true));
  } else if (pdb.minAvailable !== undefined) {
    if (typeof pdb.minAvailable === 'number') {
      expectedPods = pods.length;
      desiredHealthy = scaledValue(pdb.minAvailable, expectedPods, true);
    } else {
      expectedPods = controllerScale(pods);
      desiredHealthy = scaledValue(pdb.minAvailable, expectedPods, true);
    }
  } else {
    // Neither field set: the API server defaults minAvailable to 1.
    expectedPods = pods.length;
    desiredHealthy = 1;
  }
  const allowed = currentHealthy - desiredHealthy;
  return { expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed: expectedPods <= 0 || allowed <= 0 ? 0 : allowed };
}

function controllerScale(pods: BudgetedPod[]): number {
  const scales = new Map<string, number>();
  for (const pod of pods) if (pod.controller) scales.set(pod.controller.uid, pod.controller.scale);
  let total = 0;
  for (const scale of scales.values()) total += scale;
  return total;
}

/**
 * Whether the eviction subresource lets this pod go under this budget (default
 * unhealthyPodEvictionPolicy IfHealthyBudget): a Ready pod needs a disruption allowed; a pod
 * that is not Ready may go while the application still has its desired number of healthy pods.
 */
export function evictionAllowed(status: PdbStatus, podReady: boolean): boolean {
  if (!podReady && status.currentHealthy >= status.desiredHealthy && status.desiredHealthy > 0) return true;
  return status.disruptionsAllowed > 0;
}

/** A label selector given as matchLabels (the provisioning core's matcher, under the name the simulator uses). */
export const selects = selectorMatches;
