// What the pods being planned could use of a node, at most: the lower bound counts a node at
// these figures, so they must never fall below what some real set of the pods uses (or the bound
// would stop being one) and should cut the raw capacity where no pod set can fill it.
import { describe, expect, it } from 'vitest';
import { UsableCapacity } from '../../shared/provisioning/capacity/usable-capacity.ts';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

describe('UsableCapacity', () => {
  it('leaves a node the pods can fill at its capacity', () => {
    // 100 pods of 500m / 1 GiB on 4 CPU / 8 GiB / 110 slots: 8 pods fill both resources.
    const usable = new UsableCapacity([{ cpu: 500, mem: GiB, count: 100 }]);
    expect(usable.of({ cpu: 4000, mem: 8 * GiB, pods: 110 })).toEqual({ cpu: 4000, mem: 8 * GiB, pods: 8 });
  });

  it('caps CPU by the pod slots: one slot holds at most the largest pod that fits', () => {
    // A t4g.micro-like node: 1,680m, 0.2 GiB, one slot. The pods that fit in 0.2 GiB are the
    // 128 MiB ones, the largest of which asks 1,000m: no pod set uses more than 1,000m of it.
    const usable = new UsableCapacity([
      { cpu: 1000, mem: 128 * MiB, count: 5 },
      { cpu: 250, mem: 128 * MiB, count: 5 },
      { cpu: 2000, mem: 4 * GiB, count: 5 },
    ]);
    const room = usable.of({ cpu: 1680, mem: 0.2 * GiB, pods: 1 });
    expect(room).toEqual({ cpu: 1000, mem: 128 * MiB, pods: 1 });
  });

  it('caps CPU by memory: pods split at the memory limit, densest first', () => {
    // 2 GiB of memory, pods of 1,000m / 1 GiB (x1) and 100m / 512 MiB (x10), 8 CPUs and 100 slots.
    // Densest in CPU per byte first: the 1,000m pod (1 GiB), then 2 of the 100m pods fill the
    // other GiB: 1,200m at most. Slots by memory: smallest first, 4 x 512 MiB = 2 GiB: 4 pods.
    const usable = new UsableCapacity([
      { cpu: 1000, mem: GiB, count: 1 },
      { cpu: 100, mem: 512 * MiB, count: 10 },
    ]);
    expect(usable.of({ cpu: 8000, mem: 2 * GiB, pods: 100 })).toEqual({ cpu: 1200, mem: 2 * GiB, pods: 4 });
  });

  it('caps memory by CPU the same way, and by the number of pods there are', () => {
    // 3 pods of 100m / 4 GiB on a 2 CPU / 16 GiB node: all three fit, 12 GiB at most.
    const usable = new UsableCapacity([{ cpu: 100, mem: 4 * GiB, count: 3 }]);
    expect(usable.of({ cpu: 2000, mem: 16 * GiB, pods: 110 })).toEqual({ cpu: 300, mem: 12 * GiB, pods: 3 });
  });

  it('ignores pods too large for the node, and answers zero when none fits', () => {
    const usable = new UsableCapacity([{ cpu: 4000, mem: GiB, count: 10 }]);
    expect(usable.of({ cpu: 2000, mem: 8 * GiB, pods: 110 })).toEqual({ cpu: 0, mem: 0, pods: 0 });
  });

  it('searches nodes of few slots exactly: what the best pod set really adds up to', () => {
    // 2000m / 3788 MiB; pods of 1000m / 100 MiB and 250m / 3000 MiB. Two 250m pods need 6000 MiB,
    // so a set holds at most one of them: {1000m, 1000m} (2000m, 200 MiB) or {1000m, 250m}
    // (1250m, 3100 MiB). Never more than 2 pods, 2000m, 3100 MiB (the greedy bounds said 8 pods
    // and all 3788 MiB).
    const usable = new UsableCapacity([
      { cpu: 1000, mem: 100 * MiB, count: 16 },
      { cpu: 250, mem: 3000 * MiB, count: 16 },
    ]);
    expect(usable.of({ cpu: 2000, mem: 3788 * MiB, pods: 110 })).toEqual({ cpu: 2000, mem: 3100 * MiB, pods: 2 });
  });

  it('never cuts below what a real pod set uses (exhaustive check on small cases)', () => {
    const shapes = [
      { cpu: 300, mem: 700 * MiB, count: 3 },
      { cpu: 900, mem: 100 * MiB, count: 2 },
      { cpu: 50, mem: 2 * GiB, count: 2 },
    ];
    const usable = new UsableCapacity(shapes);
    for (const node of [{ cpu: 1000, mem: GiB, pods: 3 }, { cpu: 2000, mem: 4 * GiB, pods: 5 }, { cpu: 1500, mem: 2.5 * GiB, pods: 2 }]) {
      const room = usable.of(node);
      // Every choice of counts that fits the node.
      for (let a = 0; a <= 3; a++) for (let b = 0; b <= 2; b++) for (let c = 0; c <= 2; c++) {
        const cpu = a * 300 + b * 900 + c * 50;
        const mem = a * 700 * MiB + b * 100 * MiB + c * 2 * GiB;
        if (cpu > node.cpu || mem > node.mem || a + b + c > node.pods) continue;
        expect(cpu).toBeLessThanOrEqual(room.cpu);
        expect(mem).toBeLessThanOrEqual(room.mem);
        expect(a + b + c).toBeLessThanOrEqual(room.pods);
      }
    }
  });
});
