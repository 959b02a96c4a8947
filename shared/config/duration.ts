// Durations as Karpenter writes them: one or more <integer><unit> pairs with units h, m, s
// ("720h", "1h30m", "10s"), or "Never" where the field allows it. Go's time.ParseDuration
// accepts more (ms, fractions), but the v1 CRDs refuse those, so nodewright refuses them too.
import { InvalidInputError } from '../errors.ts';

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000 } as const;
const DURATION = /^(?:\d+[hms])+$/;
const PART = /(\d+)([hms])/g;

/** Milliseconds in a Karpenter duration, or 'Never'. Throws InvalidInputError naming the text. */
export function parseDuration(text: string): number | 'Never' {
  if (text === 'Never') return 'Never';
  if (typeof text !== 'string' || !DURATION.test(text)) {
    throw new InvalidInputError(
      `invalid duration ${JSON.stringify(text)}: expected whole numbers with unit h, m or s (such as 720h, 30m, 1h30m, 10s) or Never`,
    );
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) {
    total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return total;
}

/** True when `text` is a duration Karpenter accepts; `allowNever` for expireAfter and consolidateAfter. */
export function isDuration(text: unknown, allowNever: boolean): boolean {
  if (typeof text !== 'string') return false;
  if (text === 'Never') return allowNever;
  return DURATION.test(text);
}
