import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors.ts';
import { parseBytes, parseCount, parseCpuMillis } from '../../shared/quantity.ts';

describe('parseCpuMillis', () => {
  it.each([
    ['500m', 500],
    ['2', 2000],
    ['0.1', 100],
    ['0.5', 500],
    ['1.5', 1500],
    ['.25', 250],
    ['100m', 100],
    ['1m', 1],
    ['0.0001', 1], // rounds up like MilliValue(): a request is never shrunk to nothing
    ['250000u', 250],
    ['1500000000n', 1500],
    ['1k', 1_000_000],
    ['1e3', 1_000_000],
    ['2E-3', 2],
    [4, 4000],
    ['0', 0],
    ['+3', 3000],
  ] as Array<[string | number, number]>)('%s -> %i millicores', (quantity, expected) => {
    expect(parseCpuMillis(quantity)).toBe(expected);
  });
});

describe('parseBytes', () => {
  it.each([
    ['1Gi', 1024 ** 3],
    ['512Mi', 512 * 1024 ** 2],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['100M', 100_000_000],
    ['1G', 1_000_000_000],
    ['128974848', 128_974_848],
    ['129e6', 129_000_000],
    ['123Ki', 123 * 1024],
    ['1Ti', 1024 ** 4],
    ['0.5Ki', 512],
    ['1500m', 2], // milli-bytes round up to whole bytes, as Value() does
    ['10k', 10_000],
  ] as Array<[string, number]>)('%s -> %i bytes', (quantity, expected) => {
    expect(parseBytes(quantity)).toBe(expected);
  });
});

describe('parseCount', () => {
  it.each([
    ['110', 110],
    ['1', 1],
    ['4', 4],
  ])('%s -> %i', (quantity, expected) => {
    expect(parseCount(quantity)).toBe(expected);
  });
});

describe('malformed quantities', () => {
  it.each(['', 'abc', '1GB', '1 Gi', 'Gi', '1.2.3', '--1', '1Ki2'])('rejects %j naming the field', (quantity) => {
    expect(() => parseBytes(quantity, 'spec.containers[0].resources.requests.memory')).toThrow(InvalidInputError);
    expect(() => parseBytes(quantity, 'spec.containers[0].resources.requests.memory')).toThrow(
      /spec\.containers\[0\]\.resources\.requests\.memory: .* is not a Kubernetes quantity/,
    );
  });

  it('rejects negative quantities', () => {
    expect(() => parseCpuMillis('-100m', 'requests.cpu')).toThrow(/requests\.cpu: "-100m" is negative/);
  });

  it('rejects amounts beyond exact arithmetic', () => {
    expect(() => parseBytes('16Ei', 'memory')).toThrow(/too large/);
  });
});
