import { describe, expect, it } from 'vitest';
import { classifyEvent } from '../../shared/events/index.ts';

const spot = (overrides: Record<string, unknown> = {}, detail: Record<string, unknown> = {}) => ({
  version: '0',
  id: 'e-1',
  source: 'aws.ec2',
  'detail-type': 'EC2 Spot Instance Interruption Warning',
  time: '2024-05-14T10:30:00Z',
  region: 'us-east-1',
  detail: { 'instance-id': 'i-0123456789abcdef0', 'instance-action': 'terminate', ...detail },
  ...overrides,
});

const health = (detail: Record<string, unknown>) => ({
  version: '0',
  id: 'h-1',
  source: 'aws.health',
  'detail-type': 'AWS Health Event',
  time: '2024-05-14T06:00:00Z',
  region: 'us-east-1',
  detail: {
    eventArn: 'arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/X',
    service: 'EC2',
    eventTypeCategory: 'scheduledChange',
    startTime: 'Fri, 31 May 2024 02:00:00 GMT',
    affectedEntities: [{ entityValue: 'i-0123456789abcdef0' }],
    ...detail,
  },
});

const asg = (detail: Record<string, unknown>) => ({
  id: 'a-1',
  source: 'aws.autoscaling',
  'detail-type': 'EC2 Instance-terminate Lifecycle Action',
  time: '2024-05-14T13:00:00Z',
  region: 'us-west-2',
  detail: {
    LifecycleActionToken: 'token',
    AutoScalingGroupName: 'my-asg',
    LifecycleHookName: 'drain',
    EC2InstanceId: 'i-0123456789abcdef0',
    LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
    ...detail,
  },
});

const INSTANCE = 'expected an EC2 instance id like i-0abc1234def567890';
const TIMESTAMP = 'expected a timestamp like 2024-01-31T02:00:00Z or Wed, 31 Jan 2024 02:00:00 GMT';

