// planCapacity: the set of new nodes with the least hourly cost that holds the pods, honouring
// every constraint. Pure: no clock, no I/O; the catalog and prices can be injected for tests.
import { Exclusions } from '../offering-rules.ts';
import { consolidate } from './consolidate.ts';
import type { CapacityPlan, CapacityRequest, PlannedNode, PlannerOptions } from './model.ts';
import { finalizeNodes, packingCost } from './node-offerings.ts';
import { pack, type NodeShape } from './packer.ts';
import { patternSeeds, type SeedNode } from './pattern-seeds.ts';
import { preparePlanning, type PlanningSetup } from './setup.ts';

/** Requests of at most this many pods get every packing (see below). */
const SMALL_REQUEST = 2_000;
/**
 * Requests of at most this many pods also get the LP with zone-spread shares (pattern-seeds.ts;
 * it takes the largest spread kinds that keep it within its row cap). Mixed pods, two draws
 * each: 2,500 / 5,000 / 10,000 pods 3-5% / 1.1-1.3% / 2.5-2.8% cheaper with a 64-row cap, the LP
 * taking 0.8 / 0.6-1.2 / 0.4-0.5 s (with 128 rows, 1-3 s at 5,000-10,000 pods, 1-2% cheaper
 * again); the 1-second budget of 20,000 pods has no room for it.
 */
const ZONE_SHARES_REQUEST = 10_000;
/**
 * Requests of more pods and no pattern nodes get only the 'remaining' packing: the trial nodes of
 * 'class' do not fit the 1-second budget beside setup and finalize there (Karpenter-shaped 20,000
 * pods: 'remaining' 0.24 s for 5,495 USD/h, with trials 0.69 s for 5,451, both 1.0-2.3 s together).
 */
const TRIALS_REQUEST = 10_000;

/**
 * Requests of at most this many pods have their winning packing consolidated (consolidate.ts),
 * which only ever makes it cheaper: mixed pods, 5-85 / 100-800 / 800-2,000 pods (60 / 20 / 10
 * draws) 0.06% / 0.31% / 0.27% less in all; 1,000 pods drawn with seeds 42 / 7 / 3 / 11 / 19
 * -0.34% / -2.6% / -0.29% / -0.07% / -0.30%; 5,000 pods (five draws) -0.21%; 4-80 ms. The 20,000
 * mixed pods' packing would take 120-200 ms more, beyond their 1-second budget, for 0.09%.
 */
const CONSOLIDATE_REQUEST = 10_000;

// Rounded to a millionth of a dollar, as EC2 quotes prices: sums of floats drift otherwise.
const roundCost = (cost: number) => Math.round(cost * 1e6) / 1e6;
const costOf = (nodes: PlannedNode[]) => roundCost(nodes.reduce((sum, node) => sum + node.hourlyPrice, 0));

