import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../shared/sim/clock.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('VirtualClock', () => {
  let clock: VirtualClock | undefined;
  afterEach(() => {
    clock?.uninstall();
    clock = undefined;
  });

  it('runs a 10-minute chain of timers and awaits instantly, with exact virtual timestamps', async () => {
    clock = VirtualClock.install(new Date('2026-01-01T00:00:00Z'));
    const seen: string[] = [];
    let finished = false;
    const chain = async (): Promise<void> => {
      for (let minute = 1; minute <= 10; minute++) {
        await sleep(60_000);
        await Promise.resolve();
        await new Promise<void>((resolve) => setImmediate(resolve));
        seen.push(new Date().toISOString());
      }
      finished = true;
    };
    void chain();
    const realStart = performance.now();
    const done = await clock.runUntil(() => finished, new Date('2026-01-01T01:00:00Z'));
    expect(done).toBe(true);
    expect(performance.now() - realStart).toBeLessThan(2000);
    expect(seen).toHaveLength(10);
    expect(seen[0]).toBe('2026-01-01T00:01:00.000Z');
    expect(seen[9]).toBe('2026-01-01T00:10:00.000Z');
    expect(clock.now().toISOString()).toBe('2026-01-01T00:10:00.000Z');
  });

  it('stops exactly at the limit when the condition never holds', async () => {
    clock = VirtualClock.install(new Date('2026-01-01T00:00:00Z'));
    let ticks = 0;
    const interval = setInterval(() => ticks++, 7_000);
    const done = await clock.runUntil(() => false, new Date('2026-01-01T00:01:00Z'));
    clearInterval(interval);
    expect(done).toBe(false);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:01:00.000Z');
    expect(ticks).toBe(8);
  });

  it('advance fires the timers due on the way, and no more', async () => {
    clock = VirtualClock.install(new Date('2026-01-01T00:00:00Z'));
    const fired: number[] = [];
    setTimeout(() => fired.push(1), 1_000);
    setTimeout(() => fired.push(2), 5_000);
    await clock.advance(3_000);
    expect(fired).toEqual([1]);
    expect(Date.now()).toBe(Date.parse('2026-01-01T00:00:03Z'));
    await clock.advance(2_000);
    expect(fired).toEqual([1, 2]);
  });

  it('leaves the real timers in place after uninstall', async () => {
    clock = VirtualClock.install(new Date('2000-01-01T00:00:00Z'));
    clock.uninstall();
    clock = undefined;
    expect(new Date().getFullYear()).toBeGreaterThan(2020);
  });
});
