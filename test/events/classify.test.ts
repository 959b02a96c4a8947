import { describe, expect, it } from 'vitest';
import { classifyEvent } from '../../shared/events/index.ts';
import type { Notice } from '../../shared/types.ts';
import { fixtureNames, loadFixture } from './fixtures.ts';

type Expected = { notices: Notice[] } | { ignored: RegExp } | { refused: string };

// Every fixture and what nodewright must make of it. A fixture added without a row fails below.
const EXPECTED: Record<string, Expected> = {
  'spot-interruption': {
    notices: [{ instanceId: 'i-1234567890abcdef0', kind: 'spot-interruption', deadline: '2024-05-14T10:32:00.000Z', time: '2024-05-14T10:30:00.000Z', eventId: '12345678-1234-1234-1234-123456789012', region: 'us-east-2' }],
  },
  'spot-interruption-hibernate': {
    notices: [{ instanceId: 'i-0b1c2d3e4f5a6b7c8', kind: 'spot-interruption', deadline: '2024-05-14T11:07:31.000Z', time: '2024-05-14T11:05:31.000Z', eventId: '2d4f6a8c-1111-2222-3333-444455556666', region: 'us-east-2' }],
  },
  'rebalance-recommendation': {
    notices: [{ instanceId: 'i-1234567890abcdef0', kind: 'rebalance-recommendation', deadline: null, time: '2024-05-14T10:25:00.000Z', eventId: '12345678-1234-1234-1234-123456789012', region: 'us-east-2' }],
  },
  'state-change-pending': { ignored: /i-abcd1111 entered state "pending"/ },
  'state-change-running': { ignored: /i-abcd1111 entered state "running"/ },
  'state-change-stopping': {
    notices: [{ instanceId: 'i-abcd1111', kind: 'instance-stopping', deadline: '2024-05-14T21:29:52.000Z', time: '2024-05-14T21:29:52.000Z', eventId: '7bf73129-1428-4cd3-a780-95db273d1602', region: 'us-east-1' }],
  },
  'state-change-stopped': {
    notices: [{ instanceId: 'i-abcd1111', kind: 'instance-stopped', deadline: '2024-05-14T21:29:53.000Z', time: '2024-05-14T21:29:53.000Z', eventId: '7bf73129-1428-4cd3-a780-95db273d1603', region: 'us-east-1' }],
  },
  'state-change-shutting-down': {
    notices: [{ instanceId: 'i-abcd1111', kind: 'instance-shutting-down', deadline: '2024-05-14T21:29:54.000Z', time: '2024-05-14T21:29:54.000Z', eventId: '7bf73129-1428-4cd3-a780-95db273d1604', region: 'us-east-1' }],
  },
  'state-change-terminated': {
    notices: [{ instanceId: 'i-abcd1111', kind: 'instance-terminated', deadline: '2024-05-14T21:29:55.000Z', time: '2024-05-14T21:29:55.000Z', eventId: '7bf73129-1428-4cd3-a780-95db273d1605', region: 'us-east-1' }],
  },
  'capacity-reservation-interruption': {
    notices: [{ instanceId: 'i-0fedcba9876543210', kind: 'capacity-reservation-interruption', deadline: '2024-05-14T12:02:00.000Z', time: '2024-05-14T12:00:00.000Z', eventId: '5e1d2c3b-4a59-4687-9a1b-2c3d4e5f6a7b', region: 'us-west-2' }],
  },
  'capacity-reservation-interruption-no-termination-time': {
    notices: [{ instanceId: 'i-0fedcba9876543211', kind: 'capacity-reservation-interruption', deadline: '2024-05-14T12:12:00.000Z', time: '2024-05-14T12:10:00.000Z', eventId: '5e1d2c3b-4a59-4687-9a1b-2c3d4e5f6a7c', region: 'us-west-2' }],
  },
  'asg-terminate-lifecycle-action': {
    notices: [
      {
        instanceId: 'i-1234567890abcdef0', kind: 'asg-terminate', deadline: '2024-05-14T14:00:00.000Z', time: '2024-05-14T13:00:00.000Z', eventId: '468fb7b1-5dc9-4a3e-8c2e-1f0e0f0e0f0e', region: 'us-west-2',
        lifecycle: { autoScalingGroupName: 'my-asg', lifecycleHookName: 'my-lifecycle-hook', lifecycleActionToken: '87654321-4321-4321-4321-210987654321' },
      },
    ],
  },
  'asg-test-notification': { ignored: /test notification/ },
  'health-scheduled-change-bare-id': {
    notices: [{ instanceId: 'i-12345678', kind: 'scheduled-change', deadline: '2024-06-01T15:10:09.000Z', time: '2024-05-14T06:27:57.000Z', eventId: '7fb65329-1628-4cf3-a740-95fg457h1402', region: 'us-east-1' }],
  },
  'health-scheduled-change-arn-entities': {
    notices: [
      { instanceId: 'i-0abc1234def567890', kind: 'scheduled-change', deadline: '2024-05-31T02:00:00.000Z', time: '2024-05-14T06:27:57.000Z', eventId: '7fb65329-1628-4cf3-a740-95fg457h1402', region: 'us-east-1' },
      { instanceId: 'i-0abc1234def567891', kind: 'scheduled-change', deadline: '2024-05-31T02:00:00.000Z', time: '2024-05-14T06:27:57.000Z', eventId: '7fb65329-1628-4cf3-a740-95fg457h1402', region: 'us-east-1' },
    ],
  },
  'health-scheduled-change-page-1-of-2': {
    notices: [{ instanceId: 'i-0aaaaaaaaaaaaaaa1', kind: 'scheduled-change', deadline: '2024-06-03T09:00:00.000Z', time: '2024-05-20T08:00:00.000Z', eventId: '0c0c0c0c-0000-4000-8000-000000000001', region: 'eu-west-1' }],
  },
  'health-scheduled-change-page-2-of-2': {
    notices: [{ instanceId: 'i-0aaaaaaaaaaaaaaa2', kind: 'scheduled-change', deadline: '2024-06-03T09:00:00.000Z', time: '2024-05-20T08:00:00.000Z', eventId: '0c0c0c0c-0000-4000-8000-000000000002', region: 'eu-west-1' }],
  },
  // Delivered to us-west-2, but the instance lives where detail.eventRegion says.
  'health-scheduled-change-backup-region': {
    notices: [{ instanceId: 'i-0123456789abcdef0', kind: 'scheduled-change', deadline: '2024-06-10T01:00:00.000Z', time: '2024-05-14T06:27:57.000Z', eventId: 'b0b0b0b0-1111-4222-8333-444455556666', region: 'ap-southeast-2' }],
  },
  'health-rds-scheduled-change': { ignored: /service "RDS"/ },
  'health-ec2-issue': { ignored: /category "issue"/ },
  'health-ec2-no-instances': { ignored: /names no EC2 instance among its 3 affected entities/ },
  'invalid-not-an-object': { refused: 'event: expected a JSON object, got "just a string"' },
  'invalid-unknown-detail-type': { refused: 'source "aws.ec2" with detail-type "EBS Snapshot Notification" is not an event nodewright consumes' },
  'invalid-spot-bad-instance-id': { refused: 'detail.instance-id: expected an EC2 instance id like i-0abc1234def567890, got "foo"' },
  'invalid-spot-missing-instance-id': { refused: 'detail.instance-id: expected an EC2 instance id like i-0abc1234def567890, got nothing (the field is missing)' },
  'invalid-spot-bad-time': { refused: 'time: expected a timestamp like 2024-01-31T02:00:00Z or Wed, 31 Jan 2024 02:00:00 GMT, got "yyyy-mm-ddThh:mm:ssZ"' },
  'invalid-spot-bad-region': { refused: 'region: expected an AWS region like us-east-1, got "[region]"' },
  'invalid-state-change-unknown-state': { refused: 'detail.state: expected one of pending, running, stopping, stopped, shutting-down, terminated, got "exploded"' },
  'invalid-asg-missing-token': { refused: 'detail.LifecycleActionToken: expected the lifecycle action token, a non-empty string, got nothing (the field is missing)' },
  'invalid-health-bad-instance-arn': {
    refused: 'detail.affectedEntities[1].entityValue: expected an EC2 instance id like i-0abc1234def567890 in the ARN, got "arn:aws:ec2:us-east-1:123456789012:instance/i-XYZ"',
  },
  'invalid-health-bad-start-time': { refused: 'detail.startTime: expected a timestamp like 2024-01-31T02:00:00Z or Wed, 31 Jan 2024 02:00:00 GMT, got "next Tuesday"' },
};

const NOT_SINGLE_EVENTS = new Set(['sqs-batch']);

describe('classifyEvent on the sample events', () => {
  it('has an expectation for every fixture file', () => {
    const untested = fixtureNames().filter((name) => !(name in EXPECTED) && !NOT_SINGLE_EVENTS.has(name));
    expect(untested).toEqual([]);
  });

  it.each(Object.entries(EXPECTED))('%s', (name, expected) => {
    const result = classifyEvent(loadFixture(name));
    if ('notices' in expected) expect(result).toEqual({ outcome: 'notices', notices: expected.notices });
    else if ('ignored' in expected) {
      expect(result.outcome).toBe('ignored');
      expect(result.outcome === 'ignored' && result.reason).toMatch(expected.ignored);
    } else expect(result).toEqual({ outcome: 'refused', reason: expected.refused });
  });
});
