// The pattern model in whole nodes (pattern-ip.ts) on models written out by hand: the cheapest mix
// of node kinds, the cap of a forced group, a zone spread's counts per zone, and the sizes it
// declines to solve.
import { describe, expect, it } from 'vitest';
import { wholeNodes, type PatternModel } from '../../shared/provisioning/capacity/pattern-ip.ts';
import { wholeNodesByZone } from '../../shared/provisioning/capacity/pattern-ip-zones.ts';

const GiB = 2 ** 30;
const node = (cpu: number, pods = 110) => ({ cpu, mem: 64 * GiB, pods, storage: 100 * GiB });
const item = (cpu: number, groups: number[] = []) => ({ cpu, mem: GiB / 4, storage: 0, groups });
const wholeNodeCost = (model: PatternModel) => wholeNodes(model)?.cost;

describe('wholeNodes', () => {
  it('finds the cheapest mix of whole nodes (hand-checked)', () => {
    // Pods of 800m. Big: 4000m at 0.18 holds five (0.036 a pod); small: 2000m at 0.10 holds two.
    // Seven pods: big + small = 0.28 (two big 0.36, four small 0.40); the LP would buy 1.4 big = 0.252.
    const model: PatternModel = {
      items: [item(800)], demand: [7], perNode: [],
      variants: [{ node: node(4000), rows: [0], price: 0.18 }, { node: node(2000), rows: [0], price: 0.1 }],
    };
    expect(wholeNodeCost(model)).toBeCloseTo(0.28, 12);
  });

  it('holds a forced group to its cap per node, and lets other kinds fill those nodes', () => {
    // Three pods of a group of at most one per node (100m) and four free pods of 1500m, one node
    // kind of 2000m at 0.10: each free pod needs a node of its own, and three of those nodes take a
    // grouped pod beside it (1600m): four nodes, 0.40.
    const variants = [{ node: node(2000), rows: [0, 1], price: 0.1 }];
    const model: PatternModel = { items: [item(100, [0]), item(1500)], demand: [3, 4], perNode: [1], variants };
    expect(wholeNodeCost(model)).toBeCloseTo(0.4, 12);
    // Seven grouped pods alone: seven nodes, however small they are.
    expect(wholeNodeCost({ ...model, demand: [7, 0] })).toBeCloseTo(0.7, 12);
  });

  it('chooses a zone-spread class\'s counts per zone: all its pods, within its skew, where they cost least', () => {
    // Rows 0-2: one class's pods in zones a, b, c (a node kind per zone: 1000m at 0.05 / 0.04 /
    // 0.01, one 800m pod each). Seven pods, maxSkew 1: counts 3/2/2 in some order, at most 3 a
    // zone; cheapest with the 3 in zone c: 2 x 0.05 + 2 x 0.04 + 3 x 0.01 = 0.21.
    const zone = (r: number, price: number) => ({ node: node(1000), rows: [r], price });
    const spread = { rows: [0, 1, 2], pods: 7, maxSkew: 1 };
    const model: PatternModel = {
      items: [item(800), item(800), item(800)], demand: [3, 3, 3], perNode: [],
      variants: [zone(0, 0.05), zone(1, 0.04), zone(2, 0.01)], spreads: [spread],
    };
    const solved = wholeNodes(model)!;
    expect(solved.cost).toBeCloseTo(0.21, 12);
    const perRow = [0, 1, 2].map((r) => solved.nodes.reduce((sum, n) => sum + (n.counts.find(([row]) => row === r)?.[1] ?? 0), 0));
    expect(perRow).toEqual([2, 2, 3]);
    // maxSkew 3 (and room for it): 1/2/4 = 0.05 + 2 x 0.04 + 4 x 0.01 = 0.17; not 1/1/5 (4 apart).
    expect(wholeNodeCost({ ...model, demand: [5, 5, 5], spreads: [{ ...spread, maxSkew: 3 }] })).toBeCloseTo(0.17, 12);
  });

  it('solves zone-spread classes zone by zone as cheaply as in one piece (random models)', () => {
    let seed = 3;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let trial = 0; trial < 30; trial++) {
      // Two classes over three zones, a row per class and zone; per zone three node kinds.
      const classes = [{ pods: 2 + Math.floor(random() * 8), maxSkew: 1 + Math.floor(random() * 3) }, { pods: 1 + Math.floor(random() * 5), maxSkew: 1 + Math.floor(random() * 2) }];
      const items = classes.flatMap(() => [0, 1, 2].map(() => item(0)));
      classes.forEach((_, c) => [0, 1, 2].forEach((z) => (items[c * 3 + z] = item(c === 0 ? 700 : 1300))));
      const demand = classes.flatMap((cls) => [0, 1, 2].map(() => Math.min(cls.pods, Math.floor(cls.pods / 3) + cls.maxSkew)));
      const spreads = classes.map((cls, c) => ({ rows: [0, 1, 2].map((z) => c * 3 + z), pods: cls.pods, maxSkew: cls.maxSkew }));
      const variants = [0, 1, 2].flatMap((z) => [1500, 3000, 6000].map((cpu) => ({ node: node(cpu), rows: [z, 3 + z], price: Math.round((cpu / 1000) * (0.02 + random() * 0.04) * 1e4) / 1e4 })));
      const model: PatternModel = { items, demand, variants, perNode: [], spreads };
      const zoneOf = [0, 1, 2, 0, 1, 2];
      const joint = wholeNodes(model)!;
      const byZone = wholeNodesByZone(model, zoneOf)!;
      expect(byZone.cost).toBeCloseTo(joint.cost, 12);
      // Its nodes cost what it says, and place each class within its skew.
      expect(byZone.nodes.reduce((sum, n) => sum + n.variant.price, 0)).toBeCloseTo(byZone.cost, 12);
      for (const spread of spreads) {
        const counts = spread.rows.map((r) => byZone.nodes.reduce((sum, n) => sum + (n.counts.find(([row]) => row === r)?.[1] ?? 0), 0));
        expect(counts.reduce((a, b) => a + b, 0)).toBe(spread.pods);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(spread.maxSkew);
      }
    }
  });

  it('says nothing when no node holds some pod, or the request is too large to solve so', () => {
    const variants = [{ node: node(2000), rows: [0], price: 0.1 }];
    expect(wholeNodeCost({ items: [item(100), item(100)], demand: [1, 1], perNode: [], variants })).toBeUndefined();
    // 3^20 states: left to the LPs.
    const items = Array.from({ length: 20 }, (_, i) => item(100 + i));
    const all = [{ node: node(2000), rows: items.map((_, r) => r), price: 0.1 }];
    expect(wholeNodeCost({ items, demand: items.map(() => 2), perNode: [], variants: all })).toBeUndefined();
  });
});
