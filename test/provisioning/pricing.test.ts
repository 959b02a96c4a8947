import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors.ts';
import {
  catalog, isCapacityError, onDemandPrice, simulatedSpotPrices, SPOT_FRACTION_MAX, SPOT_FRACTION_MIN,
} from '../../shared/provisioning/index.ts';

describe('onDemandPrice', () => {
  it('reads us-east-1 prices from the snapshot', () => {
    expect(onDemandPrice('us-east-1', 'm5.large')).toBe(0.096);
    expect(onDemandPrice('us-east-1', 'c5.large')).toBe(0.085);
  });

  it('estimates other regions with the us-east-1 price', () => {
    expect(onDemandPrice('eu-west-1', 'm5.large')).toBe(0.096);
  });

  it('is undefined for a type without a price', () => {
    expect(onDemandPrice('us-east-1', 'no-such.type')).toBeUndefined();
  });
});

describe('simulatedSpotPrices', () => {
  // The documented model worked by hand (an independent FNV-1a + murmur3 finalizer in Python):
  // m5.large, us-east-1a, seed 1: u = hash32("1|m5.large|us-east-1a") / 2^32 = 0.759548...,
  // 0.096 x (0.25 + 0.5 u) = 0.060458; c6g.xlarge, us-east-1c, seed 42: u = 0.143560..., 0.136 x 0.321780 = 0.043762.
  it.each([
    { seed: 1, type: 'm5.large', zone: 'us-east-1a', price: 0.060458 },
    { seed: 42, type: 'c6g.xlarge', zone: 'us-east-1c', price: 0.043762 },
  ])('follows the documented formula: $type in $zone, seed $seed, is $price', ({ seed, type, zone, price }) => {
    const found = simulatedSpotPrices('us-east-1', seed, [type]).find((p) => p.zone === zone);
    expect(found?.price).toBe(price);
  });

  const types = ['m5.large', 'c5.large', 'r5.large', 'm6g.large', 'm5.xlarge'];

  it('is deterministic for a seed and changes with the seed', () => {
    const a = simulatedSpotPrices('us-east-1', 7, types);
    expect(simulatedSpotPrices('us-east-1', 7, types)).toEqual(a);
    const b = simulatedSpotPrices('us-east-1', 8, types);
    expect(b.map((p) => p.price)).not.toEqual(a.map((p) => p.price));
  });

  it('prices every zone offering the type between 25% and 75% of on-demand', () => {
    const prices = simulatedSpotPrices('us-east-1', 1, types);
    for (const type of types) {
      const zones = prices.filter((p) => p.instanceType === type).map((p) => p.zone);
      expect(zones).toEqual(catalog().zones('us-east-1', type));
    }
    for (const p of prices) {
      const od = onDemandPrice('us-east-1', p.instanceType)!;
      expect(p.price).toBeGreaterThanOrEqual(od * SPOT_FRACTION_MIN - 1e-6);
      expect(p.price).toBeLessThanOrEqual(od * SPOT_FRACTION_MAX + 1e-6);
      expect(p.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00.000Z$/);
    }
  });

  it('gives zones of one type different prices and spreads over the range', () => {
    const all = simulatedSpotPrices('us-east-1', 3);
    const fractions = all.map((p) => p.price / onDemandPrice('us-east-1', p.instanceType)!);
    const mean = fractions.reduce((s, f) => s + f, 0) / fractions.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    const m5 = new Set(all.filter((p) => p.instanceType === 'm5.large').map((p) => p.price));
    expect(m5.size).toBeGreaterThan(1);
  });

  it('leaves out types EC2 does not sell as spot', () => {
    const onDemandOnly = catalog().types().find((t) => !t.supportsSpot && catalog().zones('us-east-1', t.name).length > 0)!;
    expect(simulatedSpotPrices('us-east-1', 1, [onDemandOnly.name])).toEqual([]);
  });

  it('names an unknown type or region', () => {
    expect(() => simulatedSpotPrices('us-east-1', 1, ['m5.huge'])).toThrow(InvalidInputError);
    expect(() => simulatedSpotPrices('us-east-1', 1, ['m5.huge'])).toThrow(/m5.huge/);
    expect(() => simulatedSpotPrices('sa-east-9', 1)).toThrow(/sa-east-9/);
  });
});

describe('isCapacityError', () => {
  it.each([
    ['InsufficientInstanceCapacity', true],
    ['InsufficientHostCapacity', true],
    ['InsufficientReservedInstanceCapacity', true],
    ['InsufficientCapacityOnHost', true],
    ['MaxSpotInstanceCountExceeded', true],
    ['SpotMaxPriceTooLow', true],
    ['UnfulfillableCapacity', true],
    ['VcpuLimitExceeded', true],
    ['Unsupported', true],
    ['InsufficientFreeAddressesInSubnet', true],
    ['ReservationCapacityExceeded', true],
    ['InvalidLaunchTemplateName.NotFoundException', false],
    ['UnauthorizedOperation', false],
    ['InvalidParameterValue', false],
    ['insufficientinstancecapacity', false],
  ])('%s -> %s', (code, expected) => expect(isCapacityError(code)).toBe(expected));
});
