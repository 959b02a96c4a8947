// The reason a packer gives for pods it could not place: per NodePool, whether no type fits the
// pod at all, the fitting ones were refused for capacity a moment ago, none is offered in the
// zones the pod may use, or the pool's limits are reached.
import { askedDevice } from '../devices.ts';
import { describeDemand } from '../resources.ts';
import { COMPATIBLE, type ClassFit } from './class-fit.ts';
import type { PoolTable } from './pool-table.ts';
import type { PlanningSetup } from './setup.ts';
import { fitsOne } from './fits-one.ts';

/** Why no node could be opened for the class in these zones, pool by pool. */
export function explainUnplaced(setup: PlanningSetup, c: number, zoneMask: number, usable: PoolTable[]): string {
  const cls = setup.classes[c]!;
  const gpuResource = askedDevice(cls.template.requests);
  const need = describeDemand({ cpuMillis: cls.cpu, memoryBytes: cls.mem, gpus: cls.gpus, pods: 1, storageBytes: cls.storage, ...(gpuResource ? { gpuResource } : {}) });
  const reasons = usable.map((pool) => {
    const fit: ClassFit = setup.fits[c]![pool.index]!;
    const fitting = pool.types.filter((t) => fit.compat[t.index] === COMPATIBLE && fitsOne(t, cls));
    if (fitting.length === 0) {
      const refused = pool.types.some((t) => fitsOne(t, cls) && (t.refusedSpot | t.refusedOd) !== 0);
      return refused
        ? `NodePool ${pool.pool.name}: every instance type that fits a pod needing ${need} was recently refused for capacity`
        : `NodePool ${pool.pool.name}: no instance type fits a pod needing ${need} next to its DaemonSets`;
    }
    const inZones = fitting.filter((t) => ((fit.spot[t.index]! | fit.od[t.index]!) & zoneMask) !== 0);
    if (inZones.length === 0) {
      const names = setup.zones.filter((_, z) => zoneMask & (1 << z)).join(', ');
      return `NodePool ${pool.pool.name}: no instance type that fits a pod needing ${need} is offered in ${names}`;
    }
    const { cpuMillis, memoryBytes } = pool.limits;
    return `NodePool ${pool.pool.name}: limits reached (${[
      Number.isFinite(cpuMillis) ? `cpu ${pool.pool.limits['cpu']}` : '',
      Number.isFinite(memoryBytes) ? `memory ${pool.pool.limits['memory']}` : '',
    ].filter(Boolean).join(', ')})`;
  });
  return [...reasons, ...setup.poolReasons[c]!].join('; ');
}
