// classifyEvent: one EventBridge event in, the notices it means out. Each consumed
// (source, detail-type) pair has one reader below; a reader validates against its schema and
// yields one Notice per affected instance, or says why there is nothing to do.

import type { z } from 'zod';
import type { Notice, NoticeKind } from '../types.ts';
import { parseTimestamp, readEntity } from './fields.ts';
import { describeValue, fieldReason, reasonFromZodError } from './reason.ts';
import {
  asgTerminateEvent,
  capacityReservationInterruptionEvent,
  healthEventTopic,
  healthScheduledChangeEvent,
  rebalanceRecommendationEvent,
  spotInterruptionEvent,
  stateChangeEvent,
} from './schemas.ts';

export type EventClassification =
  | { outcome: 'notices'; notices: Notice[] }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'refused'; reason: string };

const TWO_MINUTES_MS = 2 * 60_000;
/**
 * The lifecycle event does not carry the hook's heartbeat timeout, so the deadline assumes the
 * Auto Scaling default of one hour. A hook configured shorter ends sooner; completing the
 * action early (which the workflow does) is always safe.
 */
const DEFAULT_LIFECYCLE_HEARTBEAT_MS = 60 * 60_000;

type Reader = (raw: Record<string, unknown>) => EventClassification;

const refused = (reason: string): EventClassification => ({ outcome: 'refused', reason });
const ignored = (reason: string): EventClassification => ({ outcome: 'ignored', reason });

function parse<Schema extends z.ZodType>(schema: Schema, raw: unknown): { ok: true; value: z.output<Schema> } | { ok: false; reason: string } {
  const result = schema.safeParse(raw);
  return result.success ? { ok: true, value: result.data } : { ok: false, reason: reasonFromZodError(raw, result.error) };
}

/** Schemas have already checked the format, so this cannot fail on a parsed event. */
function iso(timestamp: string): string {
  const parsed = parseTimestamp(timestamp);
  if (parsed === undefined) throw new Error(`unparseable timestamp passed validation: ${timestamp}`);
  return parsed.toISOString();
}

function after(timestamp: string, ms: number): string {
  return new Date(Date.parse(iso(timestamp)) + ms).toISOString();
}

interface Envelope {
  id: string;
  time: string;
  region: string;
}

function notice(event: Envelope, instanceId: string, kind: NoticeKind, deadline: string | null): Notice {
  return { instanceId, kind, deadline, time: iso(event.time), eventId: event.id, region: event.region };
}

const readSpotInterruption: Reader = (raw) => {
  const parsed = parse(spotInterruptionEvent, raw);
  if (!parsed.ok) return refused(parsed.reason);
  const event = parsed.value;
  return { outcome: 'notices', notices: [notice(event, event.detail['instance-id'], 'spot-interruption', after(event.time, TWO_MINUTES_MS))] };
};

const readRebalanceRecommendation: Reader = (raw) => {
  const parsed = parse(rebalanceRecommendationEvent, raw);
  if (!parsed.ok) return refused(parsed.reason);
  const event = parsed.value;
  return { outcome: 'notices', notices: [notice(event, event.detail['instance-id'], 'rebalance-recommendation', null)] };
};

const STATE_KINDS: Partial<Record<string, NoticeKind>> = {
  stopping: 'instance-stopping',
  stopped: 'instance-stopped',
  'shutting-down': 'instance-shutting-down',
  terminated: 'instance-terminated',
};

const readStateChange: Reader = (raw) => {
  const parsed = parse(stateChangeEvent, raw);
  if (!parsed.ok) return refused(parsed.reason);
  const event = parsed.value;
  const { state } = event.detail;
  const kind = STATE_KINDS[state];
  if (kind === undefined) {
    return ignored(`instance ${event.detail['instance-id']} entered state "${state}": only stopping, stopped, shutting-down and terminated call for action`);
  }
  // The state change has already happened: the deadline is now, not later.
  return { outcome: 'notices', notices: [notice(event, event.detail['instance-id'], kind, iso(event.time))] };
};

const readCapacityReservationInterruption: Reader = (raw) => {
  const parsed = parse(capacityReservationInterruptionEvent, raw);
  if (!parsed.ok) return refused(parsed.reason);
  const event = parsed.value;
  // EC2 states the termination time when it knows it; otherwise the documented two-minute notice applies.
  const stated = event.detail['instance-termination-time'];
  const deadline = stated === undefined ? after(event.time, TWO_MINUTES_MS) : iso(stated);
  return { outcome: 'notices', notices: [notice(event, event.detail['instance-id'], 'capacity-reservation-interruption', deadline)] };
};

