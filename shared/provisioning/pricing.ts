// Prices: on-demand from the committed snapshot, spot from a seeded model for the simulator
// (with an AWS account, spot prices come from DescribeSpotPriceHistory through the ports),
// and which EC2 launch error codes mean "no capacity for this offering right now".
import pricesData from './catalog/generated/prices.json' with { type: 'json' };
import { InvalidInputError } from '../errors.ts';
import type { SpotPrice } from '../types.ts';
import { catalog } from './catalog/catalog.ts';
import type { CompactPrices } from './catalog/format.ts';

const prices = pricesData as unknown as CompactPrices;
/** The only region with published prices in the snapshot. */
export const PRICE_REFERENCE_REGION = 'us-east-1';

/**
 * On-demand USD per hour. The snapshot has us-east-1 prices only; for any other region the
 * us-east-1 price stands in as an estimate (regional prices differ by a few percent, and
 * ranking types inside one region is what the price is used for). undefined when unpriced.
 */
export function onDemandPrice(region: string, type: string): number | undefined {
  return prices.onDemand[region]?.[type] ?? prices.onDemand[PRICE_REFERENCE_REGION]?.[type];
}

/** Spot prices lie between these fractions of the on-demand price. */
export const SPOT_FRACTION_MIN = 0.25;
export const SPOT_FRACTION_MAX = 0.75;

// FNV-1a over the UTF-16 code units, then murmur3's finalizer for avalanche: a stable,
// dependency-free hash that spreads neighbouring names (m5.large / m5.xlarge) apart.
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The model's fraction of the on-demand price for one (seed, type, zone), in [0.25, 0.75). */
export function spotFraction(seed: number, type: string, zone: string): number {
  const unit = hash32(`${seed}|${type}|${zone}`) / 2 ** 32;
  return SPOT_FRACTION_MIN + (SPOT_FRACTION_MAX - SPOT_FRACTION_MIN) * unit;
}

/**
 * Simulated spot prices: for every spot-capable type (all, or those named) and every zone of the
 * region that offers it, on-demand price x spotFraction(seed, type, zone), rounded to 6 decimals
 * like EC2 quotes them. Same arguments, same prices. Stamped with the price snapshot's date.
 */
export function simulatedSpotPrices(region: string, seed: number, instanceTypes?: string[]): SpotPrice[] {
  if (!Number.isFinite(seed)) throw new InvalidInputError(`spot price seed must be a finite number, got ${seed}`);
  const cat = catalog();
  if (!cat.regions().includes(region)) {
    throw new InvalidInputError(`region "${region}" is not in the instance catalog (known: ${cat.regions().join(', ')})`);
  }
  const types = instanceTypes
    ? instanceTypes.map((name) => {
        const type = cat.get(name);
        if (!type) throw new InvalidInputError(`instanceTypes: "${name}" is not in the instance catalog`);
        return type;
      })
    : cat.types();
  const timestamp = `${prices.snapshot}T00:00:00.000Z`;
  const out: SpotPrice[] = [];
  for (const type of types) {
    if (!type.supportsSpot) continue;
    const onDemand = onDemandPrice(region, type.name);
    if (onDemand === undefined) continue;
    for (const zone of cat.zones(region, type.name)) {
      const price = Math.max(1e-6, Math.round(onDemand * spotFraction(seed, type.name, zone) * 1e6) / 1e6);
      out.push({ instanceType: type.name, zone, price, timestamp });
    }
  }
  return out;
}

// Karpenter's unfulfillableCapacityErrorCodes plus the capacity codes CreateFleet reports for
// spot and reservations: each means "this offering cannot be had now", so mark it unavailable
// and try the next one, rather than "the request is wrong".
const CAPACITY_ERROR_CODES = new Set([
  'InsufficientInstanceCapacity',
  'InsufficientHostCapacity',
  'InsufficientReservedInstanceCapacity',
  'InsufficientCapacityOnHost',
  'MaxSpotInstanceCountExceeded',
  'SpotMaxPriceTooLow',
  'UnfulfillableCapacity',
  'VcpuLimitExceeded',
  'Unsupported',
  'InsufficientFreeAddressesInSubnet',
  'ReservationCapacityExceeded',
]);

export function isCapacityError(code: string): boolean {
  return CAPACITY_ERROR_CODES.has(code);
}