export function planCapacity(request: CapacityRequest, options: PlannerOptions = {}): CapacityPlan {
  const setup = preparePlanning(request, options);
  // Packings: every node's type fitted to everything left ('remaining'), or each new node tried
  // both so and fitted to the pods that open it ('class', the better trial wins); and the latter
  // after the pattern LP's nodes for the pods no topology rule touches (pattern-seeds.ts). None
  // wins on every workload: keep the one that places more pods, then the cheaper. On the mixed
  // benchmark the packings without the LP's nodes only win on small requests (100 and 400 pods;
  // from 1,000 pods on the seeded one is 2-12% cheaper), but where the LP's nodes hold little of
  // the request the pods left to the packer may force nodes of their own (hostname spread and
  // anti-affinity classes, when too many for the LP) that it would have filled with the LP's pods:
  // 12,000 pods of five kinds, the LP's 16% of them, 103.02 USD/h seeded and 91.28 without (10,000
  // such pods: 85.81 and 76.10). So they run on small requests, up to ZONE_SHARES_REQUEST pods
  // (time allows there), and where the LP's nodes hold less than half of the request; large
  // requests whose seeds hold more skip them, to stay within the time the planner is given.
  const small = request.pods.length <= SMALL_REQUEST;
  // Past ZONE_SHARES_REQUEST the time is tight: the plain LP then spends its rounds before its dive.
  const seeds = patternSeeds(setup, { large: request.pods.length > ZONE_SHARES_REQUEST });
  const withoutSeeds = seeds.length === 0 || request.pods.length <= ZONE_SHARES_REQUEST || seededShare(setup, seeds) < 0.5;
  const runs: Array<[NodeShape[], SeedNode[]]> = [];
  if (withoutSeeds) {
    // Trial nodes ('class') where there is time: small requests, or no LP up to TRIALS_REQUEST pods.
    if (small || (seeds.length === 0 && request.pods.length <= TRIALS_REQUEST)) runs.push([['remaining', 'class'], []]);
    runs.push([['remaining'], []]);
  }
  if (seeds.length > 0) runs.push([['remaining', 'class'], seeds]);
  // On small requests there is time for a second LP, its mid-size nodes' patterns searched on
  // the grid (pattern-seeds.ts): its dive lands elsewhere, better or worse; keep whichever wins.
  if (seeds.length > 0 && small) runs.push([['remaining', 'class'], patternSeeds(setup, { grid: true })]);
  // Where the pods are few enough, the cheapest whole nodes for them (pattern-ip.ts): for the pods
  // free of rules, and for those with the zone-spread pods' counts per zone too. On mixed requests
  // of 5-85 pods (60 draws) the plans cost 2.1% less in all, and 57 of 60 are provably the cheapest
  // (costLowerBound equal to their cost; 30 before), for 7 ms more at the median, 20 ms at p90.
  if (small) {
    for (const zoneShares of [false, true]) {
      const exact = patternSeeds(setup, { exact: true, zoneShares });
      if (exact.length > 0) runs.push([['remaining', 'class'], exact]);
    }
  }
  // And one whose LP also places the zone-spread pods' even shares of each zone (zoneShares):
  // several times slower, and the cheapest on the mixed benchmark from 1,000 pods on.
  if (request.pods.length <= ZONE_SHARES_REQUEST) {
    const zoned = patternSeeds(setup, { zoneShares: true });
    if (zoned.length > 0) runs.push([['remaining', 'class'], zoned]);
  }
  const packings = runs.map(([shapes, seeded]) => pack(setup, shapes, seeded));
  // The winning packing then loses the nodes whose pods fit elsewhere for less (consolidate.ts).
  const settle = (packed: Packing): Packing =>
    request.pods.length <= CONSOLIDATE_REQUEST ? { ...packed, nodes: consolidate(setup, packed.nodes) } : packed;
  const best = packings.length === 1 ? finalize(setup, settle(packings[0]!)) : cheapestOf(setup, packings, settle);
  const excluded = new Exclusions();
  for (const pool of setup.pools) excluded.merge(pool.exclusions);
  return { ...best, excluded: excluded.list() };
}

type Packing = ReturnType<typeof pack>;

/** The packing's nodes with their ranked offerings, and its cost. */
function finalize(setup: PlanningSetup, packed: Packing): Omit<CapacityPlan, 'excluded'> {
  const { planned, unschedulable } = finalizeNodes(setup, packed.nodes);
  return { nodes: planned, unschedulable: [...packed.unschedulable, ...unschedulable], hourlyCost: costOf(planned) };
}

/** Of several packings, the one that places the most pods, then the cheapest, settled and finalized. */
function cheapestOf(setup: PlanningSetup, packings: Packing[], settle: (packed: Packing) => Packing): Omit<CapacityPlan, 'excluded'> {
  const costs = packings.map((packed) => packingCost(setup, packed.nodes));
  if (costs.some((cost) => cost === undefined)) {
    return packings.map((packed) => finalize(setup, packed))
      .sort((a, b) => a.unschedulable.length - b.unschedulable.length || a.hourlyCost - b.hourlyCost)[0]!;
  }
  // Without minValues a packing's cost and unschedulable pods are known before its offerings
  // are ranked: rank only the winner's (ranking is a large share of the time on big requests).
  const order = packings.map((_, i) => i).sort((a, b) =>
    packings[a]!.unschedulable.length - packings[b]!.unschedulable.length || roundCost(costs[a]!) - roundCost(costs[b]!) || a - b);
  return finalize(setup, settle(packings[order[0]!]!));
}

/** The seeds' share of the request: their pods' CPU and memory over all the pods', averaged. */
function seededShare(setup: PlanningSetup, seeds: SeedNode[]): number {
  let cpu = 0;
  let mem = 0;
  for (const cls of setup.classes) {
    cpu += cls.cpu * cls.podIds.length;
    mem += cls.mem * cls.podIds.length;
  }
  let share = 0;
  for (const seed of seeds) {
    for (const [c, count] of seed.pods) {
      const cls = setup.classes[c]!;
      share += count * ((cpu > 0 ? cls.cpu / cpu : 0) + (mem > 0 ? cls.mem / mem : 0)) / 2;
    }
  }
  return share;
}
