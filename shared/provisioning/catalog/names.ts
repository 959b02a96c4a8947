// Reads category, family, generation and size out of an EC2 instance type name, the way
// Karpenter's AWS provider does: the family is everything before the dot, the category the
// leading letters, the generation the first number after them (skipping a "-6tb" memory tag).
import { InvalidInputError } from '../../errors.ts';

export interface InstanceTypeName {
  category: string;
  family: string;
  generation: number;
  size: string;
}

// "u-6tb1" -> u / 1, "mac2-m2pro" -> mac / 2, "trn1n" -> trn / 1, "p4de" -> p / 4.
const FAMILY_PATTERN = /^([a-z]+)(?:-[0-9]+tb)?([0-9]+)/;

export function parseInstanceTypeName(name: string): InstanceTypeName {
  const parts = name.split('.');
  const family = parts[0];
  const size = parts[1];
  if (parts.length !== 2 || !family || !size) {
    throw new InvalidInputError(`instance type "${name}" is not of the form <family>.<size>`);
  }
  const match = FAMILY_PATTERN.exec(family);
  if (!match || match[1] === undefined || match[2] === undefined) {
    throw new InvalidInputError(`instance type "${name}": cannot read a category and generation from family "${family}"`);
  }
  return { category: match[1], family, generation: Number(match[2]), size };
}
