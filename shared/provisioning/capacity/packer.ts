// Packs pod classes onto new nodes, node by node: each new node is opened for the largest pods
// still to place, of the type that is cheapest per unit of what it is meant to hold (cost per
// unit of the scarcest resource; see NodeShape), then filled with the pods that best match the
// room it has left. Zone spread by water-filling, anti-affinity and hostname spread checked per
// node, pool weights and limits honoured. The node's final (cheaper) type is chosen afterwards by
// node-offerings.ts; here a node's type is only the capacity it was opened with. Nodes chosen
// ahead by the pattern LP (pattern-seeds.ts) may be opened first, with their pods.
import { fitSignatures } from './class-fit.ts';
import { bestPrice, type PoolTable, type PoolType } from './pool-table.ts';
import type { PodClass } from './pod-classes.ts';
import type { PlanningSetup } from './setup.ts';
import { explainUnplaced } from './explain.ts';
import { FillWork, type ZoneTarget } from './fill-work.ts';
import { forcedNodeGroups, type ForcedNodeGroup } from './topology.ts';
import { ZoneTargeting } from './zone-targets.ts';
import type { SeedNode } from './pattern-seeds.ts';
import { isSingleZone, loadNode, roomFor, zoneOfMask, type PlanNode } from './plan-node.ts';
import { cheapestPerShare, type TypeChoice } from './type-choice.ts';

export interface Unschedulable {
  pod: string;
  reason: string;
}

/** A type choice, and the packer state (version) it was made in. */
interface CachedChoice extends TypeChoice {
  version: number;
}

class Packer {
  readonly nodes: PlanNode[] = [];
  readonly unschedulable: Unschedulable[] = [];
  private open: PlanNode[] = [];
  private readonly zoneCounts: Int32Array[];
  private readonly poolCpu: Float64Array;
  private readonly poolMem: Float64Array;
  private readonly cursor: Int32Array;
  private remaining = { cpu: 0, mem: 0, pods: 0, storage: 0 };
  private mark = { cpu: 0, mem: 0, pods: 0, storage: 0, forced: 0 };
  /** Groups of pods that need a node each (or each k): the nodes they force share the rest of the pods. */
  private readonly forced: ForcedNodeGroup[];
  private readonly forcedLeft: number[];
  private readonly forcedOf: number[][];
  /** Each class's targets by zone (zone-targets.ts). */
  private readonly zones: ZoneTargeting;
  private version = 0;
  private trialEpoch = 0;
  private readonly choices = new Map<string, CachedChoice>();
  /** Nodes with less room than the smallest pod still to come are dropped from the first-fit scan. */
  private minCpu = 0;
  private minMem = 0;

  constructor(
    private readonly setup: PlanningSetup,
    private readonly shapes: NodeShape[],
    private readonly seeds: SeedNode[] = [],
  ) {
    this.zoneCounts = Array.from({ length: setup.groupCount }, () => new Int32Array(setup.zones.length));
    this.poolCpu = new Float64Array(setup.pools.length);
    this.poolMem = new Float64Array(setup.pools.length);
    this.cursor = new Int32Array(setup.classes.length);
    for (const cls of setup.classes) {
      const n = cls.podIds.length;
      this.remaining.cpu += cls.cpu * n;
      this.remaining.storage += cls.storage * n;
      this.remaining.mem += cls.mem * n;
      this.remaining.pods += n;
    }
    const counts = setup.classes.map((cls) => cls.podIds.length);
    this.forced = forcedNodeGroups(setup.topologies, counts, (c) => !setup.topologies[c]!.unsupported);
    this.forcedLeft = this.forced.map((g) => g.classes.reduce((sum, c) => sum + counts[c]!, 0));
    this.forcedOf = setup.classes.map(() => []);
    this.zones = new ZoneTargeting(setup, this.zoneCounts);
    this.fitSignature = fitSignatures(setup.fits);
    this.forced.forEach((g, i) => g.classes.forEach((c) => this.forcedOf[c]!.push(i)));
    this.mark = { ...this.remaining, forced: this.forcedNodes() };
  }

