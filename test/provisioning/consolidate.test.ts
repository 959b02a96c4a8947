// consolidate: a packed node goes when its pods fit in the room other nodes have left and the plan
// gets cheaper; pods that a zone rule counts keep their zone, hostname rules hold. Tiny catalog,
// on-demand only (same price in every zone): a1.1x (arm64) 2 vCPU / 0.08, c1.2x 4 vCPU / 0.20,
// c1.4x 8 vCPU / 0.36 USD/h, allocatable CPU = vCPU x 1000; a node is priced as the cheapest type
// that holds its pods.
import { describe, expect, it } from 'vitest';
import { consolidate } from '../../shared/provisioning/capacity/consolidate.ts';
import { packingCost } from '../../shared/provisioning/capacity/node-offerings.ts';
import { loadNode, type PlanNode } from '../../shared/provisioning/capacity/plan-node.ts';
import { preparePlanning, type PlanningSetup } from '../../shared/provisioning/capacity/setup.ts';
import type { Pod } from '../../shared/types.ts';
import { request, tinyOptions } from './capacity-fixtures.ts';
import { pod } from './fixtures.ts';

const ZONE_A = 0b001;
const ZONE_B = 0b010;
const ALL = 0b111;

const pods = (prefix: string, n: number, overrides: Parameters<typeof pod>[1]): Pod[] =>
  Array.from({ length: n }, (_, i) => pod(`${prefix}-${i}`, overrides));

/** A packed node of the named type holding the given pods (by name prefix), in the zones of `zoneMask`. */
function packedNode(setup: PlanningSetup, id: number, type: string, zoneMask: number, load: Array<[prefix: string, count: number]>, taken: Map<number, number>): PlanNode {
  const pool = setup.pools[0]!;
  const t = pool.types.findIndex((candidate) => candidate.info.name === type);
  const node: PlanNode = {
    id, pool, type: t, spot: pool.types[t]!.spotZones, od: pool.types[t]!.odZones, zoneLimit: zoneMask,
    cpu: 0, mem: 0, gpus: 0, pods: 0, storage: 0, classes: [], counts: [], podIds: [], hostCounts: new Map(),
  };
  for (const [prefix, count] of load) {
    const cls = setup.classes.find((candidate) => candidate.podIds[0]!.startsWith(`default/${prefix}-`))!;
    loadNode(setup, node, cls.index, count, zoneMask);
    const start = taken.get(cls.index) ?? 0;
    node.podIds.push(...cls.podIds.slice(start, start + count));
    taken.set(cls.index, start + count);
  }
  return node;
}

function consolidated(allPods: Pod[], layout: Array<[type: string, zoneMask: number, load: Array<[string, number]>]>) {
  const setup = preparePlanning(request(allPods), tinyOptions());
  const taken = new Map<number, number>();
  const nodes = layout.map(([type, zoneMask, load], id) => packedNode(setup, id, type, zoneMask, load, taken));
  const before = packingCost(setup, nodes)!;
  const kept = consolidate(setup, nodes);
  return { before, after: packingCost(setup, kept)!, kept };
}

describe('consolidate', () => {
  it('removes a node whose pods fit in the room another node has left, moving the pods', () => {
    // 3 x 2000m fill 6 of c1.4x's 8 vCPU; the 1000m pod's own node (an a1.1x, 0.08) goes, c1.4x stays 0.36.
    const { before, after, kept } = consolidated(
      [...pods('big', 3, { cpu: 2000, memoryGiB: 1 }), ...pods('small', 1, { cpu: 1000, memoryGiB: 1 })],
      [['c1.4x', ALL, [['big', 3]]], ['c1.1x', ALL, [['small', 1]]]],
    );
    expect(before).toBeCloseTo(0.44, 6);
    expect(after).toBeCloseTo(0.36, 6);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.podIds).toEqual(['default/big-0', 'default/big-1', 'default/big-2', 'default/small-0']);
    expect(kept[0]!.cpu).toBe(7000);
  });

  it('keeps the node when the pods would make the other node dearer than it saves', () => {
    // 2 x 2000m need only a c1.2x (0.20); with the 1000m pod they need a c1.4x (0.36): +0.16 for -0.08.
    const { before, after, kept } = consolidated(
      [...pods('big', 2, { cpu: 2000, memoryGiB: 1 }), ...pods('small', 1, { cpu: 1000, memoryGiB: 1 })],
      [['c1.4x', ALL, [['big', 2]]], ['c1.1x', ALL, [['small', 1]]]],
    );
    expect(kept).toHaveLength(2);
    expect(after).toBeCloseTo(before, 9);
  });

  it('keeps a zone-spread pod in its zone: it moves only to room in that zone', () => {
    const spread = { topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { app: 'web' } };
    const web = pods('web', 1, { cpu: 1000, memoryGiB: 1, labels: { app: 'web' }, topologySpread: [spread] });
    const big = pods('big', 3, { cpu: 2000, memoryGiB: 1 });
    // The room is on a node in zone a; the spread pod's node is in zone b.
    const apart = consolidated([...big, ...web], [['c1.4x', ZONE_A, [['big', 3]]], ['c1.1x', ZONE_B, [['web', 1]]]]);
    expect(apart.kept).toHaveLength(2);
    // The same room in zone b takes it.
    const together = consolidated([...big, ...web], [['c1.4x', ZONE_B, [['big', 3]]], ['c1.1x', ZONE_B, [['web', 1]]]]);
    expect(together.kept).toHaveLength(1);
    expect(together.kept[0]!.zoneLimit).toBe(ZONE_B);
    // A pod no zone rule reads goes to room in any zone.
    const free = consolidated([...big, ...pods('small', 1, { cpu: 1000, memoryGiB: 1 })], [['c1.4x', ZONE_A, [['big', 3]]], ['c1.1x', ZONE_B, [['small', 1]]]]);
    expect(free.kept).toHaveLength(1);
  });

  it('never puts two pods of a hostname anti-affinity group on one node', () => {
    const anti = { topologyKey: 'kubernetes.io/hostname', labelSelector: { app: 'db' } };
    const db = pods('db', 2, { cpu: 1000, memoryGiB: 1, labels: { app: 'db' }, podAntiAffinity: [anti] });
    const { kept } = consolidated([...db, ...pods('big', 3, { cpu: 2000, memoryGiB: 1 })], [['c1.4x', ALL, [['big', 3], ['db', 1]]], ['c1.1x', ALL, [['db', 1]]]]);
    expect(kept).toHaveLength(2);
  });
});
