// Kubernetes resource quantities ("500m", "1Gi", "2", "100M", "1e3"): the one parser every layer
// uses (pods, NodePool limits, kubelet reservations, volume sizes, scenarios). Conversions to the
// domain model's fixed units are exact (BigInt) and round up, as the API machinery's
// MilliValue()/Value() do, so "0.1" CPU is 100 millicores and never 101 through float error.

import { InvalidInputError } from './errors.ts';

const QUANTITY_PATTERN = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?\d+))?$/;

const BINARY_EXPONENT: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** value = sign * digits * 10^exp10 * 2^exp2, exactly. */
interface ParsedQuantity {
  negative: boolean;
  digits: bigint;
  exp10: number;
  exp2: number;
}

function parse(quantity: string | number, field: string): ParsedQuantity {
  const text = typeof quantity === 'number' ? String(quantity) : quantity.trim();
  const match = QUANTITY_PATTERN.exec(text);
  if (!match) {
    throw new InvalidInputError(`${field}: ${JSON.stringify(quantity)} is not a Kubernetes quantity`);
  }
  const [, sign, number = '', binarySuffix, decimalSuffix, exponent] = match;
  const [whole = '', fraction = ''] = number.split('.');
  let exp10 = -fraction.length;
  let exp2 = 0;
  if (binarySuffix) exp2 = BINARY_EXPONENT[binarySuffix] ?? 0;
  else if (decimalSuffix) exp10 += DECIMAL_EXPONENT[decimalSuffix] ?? 0;
  else if (exponent) exp10 += Number(exponent);
  return { negative: sign === '-', digits: BigInt(`${whole}${fraction}` || '0'), exp10, exp2 };
}

/** ceil(quantity * scale) as a non-negative safe integer. */
function toUnits(quantity: string | number, scale: bigint, field: string): number {
  const q = parse(quantity, field);
  if (q.negative && q.digits !== 0n) {
    throw new InvalidInputError(`${field}: ${JSON.stringify(quantity)} is negative`);
  }
  let numerator = q.digits * scale * 2n ** BigInt(q.exp2);
  let denominator = 1n;
  if (q.exp10 >= 0) numerator *= 10n ** BigInt(q.exp10);
  else denominator = 10n ** BigInt(-q.exp10);
  const units = (numerator + denominator - 1n) / denominator;
  if (units > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidInputError(`${field}: ${JSON.stringify(quantity)} is too large`);
  }
  return Number(units);
}

/** CPU in millicores: "500m" -> 500, "2" -> 2000, "0.1" -> 100. */
export function parseCpuMillis(quantity: string | number, field = 'cpu'): number {
  return toUnits(quantity, 1000n, field);
}

/** Memory or storage in bytes: "1Gi" -> 1073741824, "100M" -> 100000000. */
export function parseBytes(quantity: string | number, field = 'memory'): number {
  return toUnits(quantity, 1n, field);
}

/** A countable resource (pods, GPUs), rounded up to a whole number. */
export function parseCount(quantity: string | number, field = 'count'): number {
  return toUnits(quantity, 1n, field);
}

/**
 * The quantity in base units (cores, bytes) as a float, for limits and sizes that are compared,
 * not counted. Throws InvalidInputError naming the text when it is not a quantity.
 */
export function parseQuantity(quantity: string | number, field?: string): number {
  const where = field ? `${field}: ` : '';
  if (typeof quantity === 'number') {
    if (Number.isFinite(quantity)) return quantity;
    throw new InvalidInputError(`${where}invalid quantity ${quantity}: not a finite number`);
  }
  if (!QUANTITY_PATTERN.test(quantity.trim())) {
    throw new InvalidInputError(
      `${where}invalid quantity ${JSON.stringify(quantity)}: expected a number with an optional suffix such as 500m, 2, 1.5, 100M or 1Gi`,
    );
  }
  const q = parse(quantity, field ?? 'quantity');
  const value = Number(q.digits) * 10 ** q.exp10 * 2 ** q.exp2;
  // Float noise (0.1 * 1e-3 and friends); quantities never need more than 12 significant digits.
  return (q.negative ? -1 : 1) * Number(value.toPrecision(12));
}

/** True when `text` parses as a quantity. */
export function isQuantity(text: unknown): boolean {
  if (typeof text === 'number') return Number.isFinite(text);
  return typeof text === 'string' && QUANTITY_PATTERN.test(text.trim());
}