  /** Nodes the unplaced pods still force: the most any one group needs. */
  private forcedNodes(): number {
    let most = 0;
    this.forced.forEach((g, i) => {
      most = Math.max(most, Math.ceil(this.forcedLeft[i]! / g.perNode));
    });
    return most;
  }

  /**
   * Node by node: open a node for the largest pods still to place (openBestNode), then fill it
   * with the pods that leave it the least room (fillNode), so CPU-heavy and memory-heavy pods
   * share nodes and neither resource is stranded. Pods whose zone follows other pods' placement
   * come last, first fit.
   */
  run(): void {
    const order = this.classOrder();
    for (const seed of this.seeds) this.openSeed(seed);
    const waits = (c: number) => this.setup.topologies[c]!.zoneAffinity.some((a) => !a.selfMatch);
    const targets: ZoneTarget[] = [];
    for (const c of order) {
      if (waits(c)) continue;
      targets.push(...this.zoneTargets(c));
    }
    // From here on the pods are placed, and the zone counts see them.
    this.zones.settle();
    // Room left on the pattern nodes goes first to the pods the LP did not place (zone spread,
    // the dive's tail), largest first, as long as they do not make the node dearer (room():
    // a spread pod pins a node only to the zone of its cheapest offering).
    if (this.seeds.length > 0) {
      for (const target of targets) target.count = this.fillOpenNodes(target.c, target.count, target.zones);
    }
    const work = new FillWork(targets.filter((target) => target.count > 0), this.setup.classes);
    for (;;) {
      work.compact();
      const first = work.first();
      if (!first) break;
      const opened = this.openBestNode(first, work);
      if (!opened) {
        this.reject(first.c, first.count, explainUnplaced(this.setup, first.c, first.zones, first.usable));
        first.count = 0;
        work.done(first);
        continue;
      }
      const { node, steps } = opened;
      const room = Math.min(first.count, roomFor(this.setup, node, first.c, first.zones));
      if (room <= 0) throw new Error(`planner invariant: a node opened for class ${first.c} has no room for it`);
      const place = (target: ZoneTarget, count: number) => {
        this.add(node, target.c, count, target.zones);
        target.count -= count;
        if (target.count === 0) work.done(target);
      };
      // The winning trial already chose the node's pods: replay it.
      if (steps) for (const [target, count] of steps) place(target, count);
      else {
        place(first, 1);
        this.fillNode(node, work, (t) => t.count, place);
      }
    }
    // Pods that follow other pods into their zones: first fit, now that those pods are placed.
    const following = order.filter(waits);
    following.forEach((c, i) => {
      // Nodes with less room than the smallest of these pods still to come leave the scan.
      const rest = following.slice(i).map((d) => this.setup.classes[d]!);
      this.minCpu = Math.min(...rest.map((cls) => cls.cpu));
      this.minMem = Math.min(...rest.map((cls) => cls.mem));
      this.placeClass(c);
    });
  }

  /**
   * Fills the node with whichever pods leave the least room, measured as the length of the room
   * left (CPU and memory as shares of the node): a node short of memory takes CPU-heavy pods and
   * the other way round, so both run out together. (The dot product of requests and room, the
   * usual rule for bins of one shape, takes the largest pods first and strands the other
   * resource on nodes of unusual shape.) The rule only sees requests, so it picks a request
   * shape; the first pods of that shape the node can take go. `place` records each choice: for
   * real, or on a trial node.
   */
  private fillNode(node: PlanNode, work: FillWork, left: (t: ZoneTarget) => number, place: (t: ZoneTarget, count: number) => void): void {
    const type = node.pool.types[node.type]!;
    const cpuScale = type.cpu > 0 ? 1 / type.cpu : 0;
    const memScale = type.mem > 0 ? 1 / type.mem : 0;
    // A shape none of whose pods fits stays out for this node: the node only fills up.
    const out = new Uint8Array(work.shapes.length);
    for (;;) {
      const cpuLeft = type.cpu - node.cpu;
      const memLeft = type.mem - node.mem;
      if (type.pods - node.pods <= 0) return;
      let best = -1;
      let bestScore = Number.NEGATIVE_INFINITY;
      work.shapes.forEach((shape, i) => {
        if (out[i] || (shape.zones & node.zoneLimit) === 0 || shape.cpu > cpuLeft || shape.mem > memLeft) return;
        const cpuAfter = (cpuLeft - shape.cpu) * cpuScale;
        const memAfter = (memLeft - shape.mem) * memScale;
        const score = -(cpuAfter * cpuAfter + memAfter * memAfter);
        if (score > bestScore) {
          best = i;
          bestScore = score;
        }
      });
      if (best < 0) return;
      let placed = false;
      for (const target of work.shapes[best]!.targets) {
        const count = left(target);
        if (count <= 0) continue;
        const room = Math.min(count, roomFor(this.setup, node, target.c, target.zones));
        if (room <= 0) continue;
        // A few pods at a time: the room's balance moves slowly, so the same shape stays best for a while.
        place(target, Math.max(1, Math.floor(room / 4)));
        placed = true;
        break;
      }
      if (!placed) out[best] = 1;
    }
  }

