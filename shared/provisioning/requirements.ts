// Node selector semantics: requirements against a node's labels, as Kubernetes and Karpenter
// evaluate them, with the EKS Auto Mode (eks.amazonaws.com/*) and deprecated beta label names
// accepted as aliases of the keys nodewright's labels use; plus pod/taint compatibility.
import { InvalidInputError } from '../errors.ts';
import type { Pod, Requirement, Taint, Toleration } from '../types.ts';
import { LABEL } from './labels.ts';

const FIXED_ALIASES: Record<string, string> = {
  'eks.amazonaws.com/capacity-type': LABEL.capacityType,
  'eks.amazonaws.com/nodepool': LABEL.nodePool,
  'beta.kubernetes.io/arch': LABEL.arch,
  'beta.kubernetes.io/os': LABEL.os,
  'beta.kubernetes.io/instance-type': LABEL.instanceType,
  'failure-domain.beta.kubernetes.io/zone': LABEL.zone,
  'failure-domain.beta.kubernetes.io/region': LABEL.region,
};
const AUTO_MODE_INSTANCE_PREFIX = 'eks.amazonaws.com/instance-';
const KARPENTER_INSTANCE_PREFIX = 'karpenter.k8s.aws/instance-';

const ALIASES_OF = new Map<string, string[]>();
for (const [alias, canonical] of Object.entries(FIXED_ALIASES)) {
  ALIASES_OF.set(canonical, [...(ALIASES_OF.get(canonical) ?? []), alias]);
}

/** The key nodewright's labels use for a label name that may be an Auto Mode or beta alias. */
/** A label selector given as matchLabels: every pair must be present. An empty selector selects everything. */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const key in selector) if (labels[key] !== selector[key]) return false;
  return true;
}

export function canonicalLabelKey(key: string): string {
  if (key.startsWith(AUTO_MODE_INSTANCE_PREFIX)) {
    return KARPENTER_INSTANCE_PREFIX + key.slice(AUTO_MODE_INSTANCE_PREFIX.length);
  }
  return FIXED_ALIASES[key] ?? key;
}

function aliasesOf(canonical: string): string[] {
  if (canonical.startsWith(KARPENTER_INSTANCE_PREFIX)) {
    return [AUTO_MODE_INSTANCE_PREFIX + canonical.slice(KARPENTER_INSTANCE_PREFIX.length)];
  }
  return ALIASES_OF.get(canonical) ?? [];
}

/** Every name the label may be found under, the given one first. */
function lookupKeys(key: string): string[] {
  const canonical = canonicalLabelKey(key);
  return [...new Set([key, canonical, ...aliasesOf(canonical)])];
}

/** The label's value under its own name or any alias of it; undefined when the node lacks it. */
export function labelValue(labels: Record<string, string>, key: string): string | undefined {
  for (const name of lookupKeys(key)) {
    const value = labels[name];
    if (value !== undefined) return value;
  }
  return undefined;
}

const INTEGER = /^-?\d+$/;

function describe(req: Requirement): string {
  return `requirement ${req.key} ${req.operator}${req.values?.length ? ` [${req.values.join(', ')}]` : ''}`;
}

/** Throws InvalidInputError naming the key, operator and values when a requirement cannot be evaluated. */
export function validateRequirement(req: Requirement): void {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) throw new InvalidInputError(`${describe(req)}: operator ${req.operator} needs at least one value`);
      break;
    case 'Exists':
    case 'DoesNotExist':
      break;
    case 'Gt':
    case 'Lt':
    case 'Gte':
    case 'Lte':
      if (values.length !== 1 || !INTEGER.test(values[0]!)) {
        throw new InvalidInputError(`${describe(req)}: operator ${req.operator} needs exactly one integer value`);
      }
      break;
    default:
      throw new InvalidInputError(`${describe(req)}: unknown operator "${String(req.operator)}"`);
  }
  if (req.minValues !== undefined && (!Number.isInteger(req.minValues) || req.minValues < 1)) {
    throw new InvalidInputError(`${describe(req)}: minValues must be a positive integer, got ${req.minValues}`);
  }
}

export type LabelPredicate = (labels: Record<string, string>) => boolean;

/** Validates once and resolves aliases once: the form hot loops should use. */
export function compileRequirement(req: Requirement): LabelPredicate {
  validateRequirement(req);
  const keys = lookupKeys(req.key);
  const read = (labels: Record<string, string>): string | undefined => {
    for (const name of keys) {
      const value = labels[name];
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const values = new Set(req.values ?? []);
  switch (req.operator) {
    case 'In':
      return (labels) => {
        const value = read(labels);
        return value !== undefined && values.has(value);
      };
    case 'NotIn':
      return (labels) => {
        const value = read(labels);
        return value === undefined || !values.has(value);
      };
    case 'Exists':
      return (labels) => read(labels) !== undefined;
    case 'DoesNotExist':
      return (labels) => read(labels) === undefined;
    default: {
      const bound = Number(req.values![0]);
      const compare =
        req.operator === 'Gt' ? (n: number) => n > bound
        : req.operator === 'Lt' ? (n: number) => n < bound
        : req.operator === 'Gte' ? (n: number) => n >= bound
        : (n: number) => n <= bound;
      // Numeric comparisons: a label that is absent or not an integer never matches.
      return (labels) => {
        const value = read(labels);
        return value !== undefined && INTEGER.test(value) && compare(Number(value));
      };
    }
  }
}

/** An AND of requirements; an empty list matches everything. */
export function compileRequirements(reqs: Requirement[]): LabelPredicate {
  const predicates = reqs.map(compileRequirement);
  return (labels) => predicates.every((p) => p(labels));
}

export function requirementMatches(req: Requirement, labels: Record<string, string>): boolean {
  return compileRequirement(req)(labels);
}

/** True when the labels satisfy every requirement (an AND); an empty list matches everything. */
export function requirementsMatch(reqs: Requirement[], labels: Record<string, string>): boolean {
  return compileRequirements(reqs)(labels);
}

/** nodeSelector (every pair) and required node affinity (any term, each term an AND; an empty term matches nothing). */
export function compilePodConstraints(pod: Pick<Pod, 'nodeSelector' | 'requiredNodeAffinity'>): LabelPredicate {
  const selector = compileRequirements(
    Object.entries(pod.nodeSelector).map(([key, value]) => ({ key, operator: 'In' as const, values: [value] })),
  );
  if (pod.requiredNodeAffinity.length === 0) return selector;
  const terms = pod.requiredNodeAffinity.map((term) => (term.length === 0 ? () => false : compileRequirements(term)));
  return (labels) => selector(labels) && terms.some((term) => term(labels));
}

export function podFitsLabels(pod: Pod, labels: Record<string, string>): boolean {
  return compilePodConstraints(pod)(labels);
}

export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  const operator = toleration.operator ?? 'Equal';
  if (operator === 'Exists') return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

/** The first NoSchedule/NoExecute taint no toleration covers; PreferNoSchedule never blocks. */
export function untoleratedTaint(tolerations: Toleration[], taints: Taint[]): Taint | undefined {
  return taints.find(
    (taint) => taint.effect !== 'PreferNoSchedule' && !tolerations.some((t) => tolerates(t, taint)),
  );
}

export function toleratesAll(tolerations: Toleration[], taints: Taint[]): boolean {
  return untoleratedTaint(tolerations, taints) === undefined;
}
