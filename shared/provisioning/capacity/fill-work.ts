// The pods the packer still has to place, as targets (a class's pods bound for a set of zones),
// kept two ways: largest first, to pick what opens the next node, and grouped by request shape
// and zones, so that filling a node scans a few dozen shapes rather than thousands of classes,
// and skips at once the shapes bound for other zones than a pinned node's.
import type { PodClass } from './pod-classes.ts';
import type { PoolTable } from './pool-table.ts';

/** Pods of one class bound for a set of zones. */
export interface ZoneTarget {
  c: number;
  zones: number;
  count: number;
  usable: PoolTable[];
  /** Pods a trial node took, valid while `epoch` is the trial's. */
  taken: number;
  epoch: number;
}

/** Targets of one request shape, bound for the same zones. */
interface FillShape {
  cpu: number;
  mem: number;
  zones: number;
  targets: ZoneTarget[];
  /** Some target of the shape ran out since the last compaction. */
  spent: boolean;
}

/** The targets still to place, largest first, and the same grouped by request shape. */
export class FillWork {
  /** Targets by request shape and the zones they are bound for. */
  readonly shapes: FillShape[] = [];
  private readonly shapeOf = new Map<ZoneTarget, FillShape>();
  /** Targets before this one in `targets` are all placed. */
  private head = 0;
  private dirty = false;

  constructor(
    private readonly targets: ZoneTarget[],
    classes: PodClass[],
  ) {
    const byShape = new Map<string, FillShape>();
    for (const target of targets) {
      const { cpu, mem, gpus, storage } = classes[target.c]!;
      const key = `${cpu}|${mem}|${gpus}|${storage}|${target.zones}`;
      let shape = byShape.get(key);
      if (!shape) {
        shape = { cpu, mem, zones: target.zones, targets: [], spent: false };
        byShape.set(key, shape);
        this.shapes.push(shape);
      }
      shape.targets.push(target);
      this.shapeOf.set(target, shape);
    }
  }

  /** The largest target with pods still to place. */
  first(): ZoneTarget | undefined {
    while (this.head < this.targets.length && this.targets[this.head]!.count <= 0) this.head++;
    return this.targets[this.head];
  }

  /** Records that the target has run out (its count is 0). */
  done(target: ZoneTarget): void {
    this.dirty = true;
    const shape = this.shapeOf.get(target);
    if (shape) shape.spent = true;
  }

  /**
   * Drops what is placed from the shapes that lost a target, and the shapes left empty, so every
   * scan sees only pods still to place; the other shapes are not walked.
   */
  compact(): void {
    if (!this.dirty) return;
    this.dirty = false;
    let kept = 0;
    for (const shape of this.shapes) {
      if (shape.spent) {
        shape.spent = false;
        let live = 0;
        for (const target of shape.targets) if (target.count > 0) shape.targets[live++] = target;
        shape.targets.length = live;
      }
      if (shape.targets.length > 0) this.shapes[kept++] = shape;
    }
    this.shapes.length = kept;
  }
}