  /**
   * The node to open for the target's pods: per shape, the type chooseType picks, tried on a
   * trial node filled as fillNode would; the trial doing the most of what is left per dollar wins.
   */
  private openBestNode(first: ZoneTarget, work: FillWork): { node: PlanNode; steps?: Array<[ZoneTarget, number]> } | undefined {
    let best: { pool: PoolTable; choice: CachedChoice; score: number; steps?: Array<[ZoneTarget, number]> } | undefined;
    const remaining = this.remaining;
    const tried = new Set<string>();
    for (const shape of this.shapes) {
      for (const pool of first.usable) {
        const choice = this.chooseType(first.c, pool, first.zones, shape);
        if (!choice) continue;
        const key = `${pool.index}|${choice.type}|${choice.spot}|${choice.od}`;
        if (tried.has(key)) break;
        tried.add(key);
        if (this.shapes.length === 1) {
          best = { pool, choice, score: 0 };
          break;
        }
        const trial = this.nodeOf(pool, choice, first);
        const epoch = ++this.trialEpoch;
        const steps: Array<[ZoneTarget, number]> = [];
        let done = 0;
        const put = (target: ZoneTarget, count: number) => {
          const cls = this.setup.classes[target.c]!;
          this.addTrial(trial, target, count);
          if (target.epoch !== epoch) {
            target.epoch = epoch;
            target.taken = 0;
          }
          target.taken += count;
          steps.push([target, count]);
          done += count * ((remaining.cpu > 0 ? cls.cpu / remaining.cpu : 0) + (remaining.mem > 0 ? cls.mem / remaining.mem : 0) + 1 / remaining.pods);
        };
        put(first, 1);
        this.fillNode(trial, work, (t) => t.count - (t.epoch === epoch ? t.taken : 0), put);
        // Dollars per share of what is left: lower is better.
        const score = bestPrice(pool.types[choice.type]!, trial.spot, trial.od) / done;
        if (!best || score < best.score) best = { pool, choice, score, steps };
        break;
      }
    }
    if (!best) return undefined;
    const type = best.pool.types[best.choice.type]!;
    this.poolCpu[best.pool.index]! += type.capacityCpuMillis;
    this.poolMem[best.pool.index]! += type.capacityMemoryBytes;
    const node = { ...this.nodeOf(best.pool, best.choice, first), id: this.nodes.length };
    this.nodes.push(node);
    this.open.push(node);
    return { node, steps: best.steps };
  }

  /**
   * A node chosen ahead (pattern-seeds.ts) for pods with no topology rules but their own caps or
   * shares of a zone spread: opened and filled as chosen. Its zone is settled when its offerings
   * are in one zone (a spread share's node), so the spread counts its pods.
   */
  private openSeed(seed: SeedNode): void {
    const type = seed.pool.types[seed.type]!;
    this.poolCpu[seed.pool.index]! += type.capacityCpuMillis;
    this.poolMem[seed.pool.index]! += type.capacityMemoryBytes;
    const node: PlanNode = {
      id: this.nodes.length, pool: seed.pool, type: seed.type, spot: seed.spot, od: seed.od, zoneLimit: this.setup.allZones & (seed.spot | seed.od),
      cpu: 0, mem: 0, gpus: 0, pods: 0, storage: 0, classes: [], counts: [], podIds: [], hostCounts: new Map(),
    };
    this.nodes.push(node);
    this.open.push(node);
    for (const [c, count] of seed.pods) {
      if (roomFor(this.setup, node, c, this.setup.allZones) < count) throw new Error(`planner invariant: a seed node of ${type.info.name} cannot hold its pods`);
      this.add(node, c, count, this.setup.allZones);
    }
  }

