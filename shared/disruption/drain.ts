// Which pods a drain evicts, which it waits for and which it leaves alone, and what the drain's
// status is after one pass. Pure: the drain-node handler feeds it the node's pods and the time.

import type { Pod } from '../types.ts';

export const DO_NOT_DISRUPT_ANNOTATION = 'karpenter.sh/do-not-disrupt';

export type LeaveReason = 'daemonset' | 'mirror-pod' | 'completed' | 'do-not-disrupt';

export interface EvictionPlan {
  /** Pods to evict now, lowest priority first so critical pods keep serving the longest. */
  evict: Pod[];
  /** Pods already shutting down: the drain waits for them to be gone. */
  terminating: Pod[];
  /** Pods the drain does not touch, with why. */
  leave: Array<{ pod: Pod; reason: LeaveReason }>;
}

export function planEvictions(pods: Pod[]): EvictionPlan {
  const plan: EvictionPlan = { evict: [], terminating: [], leave: [] };
  for (const pod of pods) {
    const reason = reasonToLeave(pod);
    if (reason) plan.leave.push({ pod, reason });
    else if (pod.terminating) plan.terminating.push(pod);
    else plan.evict.push(pod);
  }
  // Evict the least important first; among equals keep a stable, readable order.
  plan.evict.sort(
    (a, b) => (a.priority ?? 0) - (b.priority ?? 0) || keyOf(a).localeCompare(keyOf(b)),
  );
  return plan;
}

function reasonToLeave(pod: Pod): LeaveReason | undefined {
  // DaemonSet pods would come straight back and tolerate the disruption taint; they die with the node.
  if (pod.ownerKind === 'DaemonSet') return 'daemonset';
  // Mirror pods belong to the kubelet's static manifests; the API cannot evict them.
  if (pod.ownerKind === 'Node') return 'mirror-pod';
  if (pod.phase === 'Succeeded' || pod.phase === 'Failed') return 'completed';
  if (pod.annotations[DO_NOT_DISRUPT_ANNOTATION] === 'true') return 'do-not-disrupt';
  return undefined;
}

function keyOf(pod: Pod): string {
  return `${pod.namespace}/${pod.name}`;
}

export type DrainStatus =
  | { status: 'drained' }
  | { status: 'deadline-reached' }
  | { status: 'retry'; retryInSeconds: number };

/** Longest pause between two eviction passes: a PDB that frees up should not wait long. */
export const MAX_DRAIN_BACKOFF_SECONDS = 10;
/**
 * Under a short notice (a spot interruption's two minutes) every second counts: a PDB usually frees
 * up as soon as a moved pod turns Ready, a few seconds later, so the drain polls at least this often.
 */
export const URGENT_DRAIN_BACKOFF_SECONDS = 2;
/** A drain whose deadline is closer than this is urgent. */
export const URGENT_DRAIN_WINDOW_SECONDS = 5 * 60;

/**
 * After a pass: drained when nothing is left to evict or to wait for; past the deadline the drain
 * stops; otherwise retry after an exponential backoff (1, 2, 4, 8, 10, 10 ... s; at most 2 s when
 * the deadline is under 5 minutes away) that never overshoots the deadline.
 */
export function drainStatus(input: {
  remaining: number;
  terminating: number;
  attempt: number;
  now: Date;
  deadline: Date;
}): DrainStatus {
  if (input.remaining === 0 && input.terminating === 0) return { status: 'drained' };
  const secondsLeft = Math.floor((input.deadline.getTime() - input.now.getTime()) / 1000);
  if (secondsLeft <= 0) return { status: 'deadline-reached' };
  const cap = secondsLeft <= URGENT_DRAIN_WINDOW_SECONDS ? URGENT_DRAIN_BACKOFF_SECONDS : MAX_DRAIN_BACKOFF_SECONDS;
  const backoff = Math.min(2 ** Math.max(0, input.attempt - 1), cap);
  return { status: 'retry', retryInSeconds: Math.max(1, Math.min(backoff, secondsLeft)) };
}
