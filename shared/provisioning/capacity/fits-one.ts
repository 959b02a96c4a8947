import type { PodClass } from './pod-classes.ts';
import type { PoolType } from './pool-table.ts';

/** Whether one pod of the class fits an empty node of the type (next to its DaemonSets). */
export function fitsOne(type: PoolType, cls: PodClass): boolean {
  return type.cpu >= cls.cpu && type.mem >= cls.mem && type.gpus >= cls.gpus && type.storage >= cls.storage && type.pods >= 1;
}
