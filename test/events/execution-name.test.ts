import { describe, expect, it } from 'vitest';
import { classifyEvent, drillNotice, executionName } from '../../shared/events/index.ts';
import type { Notice, NoticeKind } from '../../shared/types.ts';
import { loadFixture } from './fixtures.ts';

const LEGAL = /^[A-Za-z0-9_-]{1,80}$/;

const noticesOf = (event: unknown): Notice[] => {
  const result = classifyEvent(event);
  if (result.outcome !== 'notices') throw new Error(`expected notices, got ${JSON.stringify(result)}`);
  return result.notices;
};

const base: Notice = {
  instanceId: 'i-0123456789abcdef0',
  kind: 'spot-interruption',
  deadline: '2024-05-14T10:32:00.000Z',
  time: '2024-05-14T10:30:00.000Z',
  eventId: 'e-1',
  region: 'us-east-1',
};
const withChanges = (changes: Partial<Notice>): Notice => ({ ...base, ...changes });

describe('executionName', () => {
  it('gives a redelivered event the same name', () => {
    const event = loadFixture('spot-interruption');
    expect(executionName(noticesOf(event)[0]!)).toBe(executionName(noticesOf(structuredClone(event))[0]!));
  });

  it('names the instance, the reason and the 10-minute bucket', () => {
    expect(executionName(base)).toBe(`i-0123456789abcdef0-spot-${Math.floor(Date.parse(base.time) / 600_000)}`);
  });

  it('differs for another instance, another reason or another bucket', () => {
    const name = executionName(base);
    expect(executionName(withChanges({ instanceId: 'i-0123456789abcdef1' }))).not.toBe(name);
    expect(executionName(withChanges({ kind: 'rebalance-recommendation', deadline: null }))).not.toBe(name);
    expect(executionName(withChanges({ time: '2024-05-14T10:40:00.000Z' }))).not.toBe(name);
  });

  it('collapses events of the same news within the bucket, whatever their event id', () => {
    expect(executionName(withChanges({ eventId: 'e-2', time: '2024-05-14T10:39:59.000Z' }))).toBe(executionName(base));
  });

  it('puts every state change in one "gone" group: stopping then stopped starts one replacement', () => {
    const stopping = noticesOf(loadFixture('state-change-stopping'))[0]!;
    const stopped = noticesOf(loadFixture('state-change-stopped'))[0]!;
    const terminated = noticesOf(loadFixture('state-change-terminated'))[0]!;
    expect(new Set([executionName(stopping), executionName(stopped), executionName(terminated)]).size).toBe(1);
    expect(executionName(stopping)).toContain('-gone-');
  });

  it('buckets scheduled changes by their start time, so a re-sent Health notice days later is the same execution', () => {
    const first = withChanges({ kind: 'scheduled-change', deadline: '2024-06-01T15:10:09.000Z', time: '2024-05-14T06:27:57.000Z', eventId: 'h-1' });
    const reminder = withChanges({ ...first, time: '2024-05-28T06:27:57.000Z', eventId: 'h-2' });
    const rescheduled = withChanges({ ...first, deadline: '2024-06-08T15:10:09.000Z', eventId: 'h-3' });
    expect(executionName(reminder)).toBe(executionName(first));
    expect(executionName(rescheduled)).not.toBe(executionName(first));
  });

  it('gives each instance of a paged Health event its own name, and the same instance on two pages one name', () => {
    const page1 = noticesOf(loadFixture('health-scheduled-change-page-1-of-2'));
    const page2 = noticesOf(loadFixture('health-scheduled-change-page-2-of-2'));
    expect(executionName(page1[0]!)).not.toBe(executionName(page2[0]!));
    expect(executionName(withChanges({ ...page2[0]!, instanceId: page1[0]!.instanceId }))).toBe(executionName(page1[0]!));
  });

  it('gives every drill its own execution, even twice in the same minute', () => {
    const first = drillNotice({ instanceId: 'i-0123456789abcdef0' }, 'us-east-1', new Date('2024-05-14T10:30:00Z'));
    const again = drillNotice({ instanceId: 'i-0123456789abcdef0' }, 'us-east-1', new Date('2024-05-14T10:30:20Z'));
    expect(executionName(again)).not.toBe(executionName(first));
    expect(executionName(first)).toBe(executionName({ ...first }));
  });

  const KINDS: NoticeKind[] = [
    'spot-interruption', 'rebalance-recommendation', 'instance-stopping', 'instance-stopped', 'instance-shutting-down',
    'instance-terminated', 'scheduled-change', 'capacity-reservation-interruption', 'asg-terminate', 'operator-drill',
  ];
  it.each(KINDS)('is a legal Step Functions name for %s, even with the longest ids', (kind) => {
    const name = executionName(withChanges({ kind, instanceId: 'i-0fffffffffffffff0', eventId: 'x'.repeat(200), time: '2999-12-31T23:59:59.999Z' }));
    expect(name).toMatch(LEGAL);
    expect(name.startsWith('i-0fffffffffffffff0-')).toBe(true);
  });
});
