// actionFor: what the spot-interruption workflow does for a notice. The table lives here, not in
// the workflow, so the ASL only sequences and the decision is testable with a fixed clock.

import { InvalidInputError } from '../errors.ts';
import type { InterruptionAction, Notice } from '../types.ts';

/** Stop evicting a little before the instance goes, so the last evictions are not cut mid-flight. */
export const DRAIN_SAFETY_MARGIN_MS = 15_000;
/** Proactive replacement on a rebalance recommendation: time the drain gets once the replacement is Ready. */
export const REBALANCE_DRAIN_WINDOW_MS = 15 * 60_000;
/** Below this much time before a scheduled change, waiting for the replacement first is too risky. */
export const SCHEDULED_CHANGE_MIN_LEAD_MS = 5 * 60_000;
/**
 * A scheduled change may be days away; the replacement is made now, and the drain that follows gets
 * at most this long, so a PDB that never frees up cannot keep an execution waiting for days.
 */
export const SCHEDULED_CHANGE_DRAIN_WINDOW_MS = 60 * 60_000;
/** Used only if an interruption notice somehow lacks a deadline: AWS's standard two-minute warning. */
const FALLBACK_WARNING_MS = 2 * 60_000;

const at = (ms: number) => new Date(ms).toISOString();

/** The deadline minus the margin, but never in the past: a late notice still gets a drain attempt. */
function drainBefore(deadlineMs: number, nowMs: number): number {
  return Math.max(nowMs, deadlineMs - DRAIN_SAFETY_MARGIN_MS);
}

function deadlineMs(notice: Notice, fallbackMs: number): number {
  if (notice.deadline === null) return fallbackMs;
  const parsed = Date.parse(notice.deadline);
  if (Number.isNaN(parsed)) throw new InvalidInputError(`notice.deadline: expected an ISO 8601 timestamp, got ${JSON.stringify(notice.deadline)}`);
  return parsed;
}

export function actionFor(notice: Notice, now: Date): InterruptionAction {
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw new InvalidInputError('now: expected a valid date, got an invalid Date');

  switch (notice.kind) {
    case 'spot-interruption':
    case 'capacity-reservation-interruption':
    case 'operator-drill':
      // Two minutes is too short to wait for a replacement: launch and drain side by side.
      return {
        replace: true,
        drain: 'now',
        drainDeadline: at(drainBefore(deadlineMs(notice, nowMs + FALLBACK_WARNING_MS), nowMs)),
        terminate: true,
        completeLifecycleAction: false,
      };
    case 'rebalance-recommendation':
      // Nothing is lost yet: bring the replacement up first, as Karpenter users expect of a proactive move.
      return {
        replace: true,
        drain: 'after-replacement',
        drainDeadline: at(nowMs + REBALANCE_DRAIN_WINDOW_MS),
        terminate: true,
        completeLifecycleAction: false,
      };
    case 'scheduled-change': {
      const cutoff = drainBefore(deadlineMs(notice, nowMs), nowMs);
      const enoughLead = cutoff - nowMs >= SCHEDULED_CHANGE_MIN_LEAD_MS;
      return {
        replace: true,
        drain: enoughLead ? 'after-replacement' : 'now',
        drainDeadline: at(Math.min(cutoff, nowMs + SCHEDULED_CHANGE_DRAIN_WINDOW_MS)),
        terminate: true,
        completeLifecycleAction: false,
      };
    }
    case 'instance-stopping':
    case 'instance-stopped':
    case 'instance-shutting-down':
    case 'instance-terminated':
      // The instance is already going: its pods are dying, there is nothing to wait for, and EC2 owns the end.
      return { replace: true, drain: 'now', drainDeadline: at(nowMs), terminate: false, completeLifecycleAction: false };
    case 'asg-terminate':
      // The Auto Scaling group launches its own replacement and terminates once the hook completes.
      return {
        replace: false,
        drain: 'now',
        drainDeadline: at(drainBefore(deadlineMs(notice, nowMs), nowMs)),
        terminate: false,
        completeLifecycleAction: true,
      };
    default: {
      const unknownKind: never = notice.kind;
      throw new InvalidInputError(`notice.kind: expected a known notice kind, got ${JSON.stringify(unknownKind)}`);
    }
  }
}
