// Which of a pool's instance types and offerings a pod class accepts: its nodeSelector and
// required node affinity against each type's labels (and, when they name zone or capacity
// type, each offering's), its tolerations against the pool's taints, and whether it asked for
// the metal/GPU/accelerator types that are otherwise left out; a pod requesting accelerators
// only fits types carrying that kind (devices.ts). Classes that select nodes alike share one
// answer per pool.
import type { Pod, Taint } from '../../types.ts';
import { askedDevice, carriesDevice } from '../devices.ts';
import { LABEL } from '../labels.ts';
import { OFFERING_KEYS, describeTaint, podRequirements, specialHardwareAllowed, specialHardwareAsk } from '../offering-rules.ts';
import { canonicalLabelKey, compilePodConstraints, untoleratedTaint } from '../requirements.ts';
import type { PoolTable } from './pool-table.ts';

/** compat values: the type is not allowed, allowed, or allowed only on a node some other pod asked special hardware for. */
export const INCOMPATIBLE = 0;
export const COMPATIBLE = 1;
export const SPECIAL_NOT_ASKED = 2;

export interface ClassFit {
  /** Per pool type index. */
  compat: Uint8Array;
  /** Per pool type index: zone masks of the type's usable offerings the pods accept. */
  spot: Int32Array;
  od: Int32Array;
  /** Zones of any accepted offering: where a node holding these pods may be. */
  zones: number;
}

/** Why a class cannot use a pool at all, or the fit. */
export type PoolFitResult = { fit: ClassFit } | { reason: string };

export function fitClassToPool(template: Pod, table: PoolTable, zones: string[]): PoolFitResult {
  const taint: Taint | undefined = untoleratedTaint(template.tolerations, table.pool.taints);
  if (taint) return { reason: `does not tolerate taint ${describeTaint(taint)} of NodePool ${table.pool.name}` };

  const accepts = compilePodConstraints(template);
  const perOffering = podRequirements(template).some((r) => OFFERING_KEYS.has(canonicalLabelKey(r.key)));
  const ask = specialHardwareAsk([template], table.pool.requirements);
  const n = table.types.length;
  const fit: ClassFit = { compat: new Uint8Array(n), spot: new Int32Array(n), od: new Int32Array(n), zones: 0 };
  for (const type of table.types) {
    if (!carriesDevice(type.info, template.requests)) continue;
    let spot = 0;
    let od = 0;
    if (!perOffering) {
      if (accepts(type.labels)) {
        spot = type.spotZones;
        od = type.odZones;
      }
    } else {
      const labels = { ...type.labels };
      for (let z = 0; z < zones.length; z++) {
        const bit = 1 << z;
        if (!((type.spotZones | type.odZones) & bit)) continue;
        labels[LABEL.zone] = zones[z]!;
        labels[LABEL.capacityType] = 'spot';
        if (type.spotZones & bit && accepts(labels)) spot |= bit;
        labels[LABEL.capacityType] = 'on-demand';
        if (type.odZones & bit && accepts(labels)) od |= bit;
      }
    }
    if ((spot | od) === 0) continue;
    fit.compat[type.index] = type.special && !specialHardwareAllowed(type.info, ask) ? SPECIAL_NOT_ASKED : COMPATIBLE;
    fit.spot[type.index] = spot;
    fit.od[type.index] = od;
    fit.zones |= spot | od;
  }
  if (fit.zones === 0) {
    const device = askedDevice(template.requests);
    if (device && !table.types.some((t) => carriesDevice(t.info, template.requests))) {
      return { reason: `NodePool ${table.pool.name}: no usable instance type offers ${device}` };
    }
    const refused = table.types.some((t) => (t.refusedSpot | t.refusedOd) !== 0 && accepts(t.labels));
    return {
      reason: refused
        ? `NodePool ${table.pool.name}: every offering the pod's nodeSelector/affinity allows was recently refused for capacity`
        : `NodePool ${table.pool.name}: no usable instance type matches the pod's nodeSelector/affinity`,
    };
  }
  return { fit };
}

/**
 * A key per class that is equal for classes whose fits are the same objects in every pool
 * (setup.ts shares a fit between classes that select nodes alike): what they accept is the same.
 * `fits` is the setup's fits[class][pool].
 */
export function fitSignatures(fits: ReadonlyArray<ReadonlyArray<ClassFit | undefined>>): (c: number) => string {
  const ids = new Map<ClassFit, number>();
  return (c) =>
    fits[c]!.map((fit) => {
      if (!fit) return -1;
      if (!ids.has(fit)) ids.set(fit, ids.size);
      return ids.get(fit)!;
    }).join(',');
}
