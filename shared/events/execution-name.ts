// executionName: the Step Functions execution name that makes a duplicate event harmless.
// Step Functions refuses a second execution with a name already used, so two deliveries of the
// same news about the same instance must map to the same name, and different news must not.

import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors.ts';
import type { Notice, NoticeKind } from '../types.ts';

/**
 * Kinds that mean the same thing for a node share a group: `stopping` then `stopped` (or
 * `shutting-down` then `terminated`) arrive seconds apart and must not start two replacements.
 */
const REASON_GROUP: Record<NoticeKind, string> = {
  'spot-interruption': 'spot',
  'capacity-reservation-interruption': 'reservation',
  'rebalance-recommendation': 'rebalance',
  'scheduled-change': 'scheduled',
  'instance-stopping': 'gone',
  'instance-stopped': 'gone',
  'instance-shutting-down': 'gone',
  'instance-terminated': 'gone',
  'asg-terminate': 'asg',
  'operator-drill': 'drill',
};

export const TIME_BUCKET_MS = 10 * 60_000;
const MAX_NAME_LENGTH = 80;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/**
 * `<instance-id>-<reason group>-<bucket>`, plus `-<hash of eventId>` for operator drills only.
 *
 * - The bucket is floor(time / 10 min) of the event time, except for scheduled changes, which
 *   use the change's start time: AWS Health re-sends a scheduled change (updates, reminders)
 *   days apart with fresh event ids and times, yet it is the same change.
 * - Events from AWS get no eventId hash: a redelivered event has the same id anyway, and two
 *   distinct events of one group for one instance within ten minutes are the same news
 *   (e.g. stopping and stopped), which is exactly what must be collapsed.
 * - Drills get the hash because an operator who re-runs a drill means a new drill.
 */
export function executionName(notice: Notice): string {
  const bucketSource = notice.kind === 'scheduled-change' && notice.deadline !== null ? notice.deadline : notice.time;
  const bucketMs = Date.parse(bucketSource);
  if (Number.isNaN(bucketMs)) throw new InvalidInputError(`notice.time: expected an ISO 8601 timestamp, got ${JSON.stringify(bucketSource)}`);
  const bucket = Math.floor(bucketMs / TIME_BUCKET_MS);
  const parts = [notice.instanceId, REASON_GROUP[notice.kind], String(bucket)];
  if (notice.kind === 'operator-drill') parts.push(shortHash(notice.eventId));
  // Instance ids are validated upstream; the replace keeps the name legal whatever reaches here.
  return parts.join('-').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, MAX_NAME_LENGTH);
}
