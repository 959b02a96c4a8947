// Kubernetes resource quantities ("500m", "1.5", "100Mi", "2G", "1e3") to plain numbers,
// for the kubelet reservations written in EC2NodeClass YAML.
import { InvalidInputError } from '../errors.ts';

const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/;

/** The quantity in base units; `field` names it in the error when it does not parse. */
export function parseQuantity(value: string, field: string): number {
  const match = QUANTITY.exec(value.trim());
  if (!match) throw new InvalidInputError(`${field}: "${value}" is not a Kubernetes quantity`);
  return Number(match[1]) * SUFFIX[match[2] ?? '']!;
}

export function parseCpuMillis(value: string, field: string): number {
  return Math.round(parseQuantity(value, field) * 1000);
}

export function parseBytes(value: string, field: string): number {
  return Math.ceil(parseQuantity(value, field));
}
