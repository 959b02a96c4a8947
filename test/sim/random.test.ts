import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../shared/sim/random.ts';

describe('SeededRandom', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const draw = (seed: number) => { const r = new SeededRandom(seed); return [r.next(), r.hex(17), r.uuid(), r.int(1, 6)]; };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('stays in range and samples without replacement', () => {
    const r = new SeededRandom(9);
    for (let i = 0; i < 1000; i++) {
      const n = r.int(3, 5);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(5);
    }
    const picked = r.sample([1, 2, 3, 4, 5], 3);
    expect(new Set(picked).size).toBe(3);
    expect(r.sample([1, 2], 5)).toHaveLength(2);
    expect(() => new SeededRandom(1.5)).toThrow(RangeError);
  });
});
