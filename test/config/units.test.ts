import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors.ts';
import { parseDuration, parseQuantity } from '../../shared/config/index.ts';

describe('parseDuration', () => {
  it.each([
    ['720h', 720 * 3_600_000],
    ['336h', 336 * 3_600_000],
    ['30m', 30 * 60_000],
    ['1h30m', 90 * 60_000],
    ['10s', 10_000],
    ['0s', 0],
    ['1h0m0s', 3_600_000],
    ['Never', 'Never'],
  ])('%s -> %s', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each(['30d', '1.5h', '500ms', '', 'never', 'h', '10', '-1h', ' 1h'])('refuses %j naming the text', (text) => {
    expect(() => parseDuration(text)).toThrow(InvalidInputError);
    expect(() => parseDuration(text)).toThrow(JSON.stringify(text));
  });
});

describe('parseQuantity', () => {
  it.each<[string | number, number]>([
    ['500m', 0.5],
    ['2', 2],
    ['1.5', 1.5],
    ['1Gi', 1024 ** 3],
    ['100Mi', 100 * 1024 ** 2],
    ['100M', 100_000_000],
    ['1k', 1000],
    ['1Ki', 1024],
    ['2e3', 2000],
    ['1000Gi', 1000 * 1024 ** 3],
    ['0.1', 0.1],
    ['100m', 0.1],
    [4, 4],
  ])('%j -> %d', (text, expected) => {
    expect(parseQuantity(text)).toBe(expected);
  });

  it.each(['1 GB', 'abc', '1Gib', '', '--1', '1.2.3', 'Gi'])('refuses %j', (text) => {
    expect(() => parseQuantity(text)).toThrow(InvalidInputError);
  });
});
