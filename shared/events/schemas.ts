// Zod schemas for the EventBridge events nodewright consumes. Each schema keeps only the fields
// a decision reads; AWS adds fields over time, so unknown keys pass through untouched.
// Every check carries the expectation it states in a refusal, e.g. "expected an EC2 instance id".

import { z } from 'zod';
import {
  INSTANCE_ID_EXPECTATION,
  REGION_EXPECTATION,
  TIMESTAMP_EXPECTATION,
  isInstanceId,
  isRegion,
  parseTimestamp,
} from './fields.ts';

const text = (expectation: string) => z.string({ error: expectation }).min(1, { error: expectation });
const instanceId = z.string({ error: INSTANCE_ID_EXPECTATION }).refine(isInstanceId, { error: INSTANCE_ID_EXPECTATION });
const region = z.string({ error: REGION_EXPECTATION }).refine(isRegion, { error: REGION_EXPECTATION });
const timestamp = z
  .string({ error: TIMESTAMP_EXPECTATION })
  .refine((value) => parseTimestamp(value) !== undefined, { error: TIMESTAMP_EXPECTATION });
const detailObject = <Shape extends z.ZodRawShape>(shape: Shape) =>
  z.object(shape, { error: 'expected an object with the event details' });

/** The envelope every EventBridge event shares (`source` and `detail-type` are matched before parsing). */
const envelope = {
  id: text('expected the EventBridge event id, a non-empty string'),
  time: timestamp,
  region,
};

const INSTANCE_ACTIONS = ['terminate', 'stop', 'hibernate'] as const;
const instanceAction = z.enum(INSTANCE_ACTIONS, { error: `expected one of ${INSTANCE_ACTIONS.join(', ')}` });

/** aws.ec2 / EC2 Spot Instance Interruption Warning. */
export const spotInterruptionEvent = z.object({
  ...envelope,
  detail: detailObject({ 'instance-id': instanceId, 'instance-action': instanceAction }),
});

/** aws.ec2 / EC2 Instance Rebalance Recommendation. */
export const rebalanceRecommendationEvent = z.object({
  ...envelope,
  detail: detailObject({ 'instance-id': instanceId }),
});

export const INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'] as const;

/** aws.ec2 / EC2 Instance State-change Notification. */
export const stateChangeEvent = z.object({
  ...envelope,
  detail: detailObject({
    'instance-id': instanceId,
    state: z.enum(INSTANCE_STATES, { error: `expected one of ${INSTANCE_STATES.join(', ')}` }),
  }),
});

/**
 * aws.ec2 / EC2 Capacity Reservation Instance Interruption Warning (interruptible Capacity
 * Reservations). The EC2 user guide's sample also carries `instance-termination-time` and `azId`.
 */
export const capacityReservationInterruptionEvent = z.object({
  ...envelope,
  detail: detailObject({
    'instance-id': instanceId,
    'instance-action': instanceAction,
    'instance-termination-time': timestamp.optional(),
  }),
});

export const TERMINATING_TRANSITION = 'autoscaling:EC2_INSTANCE_TERMINATING';

/** aws.autoscaling / EC2 Instance-terminate Lifecycle Action. */
export const asgTerminateEvent = z.object({
  ...envelope,
  detail: detailObject({
    EC2InstanceId: instanceId,
    AutoScalingGroupName: text('expected the Auto Scaling group name, a non-empty string'),
    LifecycleHookName: text('expected the lifecycle hook name, a non-empty string'),
    LifecycleActionToken: text('expected the lifecycle action token, a non-empty string'),
    LifecycleTransition: z.literal(TERMINATING_TRANSITION, { error: `expected ${TERMINATING_TRANSITION}` }),
  }),
});

/** Only the two fields that decide whether a Health event concerns nodewright at all. */
export const healthEventTopic = z.object({
  detail: detailObject({
    service: text('expected the affected AWS service, a non-empty string'),
    eventTypeCategory: text('expected the event type category, a non-empty string'),
  }),
});

/** AWS Health writes page numbers as strings in its samples; numbers are accepted too. */
const PAGE_EXPECTATION = 'expected a page number of 1 or more, like "1"';
const pageNumber = z
  .union(
    [
      z.number({ error: PAGE_EXPECTATION }).int({ error: PAGE_EXPECTATION }).positive({ error: PAGE_EXPECTATION }),
      z.string({ error: PAGE_EXPECTATION }).regex(/^[1-9]\d{0,5}$/, { error: PAGE_EXPECTATION }),
    ],
    { error: PAGE_EXPECTATION },
  )
  .transform(Number);

/** aws.health / AWS Health Event, once known to be an EC2 scheduled change. */
export const healthScheduledChangeEvent = z.object({
  ...envelope,
  detail: detailObject({
    eventArn: text('expected the AWS Health event ARN, a non-empty string'),
    startTime: timestamp,
    eventRegion: region.optional(),
    affectedEntities: z
      .array(
        z.object({ entityValue: z.string({ error: 'expected the entity id or ARN, a string' }) }, {
          error: 'expected an object with an entityValue',
        }),
        { error: 'expected a list of affected entities' },
      )
      .optional(),
    page: pageNumber.optional(),
    totalPages: pageNumber.optional(),
  }).refine((detail) => detail.page === undefined || detail.totalPages === undefined || detail.page <= detail.totalPages, {
    error: 'expected a page number no greater than detail.totalPages',
    path: ['page'],
  }),
});

/** An operator's drill, started by hand with {"instanceId": "i-..."}. */
export const drillInput = z.object(
  { instanceId, deadline: timestamp.optional() },
  { error: 'expected an object like {"instanceId": "i-0abc1234def567890"}' },
);
