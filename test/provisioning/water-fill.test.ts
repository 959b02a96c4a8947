// Zone quotas under DoNotSchedule zone spread, checkable by hand.
import { describe, expect, it } from 'vitest';
import { waterFill } from '../../shared/provisioning/capacity/water-fill.ts';

const rule = (maxSkew: number, selfMatch = true) => ({ group: 0, maxSkew, selfMatch });

describe('waterFill', () => {
  it('tops up the emptiest zones first: 2-0-0 plus 4 pods with maxSkew 1 ends 2-2-2', () => {
    // 2-0-0 -> b (2-1-0) -> c (2-1-1) -> b (2-2-1) -> c (2-2-2); zone a, already ahead, gets none.
    expect(waterFill([rule(1)], [Int32Array.from([2, 0, 0])], 3, 4, 0b111)).toEqual([0, 2, 2]);
  });

  it('stops when no zone keeps the skew: only the eligible zones count', () => {
    // Only zone a is eligible: alone it is its own minimum, so every pod fits there.
    expect(waterFill([rule(1)], [Int32Array.from([0, 0, 0])], 3, 3, 0b001)).toEqual([3, 0, 0]);
    // a and b eligible, b already 3 ahead with maxSkew 1: a takes pods until it catches up, then they alternate.
    expect(waterFill([rule(1)], [Int32Array.from([0, 3, 0])], 3, 5, 0b011)).toEqual([4, 1, 0]);
  });

  it('lets pods that do not match their own selector go anywhere within the skew', () => {
    // Not self-matching: placing them does not change the counts, so the emptiest zone takes all.
    expect(waterFill([rule(1, false)], [Int32Array.from([1, 0, 1])], 3, 3, 0b111)).toEqual([0, 3, 0]);
  });

  it("measures another class's spread over that spread's zones, not the placed pods' own", () => {
    // Pods counted by a spread over zones a-c (maxSkew 1) but able to run only in zone a: a may
    // hold one more than the emptiest of a-c, so one of three goes there and two stay unplaced.
    expect(waterFill([{ ...rule(1), domain: 0b111 }], [Int32Array.from([0, 0, 0])], 3, 3, 0b001)).toEqual([1, 0, 0]);
    // With b and c already at 2, a may catch up and pass them by one: all three.
    expect(waterFill([{ ...rule(1), domain: 0b111 }], [Int32Array.from([0, 2, 2])], 3, 3, 0b001)).toEqual([3, 0, 0]);
  });
});