  private nodeOf(pool: PoolTable, choice: CachedChoice, first: ZoneTarget): PlanNode {
    return {
      id: -1, pool, type: choice.type, spot: choice.spot, od: choice.od,
      zoneLimit: this.setup.fits[first.c]![pool.index]!.zones & first.zones,
      cpu: 0, mem: 0, gpus: 0, pods: 0, storage: 0, classes: [], counts: [], podIds: [], hostCounts: new Map(),
    };
  }

  /** A trial node takes pods: its own state changes, nothing is placed for real. */
  private addTrial(node: PlanNode, target: ZoneTarget, count: number): void {
    loadNode(this.setup, node, target.c, count, target.zones);
  }

  /**
   * Largest first (share of the total CPU plus share of the total memory; GPU pods before all),
   * but pods whose required affinity points at other pods after the pods it points at.
   */
  private classOrder(): number[] {
    const { classes, topologies } = this.setup;
    const cpu = Math.max(1, this.remaining.cpu);
    const mem = Math.max(1, this.remaining.mem);
    const waits = (c: number) => (topologies[c]!.zoneAffinity.some((a) => !a.selfMatch) ? 1 : 0);
    // Pods that force nodes of their own go first: the nodes they open are then filled by the rest.
    const forcing = (c: number) => (this.forcedOf[c]!.length > 0 ? 0 : 1);
    const size = (cls: PodClass) => cls.cpu / cpu + cls.mem / mem;
    return classes
      .map((cls) => cls.index)
      .sort((a, b) =>
        waits(a) - waits(b) || classes[b]!.gpus - classes[a]!.gpus || forcing(a) - forcing(b) ||
        size(classes[b]!) - size(classes[a]!) || a - b);
  }

  private reject(c: number, count: number, reason: string): void {
    const cls = this.setup.classes[c]!;
    const start = this.cursor[c]!;
    for (const pod of cls.podIds.slice(start, start + count)) this.unschedulable.push({ pod, reason });
    this.cursor[c] = start + count;
    this.consume(cls, count);
  }

  private consume(cls: PodClass, count: number): void {
    this.remaining.cpu -= cls.cpu * count;
    this.remaining.storage -= cls.storage * count;
    this.remaining.mem -= cls.mem * count;
    this.remaining.pods -= count;
    for (const g of this.forcedOf[cls.index]!) this.forcedLeft[g]! -= count;
    // Cached type choices follow the remaining mix; refresh them once it has moved by a tenth.
    const forced = this.forcedOf[cls.index]!.length > 0 ? this.forcedNodes() : this.mark.forced;
    if (
      this.remaining.cpu < 0.9 * this.mark.cpu || this.remaining.mem < 0.9 * this.mark.mem ||
      this.remaining.pods < 0.9 * this.mark.pods || forced < 0.9 * this.mark.forced
    ) {
      this.mark = { ...this.remaining, forced };
      this.version++;
    }
  }

  private placeClass(c: number): void {
    for (const target of this.zoneTargets(c)) this.place(c, target.count, target.zones, target.usable);
  }

  /** The class's targets (zone-targets.ts), its pods no target can take rejected with the reason. */
  private zoneTargets(c: number): ZoneTarget[] {
    const n = this.setup.classes[c]!.podIds.length - this.cursor[c]!;
    if (n === 0) return [];
    const { targets, rejected, reason } = this.zones.targetsOf(c, n, (zones, usable) => this.cheapestZone(c, zones, usable));
    if (rejected > 0) this.reject(c, rejected, reason);
    return targets;
  }

