import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors.ts';
import { actionFor, classifyEvent } from '../../shared/events/index.ts';
import type { InterruptionAction, Notice, NoticeKind } from '../../shared/types.ts';
import { loadFixture } from './fixtures.ts';

const NOW = new Date('2024-05-14T10:30:00.000Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();
const SECOND = 1000;
const MINUTE = 60 * SECOND;

const notice = (kind: NoticeKind, deadline: string | null): Notice => ({
  instanceId: 'i-0123456789abcdef0',
  kind,
  deadline,
  time: NOW.toISOString(),
  eventId: 'e-1',
  region: 'us-east-1',
});

const replaceNow = (drainDeadline: string): InterruptionAction => ({ replace: true, drain: 'now', drainDeadline, terminate: true, completeLifecycleAction: false });
const replaceFirst = (drainDeadline: string): InterruptionAction => ({ replace: true, drain: 'after-replacement', drainDeadline, terminate: true, completeLifecycleAction: false });
const alreadyGoing: InterruptionAction = { replace: true, drain: 'now', drainDeadline: NOW.toISOString(), terminate: false, completeLifecycleAction: false };

describe('actionFor', () => {
  it.each<[string, Notice, InterruptionAction]>([
    ['spot interruption: drain at once, stop 15 s before the 2-minute deadline', notice('spot-interruption', at(2 * MINUTE)), replaceNow(at(2 * MINUTE - 15 * SECOND))],
    ['spot interruption delivered late: the drain deadline is now, never in the past', notice('spot-interruption', at(-30 * SECOND)), replaceNow(at(0))],
    ['spot interruption 10 s before the end: the margin cannot push the deadline before now', notice('spot-interruption', at(10 * SECOND)), replaceNow(at(0))],
    ['capacity reservation interruption: like spot', notice('capacity-reservation-interruption', at(2 * MINUTE)), replaceNow(at(2 * MINUTE - 15 * SECOND))],
    ['operator drill: like spot', notice('operator-drill', at(5 * MINUTE)), replaceNow(at(5 * MINUTE - 15 * SECOND))],
    ['rebalance recommendation: replacement first, 15 minutes to drain', notice('rebalance-recommendation', null), replaceFirst(at(15 * MINUTE))],
    ['scheduled change two weeks out: replacement first, drain window capped at one hour', notice('scheduled-change', at(14 * 24 * 60 * MINUTE)), replaceFirst(at(60 * MINUTE))],
    ['scheduled change 30 minutes out: drain until just before the start', notice('scheduled-change', at(30 * MINUTE)), replaceFirst(at(30 * MINUTE - 15 * SECOND))],
    ['scheduled change exactly 5 min (after the margin) away: still replacement first', notice('scheduled-change', at(5 * MINUTE + 15 * SECOND)), replaceFirst(at(5 * MINUTE))],
    ['scheduled change 4 minutes away: too close, drain at once', notice('scheduled-change', at(4 * MINUTE)), replaceNow(at(4 * MINUTE - 15 * SECOND))],
    ['scheduled change already started: drain at once, deadline now', notice('scheduled-change', at(-MINUTE)), replaceNow(at(0))],
    ['instance stopping', notice('instance-stopping', at(-5 * SECOND)), alreadyGoing],
    ['instance stopped', notice('instance-stopped', at(-5 * SECOND)), alreadyGoing],
    ['instance shutting down', notice('instance-shutting-down', at(-5 * SECOND)), alreadyGoing],
    ['instance terminated', notice('instance-terminated', at(-5 * SECOND)), alreadyGoing],
    [
      'ASG terminate: the group replaces and terminates, nodewright drains and completes the hook',
      notice('asg-terminate', at(60 * MINUTE)),
      { replace: false, drain: 'now', drainDeadline: at(60 * MINUTE - 15 * SECOND), terminate: false, completeLifecycleAction: true },
    ],
  ])('%s', (_case, input, expected) => {
    expect(actionFor(input, NOW)).toEqual(expected);
  });

  it('acts on the spot fixture with the deadline the event implies', () => {
    const result = classifyEvent(loadFixture('spot-interruption'));
    if (result.outcome !== 'notices') throw new Error(`expected notices, got ${result.outcome}`);
    const [spot] = result.notices;
    // The event was sent at 10:30:00; 20 s later the drain has 1 min 25 s left.
    expect(actionFor(spot!, new Date('2024-05-14T10:30:20Z')).drainDeadline).toBe('2024-05-14T10:31:45.000Z');
  });

  it('refuses an invalid clock and an unreadable deadline with named errors', () => {
    expect(() => actionFor(notice('spot-interruption', at(MINUTE)), new Date('garbage'))).toThrow(InvalidInputError);
    expect(() => actionFor(notice('spot-interruption', 'soon'), NOW)).toThrow(/notice.deadline: expected an ISO 8601 timestamp, got "soon"/);
  });
});
