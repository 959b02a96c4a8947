// Virtual time for the simulator. The real Step Functions definitions run in
// aws-local-stepfunctions, whose Wait states and Retry backoffs use setTimeout; the sim's own
// delays (boot, registration, scheduling) use setTimeout too. Faking the timers and jumping from
// one timer to the next lets hours of cluster life run in milliseconds with exact timestamps.
// Only timers and Date are faked: microtasks, nextTick and setImmediate stay real so every
// promise chain settles between two timers.

import { withGlobal } from '@sinonjs/fake-timers';
import type { Clock } from '../ports.ts';

type InstalledClock = ReturnType<ReturnType<typeof withGlobal>['install']>;

export class VirtualClock implements Clock {
  private constructor(private readonly fake: InstalledClock) {}

  /** Replaces the global timers and Date; only one VirtualClock may be installed at a time. */
  static install(start: Date): VirtualClock {
    if (Number.isNaN(start.getTime())) throw new RangeError(`VirtualClock start is not a valid date: ${String(start)}`);
    const fake = withGlobal(globalThis).install({
      now: start,
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
      shouldClearNativeTimers: false,
    });
    return new VirtualClock(fake);
  }

  now(): Date {
    return new Date(this.fake.now);
  }

  /** Moves time forward by `ms`, firing every timer due on the way in order. */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advance needs a non-negative number of milliseconds, got ${ms}`);
    await this.fake.tickAsync(ms);
  }

  /**
   * Fires timers one at a time until `done()` holds or virtual time reaches `limit`.
   * Returns true when `done()` held, false when the limit came first.
   */
  async runUntil(done: () => boolean, limit: Date): Promise<boolean> {
    await settle();
    if (done()) return true;
    if (this.fake.now >= limit.getTime()) return false;
    // A sentinel timer at the limit guarantees there is always a next timer, so the loop
    // stops exactly at the limit instead of overshooting to a timer beyond it.
    let limitReached = false;
    const sentinel = setTimeout(() => {
      limitReached = true;
    }, limit.getTime() - this.fake.now);
    try {
      while (!limitReached) {
        await this.fake.nextAsync();
        await settle();
        if (done()) return true;
      }
      return done();
    } finally {
      clearTimeout(sentinel);
    }
  }

  uninstall(): void {
    this.fake.uninstall();
  }
}

/** Lets pending promise chains (including ones that hop through setImmediate) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