  /** The zone of the cheapest offering a new node for this class would get. */
  private cheapestZone(c: number, zones: number, usable: PoolTable[]): number {
    for (const pool of usable) {
      const choice = this.chooseType(c, pool, zones, this.shapes[0]!);
      if (!choice) continue;
      const type = pool.types[choice.type]!;
      let bestZone = -1;
      let best = Number.POSITIVE_INFINITY;
      for (let z = 0; z < this.setup.zones.length; z++) {
        const bit = 1 << z;
        const price = bestPrice(type, choice.spot & bit, choice.od & bit);
        if (price < best) {
          best = price;
          bestZone = z;
        }
      }
      if (bestZone >= 0) return 1 << bestZone;
    }
    return zones & -zones;
  }

  /**
   * Nodes only fill up and narrow down, so a node with no room for a kind of pod never has room
   * for it again: each kind of pod resumes its first-fit scan where it last stopped.
   */
  private readonly resumeAt = new Map<string, number>();
  private readonly fitSignature: (c: number) => string;

  private scanKey(c: number, zoneMask: number): string {
    const cls = this.setup.classes[c]!;
    const topology = this.setup.topologies[c]!;
    const fits = this.fitSignature(c);
    const spreads = topology.hostSpread.map((r) => `${r.group}:${r.maxSkew}:${r.selfMatch ? 1 : 0}`).join(',');
    const conflicts = topology.conflicts.size > 0 ? [...topology.conflicts].sort((a, b) => a - b).join(',') + (topology.conflicts.has(c) ? '!' : '') : '';
    // The groups other pods' hostname spreads cap (hostCaps) are part of the kind too.
    return `${fits}|${cls.cpu}|${cls.mem}|${cls.gpus}|${cls.storage}|${zoneMask}|${spreads}|${conflicts}|${topology.hostGroups.join(',')}`;
  }

  private place(c: number, count: number, zoneMask: number, usable: PoolTable[]): void {
    const key = this.scanKey(c, zoneMask);
    let n = this.fillOpenNodes(c, count, zoneMask, key);
    let lastId = this.resumeAt.get(key) ?? 0;
    while (n > 0) {
      const node = this.openNode(c, zoneMask, usable);
      if (!node) return this.reject(c, n, explainUnplaced(this.setup, c, zoneMask, usable));
      lastId = node.id;
      const room = Math.min(n, roomFor(this.setup, node, c, zoneMask));
      if (room <= 0) throw new Error(`planner invariant: a node opened for class ${c} has no room for it`);
      this.add(node, c, room, zoneMask);
      n -= room;
    }
    this.resumeAt.set(key, lastId);
  }

  /** First fit of the pods into the nodes already open, opening none: how many are left. */
  private fillOpenNodes(c: number, count: number, zoneMask: number, key = this.scanKey(c, zoneMask)): number {
    let n = count;
    const resumeId = this.resumeAt.get(key) ?? 0;
    let start = 0;
    for (let high = this.open.length; start < high; ) {
      const mid = (start + high) >>> 1;
      if (this.open[mid]!.id < resumeId) start = mid + 1;
      else high = mid;
    }
    let kept = start;
    let i = start;
    let lastId = resumeId;
    // First fit; full nodes found on the way leave the scan list, the part not scanned stays as is.
    for (; i < this.open.length && n > 0; i++) {
      const node = this.open[i]!;
      lastId = node.id;
      const room = Math.min(n, roomFor(this.setup, node, c, zoneMask));
      if (room > 0) {
        this.add(node, c, room, zoneMask);
        n -= room;
      }
      if (!this.isFull(node)) this.open[kept++] = node;
    }
    if (kept < i) {
      this.open.copyWithin(kept, i);
      this.open.length -= i - kept;
    }
    this.resumeAt.set(key, lastId);
    return n;
  }

  private isFull(node: PlanNode): boolean {
    const type = node.pool.types[node.type]!;
    return node.pods >= type.pods || type.cpu - node.cpu < this.minCpu || type.mem - node.mem < this.minMem;
  }

