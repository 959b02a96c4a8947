import { describe, expect, it } from 'vitest';
import { evictionAllowed, pdbStatus, scaledValue, type BudgetedPod } from '../../shared/sim/pdb.ts';
import type { PodDisruptionBudget } from '../../shared/types.ts';

/** `healthy` healthy and `unhealthy` unhealthy pods of one Deployment scaled to `scale`. */
function pods(healthy: number, unhealthy: number, scale = healthy + unhealthy): BudgetedPod[] {
  const controller = { uid: 'rs-1', scale };
  return [
    ...Array.from({ length: healthy }, () => ({ healthy: true, controller })),
    ...Array.from({ length: unhealthy }, () => ({ healthy: false, controller })),
  ];
}

const budget = (spec: Partial<PodDisruptionBudget>): PodDisruptionBudget => ({ namespace: 'shop', name: 'web', selector: { app: 'web' }, ...spec });

describe('pdbStatus (disruption controller arithmetic)', () => {
  it.each([
    // spec, healthy, unhealthy, scale -> expected, desiredHealthy, disruptionsAllowed
    [{ maxUnavailable: 1 }, 10, 0, 10, 10, 9, 1],
    [{ maxUnavailable: 1 }, 9, 1, 10, 10, 9, 0],
    [{ maxUnavailable: 2 }, 9, 1, 10, 10, 8, 1],
    [{ maxUnavailable: '10%' }, 10, 0, 10, 10, 9, 1],
    // 10% of 15 = 1.5 rounds up to 2 unavailable: desired 13.
    [{ maxUnavailable: '10%' }, 15, 0, 15, 15, 13, 2],
    [{ maxUnavailable: '50%' }, 1, 0, 1, 1, 0, 1],
    [{ minAvailable: 3 }, 4, 0, 4, 4, 3, 1],
    [{ minAvailable: 3 }, 3, 1, 4, 4, 3, 0],
    // integer minAvailable counts selected pods, not the controller's scale
    [{ minAvailable: 3 }, 5, 0, 2, 5, 3, 2],
    // 80% of 10 = 8; of 12 = 9.6 rounds up to 10
    [{ minAvailable: '80%' }, 10, 0, 10, 10, 8, 2],
    [{ minAvailable: '80%' }, 12, 0, 12, 12, 10, 2],
    [{ minAvailable: '80%' }, 10, 2, 12, 12, 10, 0],
    [{ minAvailable: '100%' }, 5, 0, 5, 5, 5, 0],
    [{ maxUnavailable: 0 }, 5, 0, 5, 5, 5, 0],
    // the controller's scale, not the pods that exist, is expected under maxUnavailable
    [{ maxUnavailable: 1 }, 8, 0, 10, 10, 9, 0],
  ] as const)('%j with %i healthy, %i unhealthy, scale %i', (spec, healthy, unhealthy, scale, expected, desired, allowed) => {
    const status = pdbStatus(budget(spec as Partial<PodDisruptionBudget>), pods(healthy, unhealthy, scale));
    expect(status).toEqual({ expectedPods: expected, desiredHealthy: desired, currentHealthy: healthy, disruptionsAllowed: allowed });
  });

  it('allows nothing when no pod is expected', () => {
    expect(pdbStatus(budget({ maxUnavailable: 1 }), []).disruptionsAllowed).toBe(0);
  });

  it('counts pods without a controller as healthy but not as expected', () => {
    const unmanaged: BudgetedPod[] = [{ healthy: true }, { healthy: true }];
    expect(pdbStatus(budget({ maxUnavailable: 1 }), unmanaged)).toEqual({ expectedPods: 0, desiredHealthy: 0, currentHealthy: 2, disruptionsAllowed: 0 });
  });
});

describe('scaledValue', () => {
  it.each([
    [5, 10, true, 5],
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['0%', 10, true, 0],
  ] as const)('%j of %i (round up %s) is %i', (value, total, up, expected) => {
    expect(scaledValue(value, total, up)).toBe(expected);
  });

  it.each(['5', 'half', '-1%', '10 %'])('refuses %j', (value) => {
    expect(() => scaledValue(value, 10, true)).toThrow(RangeError);
  });
});

describe('evictionAllowed (eviction subresource, IfHealthyBudget)', () => {
  it.each([
    // status, pod ready -> allowed
    [{ expectedPods: 10, desiredHealthy: 9, currentHealthy: 10, disruptionsAllowed: 1 }, true, true],
    [{ expectedPods: 10, desiredHealthy: 9, currentHealthy: 9, disruptionsAllowed: 0 }, true, false],
    // an unready pod may go while the application still has its desired healthy count
    [{ expectedPods: 10, desiredHealthy: 9, currentHealthy: 9, disruptionsAllowed: 0 }, false, true],
    [{ expectedPods: 10, desiredHealthy: 9, currentHealthy: 8, disruptionsAllowed: 0 }, false, false],
    [{ expectedPods: 1, desiredHealthy: 0, currentHealthy: 0, disruptionsAllowed: 0 }, false, false],
  ] as const)('%j, ready %s -> %s', (status, ready, allowed) => {
    expect(evictionAllowed(status, ready)).toBe(allowed);
  });
});
