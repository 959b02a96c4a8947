import { describe, expect, it } from 'vitest';
import { INTERRUPTION_RULES, matchesAnyRule, matchesPattern } from '../../shared/events/rules.ts';

const ec2 = (detailType: string, detail: object = {}) => ({ source: 'aws.ec2', 'detail-type': detailType, detail });

describe('EventBridge rules', () => {
  it.each([
    [ec2('EC2 Spot Instance Interruption Warning', { 'instance-id': 'i-1' }), true],
    [ec2('EC2 Instance Rebalance Recommendation'), true],
    [ec2('EC2 Capacity Reservation Instance Interruption Warning'), true],
    [ec2('EC2 Instance State-change Notification', { state: 'terminated' }), true],
    [ec2('EC2 Instance State-change Notification', { state: 'stopping' }), true],
    [ec2('EC2 Instance State-change Notification', { state: 'running' }), false],
    [ec2('EC2 Instance State-change Notification', { state: 'pending' }), false],
    [{ source: 'aws.health', 'detail-type': 'AWS Health Event', detail: { service: 'EC2', eventTypeCategory: 'scheduledChange' } }, true],
    [{ source: 'aws.health', 'detail-type': 'AWS Health Event', detail: { service: 'EC2', eventTypeCategory: 'issue' } }, false],
    [{ source: 'aws.health', 'detail-type': 'AWS Health Event', detail: { service: 'RDS', eventTypeCategory: 'scheduledChange' } }, false],
    [{ source: 'aws.autoscaling', 'detail-type': 'EC2 Instance-terminate Lifecycle Action', detail: {} }, true],
    [{ source: 'aws.autoscaling', 'detail-type': 'EC2 Instance-launch Lifecycle Action', detail: {} }, false],
    [{ source: 'my.app', 'detail-type': 'EC2 Spot Instance Interruption Warning' }, false],
    ['not an event', false],
    [null, false],
  ])('%j -> %s', (event, expected) => {
    expect(matchesAnyRule(event)).toBe(expected);
  });

  it('matches any element of an array value, as EventBridge does', () => {
    expect(matchesPattern({ resources: ['a', 'b'] }, { resources: ['b'] })).toBe(true);
    expect(matchesPattern({ resources: ['a'] }, { resources: ['b'] })).toBe(false);
  });

  it('has unique rule ids', () => {
    const ids = INTERRUPTION_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