describe('classifyEvent refuses invalid events with the field and the value', () => {
  it.each<[string, unknown, string | RegExp]>([
    ['null', null, 'event: expected a JSON object, got null'],
    ['a number', 42, 'event: expected a JSON object, got 42'],
    ['an array', [spot()], /^event: expected a JSON object, got \[\{"version":"0"/],
    ['no source', spot({ source: undefined }), 'source: expected the event source, a string like aws.ec2, got nothing (the field is missing)'],
    ['no detail-type', spot({ 'detail-type': 7 }), 'detail-type: expected the event detail-type, a string like "EC2 Spot Instance Interruption Warning", got 7'],
    ['a detail-type from another source', spot({ source: 'aws.health' }), 'source "aws.health" with detail-type "EC2 Spot Instance Interruption Warning" is not an event nodewright consumes'],
    ['Health abuse events', { ...health({}), 'detail-type': 'AWS Health Abuse Event' }, 'source "aws.health" with detail-type "AWS Health Abuse Event" is not an event nodewright consumes'],
    ['a launch lifecycle action', { ...asg({}), 'detail-type': 'EC2 Instance-launch Lifecycle Action' }, 'source "aws.autoscaling" with detail-type "EC2 Instance-launch Lifecycle Action" is not an event nodewright consumes'],
    ['no id', spot({ id: '' }), 'id: expected the EventBridge event id, a non-empty string, got ""'],
    ['no detail', spot({ detail: undefined }), 'detail: expected an object with the event details, got nothing (the field is missing)'],
    ['31 February', spot({ time: '2024-02-31T10:00:00Z' }), `time: ${TIMESTAMP}, got "2024-02-31T10:00:00Z"`],
    ['hour 24', spot({ time: '2024-05-14T24:00:00Z' }), `time: ${TIMESTAMP}, got "2024-05-14T24:00:00Z"`],
    ['a date without time zone', spot({ time: '2024-05-14T10:00:00' }), `time: ${TIMESTAMP}, got "2024-05-14T10:00:00"`],
    ['epoch seconds', spot({ time: 1715682600 }), `time: ${TIMESTAMP}, got 1715682600`],
    ['an upper-case instance id', spot({}, { 'instance-id': 'i-0123456789ABCDEF0' }), `detail.instance-id: ${INSTANCE}, got "i-0123456789ABCDEF0"`],
    ['a 9-digit instance id', spot({}, { 'instance-id': 'i-012345678' }), `detail.instance-id: ${INSTANCE}, got "i-012345678"`],
    ['a numeric instance id', spot({}, { 'instance-id': 12 }), `detail.instance-id: ${INSTANCE}, got 12`],
    ['an unknown instance action', spot({}, { 'instance-action': 'reboot' }), 'detail.instance-action: expected one of terminate, stop, hibernate, got "reboot"'],
    ['an ASG event without the group', asg({ AutoScalingGroupName: '' }), 'detail.AutoScalingGroupName: expected the Auto Scaling group name, a non-empty string, got ""'],
    ['an ASG event for a launch', asg({ LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING' }), 'detail.LifecycleTransition: expected autoscaling:EC2_INSTANCE_TERMINATING, got "autoscaling:EC2_INSTANCE_LAUNCHING"'],
    ['an ASG event with a bad instance', asg({ EC2InstanceId: 'i-nope' }), `detail.EC2InstanceId: ${INSTANCE}, got "i-nope"`],
    ['a Health event without a service', health({ service: undefined }), 'detail.service: expected the affected AWS service, a non-empty string, got nothing (the field is missing)'],
    ['a Health event without a start time', health({ startTime: undefined }), `detail.startTime: ${TIMESTAMP}, got nothing (the field is missing)`],
    ['a Health event with entities not in a list', health({ affectedEntities: 'i-0123456789abcdef0' }), 'detail.affectedEntities: expected a list of affected entities, got "i-0123456789abcdef0"'],
    ['a Health entity without a value', health({ affectedEntities: [{ tags: {} }] }), 'detail.affectedEntities[0].entityValue: expected the entity id or ARN, a string, got nothing (the field is missing)'],
    ['a Health entity with a malformed bare id', health({ affectedEntities: [{ entityValue: 'i-12' }] }), `detail.affectedEntities[0].entityValue: ${INSTANCE}, got "i-12"`],
    ['a page beyond the total', health({ page: '3', totalPages: '2' }), 'detail.page: expected a page number no greater than detail.totalPages, got "3"'],
    ['page zero', health({ page: 0 }), 'detail.page: expected a page number of 1 or more, like "1", got 0'],
    ['a page that is not a number', health({ totalPages: 'two' }), 'detail.totalPages: expected a page number of 1 or more, like "1", got "two"'],
    ['a bad eventRegion', health({ eventRegion: 'Europe' }), 'detail.eventRegion: expected an AWS region like us-east-1, got "Europe"'],
  ])('%s', (_case, event, reason) => {
    const result = classifyEvent(event);
    expect(result.outcome).toBe('refused');
    const text = result.outcome === 'refused' ? result.reason : '';
    if (typeof reason === 'string') expect(text).toBe(reason);
    else expect(text).toMatch(reason);
  });

  it('cuts a long offending value so the reason stays one readable line', () => {
    const result = classifyEvent(spot({}, { 'instance-id': 'x'.repeat(500) }));
    expect(result.outcome === 'refused' && result.reason.length).toBeLessThan(200);
    expect(result.outcome === 'refused' && result.reason).toMatch(/\.\.\.$/);
  });
});

describe('classifyEvent accepts the timestamp and id forms AWS uses', () => {
  it.each([
    ['fractional seconds', '2024-05-14T10:30:00.123Z', '2024-05-14T10:32:00.123Z'],
    ['a numeric offset', '2024-05-14T12:30:00+02:00', '2024-05-14T10:32:00.000Z'],
    ['a leap day', '2024-02-29T10:30:00Z', '2024-02-29T10:32:00.000Z'],
  ])('time with %s', (_case, time, deadline) => {
    const result = classifyEvent(spot({ time }));
    expect(result.outcome === 'notices' && result.notices[0]?.deadline).toBe(deadline);
  });

  it('accepts 8-digit instance ids from older instances', () => {
    const result = classifyEvent(spot({}, { 'instance-id': 'i-abcd1111' }));
    expect(result.outcome === 'notices' && result.notices[0]?.instanceId).toBe('i-abcd1111');
  });

  it('reads Health start times in ISO 8601 as well as RFC 1123', () => {
    const iso = classifyEvent(health({ startTime: '2024-05-31T02:00:00Z' }));
    const rfc = classifyEvent(health({ startTime: 'Fri, 31 May 2024 02:00:00 GMT' }));
    expect(iso.outcome === 'notices' && iso.notices[0]?.deadline).toBe('2024-05-31T02:00:00.000Z');
    expect(rfc).toEqual(iso);
  });
});

describe('AWS Health affected entities', () => {
  const instancesOf = (entities: string[], extra: Record<string, unknown> = {}) => {
    const result = classifyEvent(health({ affectedEntities: entities.map((entityValue) => ({ entityValue })), ...extra }));
    return result.outcome === 'notices' ? result.notices.map(({ instanceId, region }) => ({ instanceId, region })) : result;
  };

  it('reads an instance ARN and a bare id alike', () => {
    expect(instancesOf(['arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0', 'i-0fedcba9876543210'])).toEqual([
      { instanceId: 'i-0123456789abcdef0', region: 'us-east-1' },
      { instanceId: 'i-0fedcba9876543210', region: 'us-east-1' },
    ]);
  });

  it('gives one notice per instance even when it is named twice (by ARN and by id)', () => {
    expect(instancesOf(['i-0123456789abcdef0', 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0'])).toEqual([
      { instanceId: 'i-0123456789abcdef0', region: 'us-east-1' },
    ]);
  });

  it('takes the region from the ARN first, then detail.eventRegion, then the delivery region', () => {
    expect(instancesOf(['arn:aws-cn:ec2:cn-north-1:123456789012:instance/i-0123456789abcdef0'], { eventRegion: 'eu-west-1' })).toEqual([
      { instanceId: 'i-0123456789abcdef0', region: 'cn-north-1' },
    ]);
    expect(instancesOf(['i-0123456789abcdef0'], { eventRegion: 'eu-west-1' })).toEqual([{ instanceId: 'i-0123456789abcdef0', region: 'eu-west-1' }]);
  });

  it('skips entities that are not instances and keeps the instances', () => {
    expect(
      instancesOf(['AWS_ACCOUNT', 'vol-0123456789abcdef0', 'arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0', 'i-0123456789abcdef0']),
    ).toEqual([{ instanceId: 'i-0123456789abcdef0', region: 'us-east-1' }]);
  });

  it('ignores a scheduled change that names no entity at all', () => {
    const result = classifyEvent(health({ affectedEntities: undefined }));
    expect(result.outcome).toBe('ignored');
  });
});
