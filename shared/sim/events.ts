// EventBridge events exactly as AWS delivers them (envelope fields, detail-type strings, detail
// shapes), so the simulator feeds route-event the same JSON it would get from the SQS queue in AWS.

import type { InstanceState } from '../types.ts';
import type { SeededRandom } from './random.ts';

export interface EventContext {
  random: SeededRandom;
  account: string;
  region: string;
  now: Date;
}

export interface EventBridgeEvent<Detail = Record<string, unknown>> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  /** ISO 8601 to the second, as EventBridge writes it. */
  time: string;
  region: string;
  resources: string[];
  detail: Detail;
}

export function instanceArn(region: string, account: string, instanceId: string): string {
  return `arn:aws:ec2:${region}:${account}:instance/${instanceId}`;
}

/** EventBridge writes times without milliseconds: 2026-01-02T03:04:05Z. */
export function eventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function envelope<D>(ctx: EventContext, detailType: string, source: string, resources: string[], detail: D): EventBridgeEvent<D> {
  return {
    version: '0',
    id: ctx.random.uuid(),
    'detail-type': detailType,
    source,
    account: ctx.account,
    time: eventTime(ctx.now),
    region: ctx.region,
    resources,
    detail,
  };
}

export function spotInterruptionWarning(ctx: EventContext, instanceId: string): EventBridgeEvent {
  return envelope(ctx, 'EC2 Spot Instance Interruption Warning', 'aws.ec2', [instanceArn(ctx.region, ctx.account, instanceId)], {
    'instance-id': instanceId,
    'instance-action': 'terminate',
  });
}

export function rebalanceRecommendation(ctx: EventContext, instanceId: string): EventBridgeEvent {
  return envelope(ctx, 'EC2 Instance Rebalance Recommendation', 'aws.ec2', [instanceArn(ctx.region, ctx.account, instanceId)], {
    'instance-id': instanceId,
  });
}

export function instanceStateChange(ctx: EventContext, instanceId: string, state: InstanceState): EventBridgeEvent {
  return envelope(ctx, 'EC2 Instance State-change Notification', 'aws.ec2', [instanceArn(ctx.region, ctx.account, instanceId)], {
    'instance-id': instanceId,
    state,
  });
}

/**
 * An AWS Health scheduledChange for an EC2 instance retirement. Health writes startTime/endTime
 * in RFC 1123 form ("Wed, 31 Jan 2018 21:00:00 GMT"), not ISO 8601, and lists the instance id
 * (not its ARN) in resources and affectedEntities.
 */
export function instanceRetirementScheduled(ctx: EventContext, instanceId: string, start: Date, end: Date): EventBridgeEvent {
  const code = 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED';
  return envelope(ctx, 'AWS Health Event', 'aws.health', [instanceId], {
    eventArn: `arn:aws:health:${ctx.region}::event/EC2/${code}/${code}_${ctx.random.hex(8).toUpperCase()}-${ctx.random.hex(6).toUpperCase()}`,
    service: 'EC2',
    eventScopeCode: 'ACCOUNT_SPECIFIC',
    communicationId: ctx.random.hex(40),
    eventTypeCode: code,
    eventTypeCategory: 'scheduledChange',
    eventRegion: ctx.region,
    startTime: start.toUTCString(),
    endTime: end.toUTCString(),
    lastUpdatedTime: ctx.now.toUTCString(),
    statusCode: 'upcoming',
    eventDescription: [
      {
        language: 'en_US',
        latestDescription: `EC2 has detected degradation of the underlying hardware hosting your instance ${instanceId} in the ${ctx.region} region. Due to this degradation your instance could already be unreachable. The instance will be retired after ${start.toUTCString()}.`,
      },
    ],
    affectedEntities: [{ entityValue: instanceId }],
  });
}
