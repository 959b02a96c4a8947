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

/** The targets still to place, largest first, and the same grouped by request shape. */
export class FillWork {
  /** Targets by request shape and the zones they are bound for. */
  readonly shapes: Array<{ cpu: number; mem: number; zones: number; targets: ZoneTarget[] }> = [];
  /** Set when a target runs out: the lists need compacting. */
  dirty = false;

  constructor(
    readonly targets: ZoneTarget[],
    classes: PodClass[],
  ) {
    const byShape = new Map<string, { cpu: number; mem: number; zones: number; targets: ZoneTarget[] }>();
    for (const target of targets) {
      const { cpu, mem, gpus, storage } = classes[target.c]!;
      const key = `${cpu}|${mem}|${gpus}|${storage}|${target.zones}`;
      let shape = byShape.get(key);
      if (!shape) {
        shape = { cpu, mem, zones: target.zones, targets: [] };
        byShape.set(key, shape);
        this.shapes.push(shape);
      }
      shape.targets.push(target);
    }
  }

  /** Drops what is placed, so every scan sees only pods still to place. */
  compact(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const live = (list: ZoneTarget[]) => {
      let kept = 0;
      for (const target of list) if (target.count > 0) list[kept++] = target;
      list.length = kept;
    };
    live(this.targets);
    for (const shape of this.shapes) live(shape.targets);
    let kept = 0;
    for (const shape of this.shapes) if (shape.targets.length > 0) this.shapes[kept++] = shape;
    this.shapes.length = kept;
  }
}
