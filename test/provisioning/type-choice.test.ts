// cheapestPerShare: the type a new node is opened with is the cheapest per unit of what the node
// is meant to hold. Tiny catalog, on-demand only, pods pinned to amd64 (capacity-fixtures.ts):
// c1.1x 2 vCPU / 4 GiB at 0.10, c1.2x 4 / 8 at 0.20, c1.4x 8 / 16 at 0.36, r1.1x 2 / 16 at 0.15;
// allocatable CPU = vCPU x 1000, memory = GiB less 7.5%; the arm64, GPU and metal types are out.
import { describe, expect, it } from 'vitest';
import { preparePlanning } from '../../shared/provisioning/capacity/setup.ts';
import { cheapestPerShare, type NodeWant } from '../../shared/provisioning/capacity/type-choice.ts';
import type { PoolType } from '../../shared/provisioning/capacity/pool-table.ts';
import { request, tinyOptions } from './capacity-fixtures.ts';
import { pod } from './fixtures.ts';

const GiB = 1024 ** 3;
const ALL_ZONES = 0b111;

function choose(want: Partial<NodeWant>, options: { zoneMask?: number; allowed?: (type: PoolType) => boolean } = {}) {
  const setup = preparePlanning(request([pod('p', { cpu: 1000, memoryGiB: 1, nodeSelector: { 'kubernetes.io/arch': 'amd64' } })]), tinyOptions());
  const pool = setup.pools[0]!;
  const choice = cheapestPerShare(
    pool, setup.fits[0]![0]!, setup.classes[0]!, options.zoneMask ?? ALL_ZONES,
    { cpu: 0, mem: 0, pods: 0, storage: 0, ...want }, options.allowed ?? (() => true),
  );
  return choice && { name: pool.types[choice.type]!.info.name, spot: choice.spot, od: choice.od };
}

describe('cheapestPerShare', () => {
  it.each([
    // 16 vCPU to hold: per vCPU c1.1x 0.05, c1.2x 0.05, c1.4x 0.045, r1.1x 0.075.
    { want: { cpu: 16_000 }, expected: 'c1.4x', why: 'the least price per vCPU when no type holds it all' },
    // 3 vCPU: c1.1x holds 2/3 of it (0.10 / (2/3) = 0.15 a unit), c1.2x all (0.20), c1.4x all (0.36).
    { want: { cpu: 3_000 }, expected: 'c1.1x', why: 'a type holding all of it still counts as one unit only' },
    // 1.5 vCPU: every type holds it all, so the cheapest wins.
    { want: { cpu: 1_500 }, expected: 'c1.1x', why: 'the tail gets the cheapest type that holds it' },
    // 2 vCPU and 28 GiB: memory is the scarce side; r1.1x holds 14.8 / 28 of it (0.284 a unit), c1.4x the same share at 0.36 (0.68).
    { want: { cpu: 2_000, mem: 28 * GiB }, expected: 'r1.1x', why: 'the scarcest resource sets the share' },
    // 4 vCPU: c1.1x holds half (0.10 / 0.5 = 0.20 a unit), c1.2x all of it (0.20): even, so the cheaper node.
    { want: { cpu: 4_000 }, expected: 'c1.1x', why: 'an even score goes to the cheaper type' },
  ])('$why: $expected', ({ want, expected }) => {
    expect(choose(want)?.name).toBe(expected);
  });

  it('skips the types the pool limits refuse, and breaks an even score towards the cheaper type', () => {
    // Without c1.4x, c1.1x and c1.2x both cost 0.05 per vCPU of the 16: the cheaper node wins.
    expect(choose({ cpu: 16_000 }, { allowed: (type) => type.info.name !== 'c1.4x' })?.name).toBe('c1.1x');
  });

  it('names the zones it may be bought in, within the zone mask, and none when the mask leaves no offering', () => {
    expect(choose({ cpu: 1_500 }, { zoneMask: 0b010 })).toEqual({ name: 'c1.1x', spot: 0, od: 0b010 });
    expect(choose({ cpu: 1_500 }, { zoneMask: 0 })).toBeUndefined();
  });

  it('opens nothing when no type may be used', () => {
    expect(choose({ cpu: 1_500 }, { allowed: () => false })).toBeUndefined();
  });
});