  private add(node: PlanNode, c: number, count: number, zoneMask: number): void {
    const cls = this.setup.classes[c]!;
    const topology = this.setup.topologies[c]!;
    const wasPinned = isSingleZone(node.zoneLimit);
    loadNode(this.setup, node, c, count, zoneMask);
    const zones = node.zoneLimit;
    const start = this.cursor[c]!;
    for (let i = start; i < start + count; i++) node.podIds.push(cls.podIds[i]!);
    this.cursor[c] = start + count;
    // Zone counts only know pods on nodes whose zone is settled (as Karpenter counts them).
    if (isSingleZone(zones)) {
      const z = zoneOfMask(zones);
      if (wasPinned) {
        for (const g of topology.zoneGroups) this.zoneCounts[g]![z]! += count;
      } else {
        node.classes.forEach((d, i) => {
          for (const g of this.setup.topologies[d]!.zoneGroups) this.zoneCounts[g]![z]! += node.counts[i]!;
        });
      }
    }
    this.consume(cls, count);
  }

  private openNode(c: number, zoneMask: number, usable: PoolTable[]): PlanNode | undefined {
    for (const pool of usable) {
      const choice = this.chooseType(c, pool, zoneMask, this.shapes[0]!);
      if (!choice) continue;
      const type = pool.types[choice.type]!;
      this.poolCpu[pool.index]! += type.capacityCpuMillis;
      this.poolMem[pool.index]! += type.capacityMemoryBytes;
      const node: PlanNode = {
        id: this.nodes.length, pool, type: choice.type, spot: choice.spot, od: choice.od,
        zoneLimit: this.setup.fits[c]![pool.index]!.zones & zoneMask,
        cpu: 0, mem: 0, gpus: 0, pods: 0, storage: 0, classes: [], counts: [], podIds: [], hostCounts: new Map(),
      };
      this.nodes.push(node);
      this.open.push(node);
      return node;
    }
    return undefined;
  }

  private withinLimits(pool: PoolTable, type: PoolType): boolean {
    return (
      this.poolCpu[pool.index]! + type.capacityCpuMillis <= pool.limits.cpuMillis &&
      this.poolMem[pool.index]! + type.capacityMemoryBytes <= pool.limits.memoryBytes
    );
  }

  /**
   * The type to open a node with (type-choice.ts), fitted to all that is left to place or to the
   * class's own pods left (shape), within the pool's limits; cached until the packer's state moves.
   */
  private chooseType(c: number, pool: PoolTable, zoneMask: number, shape: NodeShape): CachedChoice | undefined {
    const key = `${shape}|${pool.index}|${c}|${zoneMask}`;
    const cached = this.choices.get(key);
    if (cached && cached.version === this.version && this.withinLimits(pool, pool.types[cached.type]!)) return cached;
    const cls = this.setup.classes[c]!;
    // What one new node should hold: all that is left, or its share when pods force many nodes.
    const nodes = Math.max(1, this.forcedNodes());
    const left = cls.podIds.length - this.cursor[c]!;
    const want = shape === 'class'
      ? { cpu: cls.cpu * left, mem: cls.mem * left, pods: left, storage: cls.storage * left }
      : { cpu: this.remaining.cpu / nodes, mem: this.remaining.mem / nodes, pods: this.remaining.pods / nodes, storage: this.remaining.storage / nodes };
    const choice = cheapestPerShare(pool, this.setup.fits[c]![pool.index]!, cls, zoneMask, want, (type) => this.withinLimits(pool, type));
    if (!choice) return undefined;
    const best = { ...choice, version: this.version };
    this.choices.set(key, best);
    return best;
  }

}

/**
 * What a new node's type is fitted to: `remaining`, everything still to place (nodes of mixed
 * pods, good when pods of many shapes can share); `class`, the pods of the class that opens it
 * (nodes of one shape each, good when some pods are best served by types others cannot use well).
 */
export type NodeShape = 'remaining' | 'class';

/** `shapes`: the shapes tried for each new node (the better trial wins); one shape, no trial. */
export function pack(setup: PlanningSetup, shapes: NodeShape[] = ['remaining'], seeds: SeedNode[] = []): { nodes: PlanNode[]; unschedulable: Unschedulable[] } {
  const packer = new Packer(setup, shapes, seeds);
  packer.run();
  return { nodes: packer.nodes.filter((n) => n.pods > 0), unschedulable: packer.unschedulable };
}