const readAsgTerminate: Reader = (raw) => {
  const parsed = parse(asgTerminateEvent, raw);
  if (!parsed.ok) return refused(parsed.reason);
  const event = parsed.value;
  const { detail } = event;
  return {
    outcome: 'notices',
    notices: [
      {
        ...notice(event, detail.EC2InstanceId, 'asg-terminate', after(event.time, DEFAULT_LIFECYCLE_HEARTBEAT_MS)),
        lifecycle: {
          autoScalingGroupName: detail.AutoScalingGroupName,
          lifecycleHookName: detail.LifecycleHookName,
          lifecycleActionToken: detail.LifecycleActionToken,
        },
      },
    ],
  };
};

const readHealthEvent: Reader = (raw) => {
  // Health announces every service's news on this detail-type: decide relevance before
  // demanding the EC2 scheduled-change shape, so an RDS notice is ignored rather than refused.
  const topic = parse(healthEventTopic, raw);
  if (!topic.ok) return refused(topic.reason);
  const { service, eventTypeCategory } = topic.value.detail;
  if (service !== 'EC2') return ignored(`AWS Health event for service "${service}": only EC2 scheduled changes concern nodes`);
  if (eventTypeCategory !== 'scheduledChange') {
    return ignored(`AWS Health EC2 event of category "${eventTypeCategory}": only scheduledChange announces an instance's end`);
  }

  const parsed = parse(healthScheduledChangeEvent, raw);
  if (!parsed.ok) return refused(parsed.reason);
  const event = parsed.value;
  const { detail } = event;
  const deadline = iso(detail.startTime);
  const entities = detail.affectedEntities ?? [];

  const notices = new Map<string, Notice>();
  for (const [index, entity] of entities.entries()) {
    const reference = readEntity(entity.entityValue);
    if (reference.type === 'other') continue; // an account, a volume, a host: not a node
    if (reference.type === 'bad-instance') {
      return refused(fieldReason(['detail', 'affectedEntities', index, 'entityValue'], reference.problem, entity.entityValue));
    }
    // `region` is where EventBridge delivered the event (a backup region for some deliveries);
    // the instance lives where its ARN, or else detail.eventRegion, says.
    const instanceRegion = reference.region ?? detail.eventRegion ?? event.region;
    if (!notices.has(reference.instanceId)) {
      notices.set(reference.instanceId, { ...notice(event, reference.instanceId, 'scheduled-change', deadline), region: instanceRegion });
    }
  }
  if (notices.size === 0) {
    const page = detail.page === undefined ? '' : ` (page ${detail.page} of ${detail.totalPages ?? '?'})`;
    return ignored(`AWS Health event ${detail.eventArn}${page} names no EC2 instance among its ${entities.length} affected entities`);
  }
  return { outcome: 'notices', notices: [...notices.values()] };
};

const READERS: Record<string, Reader> = {
  'aws.ec2|EC2 Spot Instance Interruption Warning': readSpotInterruption,
  'aws.ec2|EC2 Instance Rebalance Recommendation': readRebalanceRecommendation,
  'aws.ec2|EC2 Instance State-change Notification': readStateChange,
  'aws.ec2|EC2 Capacity Reservation Instance Interruption Warning': readCapacityReservationInterruption,
  'aws.autoscaling|EC2 Instance-terminate Lifecycle Action': readAsgTerminate,
  'aws.health|AWS Health Event': readHealthEvent,
};

/** The pairs nodewright's EventBridge rules route to it; exported so infra and docs name the same set. */
export const CONSUMED_EVENTS: ReadonlyArray<{ source: string; detailType: string }> = Object.keys(READERS).map((key) => {
  const [source = '', detailType = ''] = key.split('|');
  return { source, detailType };
});

/** Auto Scaling sends this once when a lifecycle hook's queue is first wired up. */
const ASG_TEST_NOTIFICATION = 'autoscaling:TEST_NOTIFICATION';

export function classifyEvent(raw: unknown): EventClassification {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return refused(`event: expected a JSON object, got ${describeValue(raw)}`);
  }
  const event = raw as Record<string, unknown>;
  if (event['Event'] === ASG_TEST_NOTIFICATION) return ignored('Auto Scaling test notification: sent when a hook is wired up, names no instance');

  const source = event['source'];
  const detailType = event['detail-type'];
  if (typeof source !== 'string') return refused(fieldReason(['source'], 'expected the event source, a string like aws.ec2', source));
  if (typeof detailType !== 'string') {
    return refused(fieldReason(['detail-type'], 'expected the event detail-type, a string like "EC2 Spot Instance Interruption Warning"', detailType));
  }
  const reader = READERS[`${source}|${detailType}`];
  if (reader === undefined) {
    return refused(`source "${source}" with detail-type "${detailType}" is not an event nodewright consumes`);
  }
  return reader(event);
}
