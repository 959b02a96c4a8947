// How much of a node's CPU, memory and pod slots the pods being planned could ever use, at most.
// A t4g.micro offers 2 vCPU for a fraction of a cent, but with one pod slot and 0.2 GiB left
// after reservations no pod set fills that CPU; a relaxation that counts the node's raw capacity
// buys such nodes for their CPU alone and ends far below any real plan. Each figure here is an
// upper bound on what any set of the pods fitting the node adds up to, so a covering relaxation
// using them still bounds every plan from below.

/** Pods of one shape: requests and how many of them there are. */
export interface PodShape {
  cpu: number;
  mem: number;
  count: number;
}

export interface NodeRoom {
  cpu: number;
  mem: number;
  pods: number;
}

/**
 * Pod shapes presorted once, so that bounding a node's capacity is a few linear scans.
 * Shapes with a zero request are kept: they take a slot and nothing else.
 */
export class UsableCapacity {
  private readonly byCpuAsc: PodShape[];
  private readonly byMemAsc: PodShape[];
  private readonly byCpuDesc: PodShape[];
  private readonly byMemDesc: PodShape[];
  /** Most CPU per byte of memory first, and the reverse. */
  private readonly byCpuDensity: PodShape[];
  private readonly byMemDensity: PodShape[];

  constructor(shapes: readonly PodShape[]) {
    const live = shapes.filter((s) => s.count > 0);
    this.byCpuAsc = [...live].sort((a, b) => a.cpu - b.cpu);
    this.byMemAsc = [...live].sort((a, b) => a.mem - b.mem);
    this.byCpuDesc = [...live].sort((a, b) => b.cpu - a.cpu);
    this.byMemDesc = [...live].sort((a, b) => b.mem - a.mem);
    this.byCpuDensity = [...live].sort((a, b) => density(b.cpu, b.mem) - density(a.cpu, a.mem));
    this.byMemDensity = [...live].sort((a, b) => density(b.mem, b.cpu) - density(a.mem, a.cpu));
  }

  /** Upper bounds on the CPU, memory and pod slots any set of the pods that fit `node` uses on it. */
  of(node: NodeRoom): NodeRoom {
    const fits = (s: PodShape) => s.cpu <= node.cpu && s.mem <= node.mem;
    // Most pods: the smallest first, by either resource; never more than the slots.
    const pods = Math.min(
      node.pods,
      mostItems(this.byMemAsc, fits, (s) => s.mem, node.mem),
      mostItems(this.byCpuAsc, fits, (s) => s.cpu, node.cpu),
    );
    const cpu = Math.min(
      node.cpu,
      largestK(this.byCpuDesc, fits, (s) => s.cpu, pods),
      fractionalKnapsack(this.byCpuDensity, fits, (s) => s.cpu, (s) => s.mem, node.mem),
    );
    const mem = Math.min(
      node.mem,
      largestK(this.byMemDesc, fits, (s) => s.mem, pods),
      fractionalKnapsack(this.byMemDensity, fits, (s) => s.mem, (s) => s.cpu, node.cpu),
    );
    if (pods > EXACT_SLOTS) return { cpu, mem, pods };
    // A node of a few slots: the best pod set, found exactly (each shape as often as wanted).
    const shapes = this.byCpuAsc.filter(fits);
    const exactCpu = mostOf(shapes, pods, (s) => s.cpu, node.cpu, (s) => s.mem, node.mem);
    const exactMem = mostOf(shapes, pods, (s) => s.mem, node.mem, (s) => s.cpu, node.cpu);
    return { cpu: Math.min(cpu, exactCpu.most), mem: Math.min(mem, exactMem.most), pods: Math.min(pods, exactCpu.slots) };
  }
}

/** Up to this many pod slots a node's best pod set is searched exactly. */
const EXACT_SLOTS = 8;
/** Past this many distinct sums per set size the exact search gives up (it only ever tightens). */
const EXACT_STATES = 5_000;

/**
 * The most of one resource (`gain`) a set of at most `slots` pods can add up to within the node's
 * CPU and memory (shapes reusable), and the most pods any such set has. Per set size, every
 * reachable gain is kept with the least of the other resource (`cost`) that reaches it: exact.
 * Infinity (no tightening) when the search would be too large.
 */
function mostOf(
  shapes: PodShape[], slots: number,
  gain: (s: PodShape) => number, gainCap: number, cost: (s: PodShape) => number, costCap: number,
): { most: number; slots: number } {
  let level = new Map<number, number>([[0, 0]]);
  let most = 0;
  let used = 0;
  for (let j = 1; j <= slots && level.size > 0; j++) {
    const next = new Map<number, number>();
    for (const [g, c] of level) {
      for (const s of shapes) {
        const ng = g + gain(s);
        const nc = c + cost(s);
        if (ng > gainCap || nc > costCap) continue;
        const known = next.get(ng);
        if (known === undefined || nc < known) next.set(ng, nc);
      }
    }
    if (next.size > EXACT_STATES) return { most: Number.POSITIVE_INFINITY, slots: Number.POSITIVE_INFINITY };
    level = next;
    if (level.size > 0) {
      used = j;
      for (const g of level.keys()) if (g > most) most = g;
    }
  }
  return { most, slots: used };
}

const density = (value: number, weight: number) => (weight > 0 ? value / weight : value > 0 ? Number.POSITIVE_INFINITY : 0);

/** How many items fit under `budget` taking the lightest first: no other choice fits more. */
function mostItems(sorted: PodShape[], fits: (s: PodShape) => boolean, weight: (s: PodShape) => number, budget: number): number {
  let left = budget;
  let count = 0;
  for (const s of sorted) {
    if (!fits(s)) continue;
    const w = weight(s);
    if (w === 0) {
      count += s.count;
      continue;
    }
    const take = Math.min(s.count, Math.floor(left / w));
    count += take;
    left -= take * w;
    if (take < s.count) break;
  }
  return count;
}

/** The sum of the k largest values among fitting items. */
function largestK(sorted: PodShape[], fits: (s: PodShape) => boolean, value: (s: PodShape) => number, k: number): number {
  let left = k;
  let sum = 0;
  for (const s of sorted) {
    if (left <= 0) break;
    if (!fits(s)) continue;
    const take = Math.min(s.count, left);
    sum += take * value(s);
    left -= take;
  }
  return sum;
}

/** Most value under a weight budget when items may be split: densest first (an upper bound on any whole choice). */
function fractionalKnapsack(
  sorted: PodShape[], fits: (s: PodShape) => boolean, value: (s: PodShape) => number, weight: (s: PodShape) => number, budget: number,
): number {
  let left = budget;
  let sum = 0;
  for (const s of sorted) {
    if (!fits(s)) continue;
    const w = weight(s);
    const v = value(s);
    if (w === 0) {
      sum += v * s.count;
      continue;
    }
    if (left <= 0) break;
    const take = Math.min(s.count, left / w);
    sum += take * v;
    left -= take * w;
  }
  return sum;
}
