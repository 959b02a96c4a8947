// Which zone-spread rules place each class's pods: its own, and those of the spreads that count
// it without it declaring them (topology.ts zonePlacementRules).
import { describe, expect, it } from 'vitest';
import { zonePlacementRules, type ClassTopology, type SpreadRule } from '../../shared/provisioning/capacity/topology.ts';

const topology = (zoneSpread: SpreadRule[], zoneGroups: number[]): ClassTopology => ({
  zoneSpread, hostSpread: [], zoneAffinity: [], conflicts: new Set(), zoneGroups, hostGroups: [],
});
const rule = (group: number, maxSkew: number): SpreadRule => ({ group, maxSkew, selfMatch: true });

describe('zonePlacementRules', () => {
  it.each([
    {
      name: 'a class a spread counts gets that spread as its own',
      classes: [topology([rule(0, 1)], [0]), topology([], [0])],
      expected: [[rule(0, 1)], [rule(0, 1)]],
    },
    {
      name: 'the smallest maxSkew when two spreads count the same group',
      classes: [topology([rule(0, 2)], [0]), topology([rule(0, 1)], [0]), topology([], [0])],
      expected: [[rule(0, 2)], [rule(0, 1)], [rule(0, 1)]],
    },
    {
      name: 'no rule from a group only a zone affinity counts',
      classes: [topology([], [1]), topology([], [1])],
      expected: [[], []],
    },
    {
      name: 'its own spread, and another spread that counts it',
      classes: [topology([rule(0, 1)], [0, 2]), topology([rule(2, 3)], [2])],
      expected: [[rule(0, 1), rule(2, 3)], [rule(2, 3)]],
    },
    {
      name: 'a spread over pods that do not match it places no one else',
      classes: [topology([{ group: 0, maxSkew: 1, selfMatch: false }], []), topology([], [])],
      expected: [[{ group: 0, maxSkew: 1, selfMatch: false }], []],
    },
  ])('$name', ({ classes, expected }) => {
    expect(zonePlacementRules(classes)).toEqual(expected);
  });
});
