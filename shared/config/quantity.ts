// Kubernetes resource quantities ("500m", "1Gi", "100M", "1.5", "2e3") as plain numbers in base
// units: cores for cpu, bytes for memory. Decisions elsewhere work in fixed units, so this is the
// one place that reads the suffixes.
import { InvalidInputError } from '../errors.ts';

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

const SUFFIX: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

/** The quantity in base units. Throws InvalidInputError naming the text when it is not a quantity. */
export function parseQuantity(text: string | number): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text)) return text;
    throw new InvalidInputError(`invalid quantity ${text}: not a finite number`);
  }
  const match = typeof text === 'string' ? QUANTITY.exec(text.trim()) : null;
  if (!match) {
    throw new InvalidInputError(
      `invalid quantity ${JSON.stringify(text)}: expected a number with an optional suffix such as 500m, 2, 1.5, 100M or 1Gi`,
    );
  }
  const [, digits, suffix, exponent] = match;
  const base = Number(digits);
  if (suffix) return roundBinaryNoise(base * SUFFIX[suffix]!);
  if (exponent) return base * 10 ** Number(exponent);
  return base;
}

/** True when `text` parses as a quantity. */
export function isQuantity(text: unknown): boolean {
  if (typeof text === 'number') return Number.isFinite(text);
  return typeof text === 'string' && QUANTITY.test(text.trim());
}

// 0.1 * 1e-3 and friends pick up float noise; quantities never need more than 12 significant digits.
function roundBinaryNoise(value: number): number {
  return Number(value.toPrecision(12));
}
