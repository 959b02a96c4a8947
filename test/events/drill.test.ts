import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors.ts';
import { drillNotice } from '../../shared/events/index.ts';

const NOW = new Date('2024-05-14T10:30:00.000Z');

describe('drillNotice', () => {
  it('rehearses a spot interruption: deadline two minutes from now', () => {
    expect(drillNotice({ instanceId: 'i-0123456789abcdef0' }, 'eu-west-1', NOW)).toEqual({
      instanceId: 'i-0123456789abcdef0',
      kind: 'operator-drill',
      deadline: '2024-05-14T10:32:00.000Z',
      time: '2024-05-14T10:30:00.000Z',
      eventId: `drill-i-0123456789abcdef0-${NOW.getTime()}`,
      region: 'eu-west-1',
    });
  });

  it('keeps a deadline the operator gives, in either AWS timestamp form', () => {
    expect(drillNotice({ instanceId: 'i-0123456789abcdef0', deadline: '2024-05-14T10:40:00Z' }, 'eu-west-1', NOW).deadline).toBe('2024-05-14T10:40:00.000Z');
    expect(drillNotice({ instanceId: 'i-0123456789abcdef0', deadline: 'Tue, 14 May 2024 10:45:00 GMT' }, 'eu-west-1', NOW).deadline).toBe('2024-05-14T10:45:00.000Z');
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a bad instance id', { instanceId: 'web-1' }, 'eu-west-1', /^instanceId: expected an EC2 instance id like i-0abc1234def567890, got "web-1"$/],
    ['no instance id', {}, 'eu-west-1', /^instanceId: expected an EC2 instance id .*got nothing/],
    ['a bad deadline', { instanceId: 'i-0123456789abcdef0', deadline: 'in 5 minutes' }, 'eu-west-1', /^deadline: expected a timestamp .*got "in 5 minutes"$/],
    ['a bad region', { instanceId: 'i-0123456789abcdef0' }, 'Ireland', /^region: expected an AWS region like us-east-1, got "Ireland"$/],
    ['not an object', 'i-0123456789abcdef0', 'eu-west-1', /^input: expected an object like \{"instanceId": "i-0abc1234def567890"\}/],
  ])('refuses %s with InvalidInputError naming the field', (_case, input, region, message) => {
    const attempt = () => drillNotice(input as { instanceId: string }, region, NOW);
    expect(attempt).toThrow(InvalidInputError);
    expect(attempt).toThrow(message);
  });
});
