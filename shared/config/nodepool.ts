// NodePool (karpenter.sh/v1) manifests -> the domain NodePool, with Karpenter's defaults filled
// and Auto Mode label aliases rewritten to Karpenter's names.
import { z } from 'zod';
import type { DisruptionBudget, NodeClassRef, NodePool, Requirement, Taint } from '../types.ts';
import { normalizeLabelKey } from './aliases.ts';
import { objectMeta, quantityValue, stringMap, taintSchema, unsupported } from './common-schema.ts';
import { cronProblem } from './cron.ts';
import { isDuration } from './duration.ts';
import { labelValueProblem, restrictedLabelProblem } from './label-rules.ts';
import { isQuantity } from './quantity.ts';

export const NODEPOOL_API_VERSION = 'karpenter.sh/v1';
export const DEFAULT_EXPIRE_AFTER = '720h';
export const DEFAULT_CONSOLIDATE_AFTER = '0s';
export const DEFAULT_BUDGET_NODES = '10%';
export const EC2_NODE_CLASS_REF = { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass' } as const;
/** Auto Mode writes its node class reference this way; it means the same thing here. */
const AUTO_MODE_NODE_CLASS_REF = { group: 'eks.amazonaws.com', kind: 'NodeClass' } as const;

export const REQUIREMENT_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt', 'Gte', 'Lte'] as const;
const NUMERIC_OPERATORS = new Set(['Gt', 'Lt', 'Gte', 'Lte']);

/** Values nodewright can act on for well-known keys; a typo here would silently match nothing. */
const KNOWN_VALUES: Record<string, { values: string[]; note?: string }> = {
  'karpenter.sh/capacity-type': { values: ['spot', 'on-demand'], note: 'reserved capacity is not supported by nodewright' },
  'kubernetes.io/arch': { values: ['amd64', 'arm64'] },
};

const DURATION_MESSAGE = 'must be a duration such as 720h, 30m or 1h30m';

const requirementSchema = z
  .strictObject({
    key: z.string().min(1).max(316),
    operator: z.enum(REQUIREMENT_OPERATORS),
    values: z.array(z.string()).optional(),
    minValues: z.number().int().min(1).max(50).optional(),
  })
  .superRefine((req, ctx) => {
    const key = normalizeLabelKey(req.key);
    const keyProblem = restrictedLabelProblem(key, 'requirement');
    if (keyProblem) ctx.addIssue({ code: 'custom', path: ['key'], message: keyProblem });
    const values = req.values ?? [];
    if ((req.operator === 'In' || req.operator === 'NotIn') && values.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${req.operator} needs at least one value` });
    }
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && values.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${req.operator} takes no values` });
    }
    if (NUMERIC_OPERATORS.has(req.operator) && (values.length !== 1 || !/^\d+$/.test(values[0]!))) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${req.operator} needs exactly one value, a whole number such as "4"` });
    }
    if (req.operator === 'In' && req.minValues !== undefined && values.length < req.minValues) {
      ctx.addIssue({ code: 'custom', path: ['minValues'], message: `needs at least ${req.minValues} values in "values" (has ${values.length})` });
    }
    const known = KNOWN_VALUES[key];
    if (known && (req.operator === 'In' || req.operator === 'NotIn')) {
      values.forEach((value, i) => {
        if (!known.values.includes(value)) {
          const note = known.note ? ` (${known.note})` : '';
          ctx.addIssue({ code: 'custom', path: ['values', i], message: `must be one of ${known.values.join(', ')} for ${key}${note}` });
        }
      });
    }
    if (!known && (req.operator === 'In' || req.operator === 'NotIn')) {
      values.forEach((value, i) => {
        const problem = labelValueProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', path: ['values', i], message: problem });
      });
    }
  });

const labelsSchema = stringMap.superRefine((labels, ctx) => {
  for (const [key, value] of Object.entries(labels)) {
    const problem = restrictedLabelProblem(normalizeLabelKey(key), 'label') ?? labelValueProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
  }
});

const nodeClassRefSchema = z
  .strictObject({ group: z.string().min(1), kind: z.string().min(1), name: z.string().min(1) })
  .superRefine((ref, ctx) => {
    const isEc2 = ref.group === EC2_NODE_CLASS_REF.group && ref.kind === EC2_NODE_CLASS_REF.kind;
    const isAutoMode = ref.group === AUTO_MODE_NODE_CLASS_REF.group && ref.kind === AUTO_MODE_NODE_CLASS_REF.kind;
    if (!isEc2 && !isAutoMode) {
      ctx.addIssue({
        code: 'custom',
        path: ['kind'],
        message: `must reference group karpenter.k8s.aws, kind EC2NodeClass (or Auto Mode's eks.amazonaws.com NodeClass); got group "${ref.group}"`,
      });
    }
  });

const budgetSchema = z
  .strictObject({
    nodes: z
      .union([z.string(), z.number().int().min(0)])
      .refine((n) => typeof n === 'number' || /^((100|[0-9]{1,2})%|[0-9]+)$/.test(n), {
        message: 'must be a number of nodes such as "5" or a percentage from 0% to 100% such as "10%"',
      })
      .optional(),
    reasons: z.array(z.enum(['Underutilized', 'Empty', 'Drifted'])).optional(),
    schedule: z
      .string()
      .superRefine((s, ctx) => {
        const problem = cronProblem(s);
        if (problem) ctx.addIssue({ code: 'custom', message: `must be a cron schedule: ${problem}` });
      })
      .optional(),
    duration: z
      .string()
      .regex(/^(([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?$/, { message: 'must be hours and/or minutes such as 8h, 30m or 1h30m' })
      .optional(),
  })
  .superRefine((budget, ctx) => {
    if ((budget.schedule === undefined) !== (budget.duration === undefined)) {
      const missing = budget.schedule === undefined ? 'schedule' : 'duration';
      ctx.addIssue({ code: 'custom', path: [missing], message: "'schedule' and 'duration' must be set together" });
    }
  });

const nodePoolSchema = z.strictObject({
  apiVersion: z.literal(NODEPOOL_API_VERSION),
  kind: z.literal('NodePool'),
  metadata: objectMeta,
  spec: z.strictObject({
    template: z.strictObject({
      metadata: z
        .strictObject({
          labels: labelsSchema.optional(),
          annotations: unsupported('node annotations from the NodePool template'),
        })
        .optional(),
      spec: z.strictObject({
        requirements: z.array(requirementSchema).max(100),
        nodeClassRef: nodeClassRefSchema,
        taints: z.array(taintSchema).optional(),
        startupTaints: z.array(taintSchema).optional(),
        expireAfter: z.string().refine((d) => isDuration(d, true), { message: `${DURATION_MESSAGE}, or Never` }).optional(),
        terminationGracePeriod: z.string().refine((d) => isDuration(d, false), { message: DURATION_MESSAGE }).optional(),
        kubelet: unsupported('kubelet settings moved to the EC2NodeClass (spec.kubelet) in Karpenter v1'),
      }),
    }),
    disruption: z
      .strictObject({
        consolidationPolicy: z.enum(['WhenEmpty', 'WhenEmptyOrUnderutilized']).optional(),
        consolidateAfter: z.string().refine((d) => isDuration(d, true), { message: `${DURATION_MESSAGE}, or Never` }).optional(),
        budgets: z.array(budgetSchema).max(50).optional(),
        expireAfter: unsupported('expireAfter moved to spec.template.spec.expireAfter in Karpenter v1'),
      })
      .optional(),
    limits: z
      .record(z.string(), quantityValue.refine(isQuantity, { message: 'must be a quantity such as 1000, 500m or 1000Gi' }))
      .optional(),
    weight: z.number().int().min(1).max(100).optional(),
  }),
  status: z.unknown().optional(),
});

export type NodePoolManifest = z.infer<typeof nodePoolSchema>;

export function validateNodePool(raw: unknown): ReturnType<typeof nodePoolSchema.safeParse> {
  return nodePoolSchema.safeParse(raw);
}

/** The domain NodePool for a manifest that passed validation. */
export function toNodePool(manifest: NodePoolManifest): NodePool {
  const { spec } = manifest;
  const template = spec.template.spec;
  const pool: NodePool = {
    name: manifest.metadata.name,
    // Karpenter orders a NodePool without weight as weight 0, below every weighted one.
    weight: spec.weight ?? 0,
    labels: normalizeKeys(spec.template.metadata?.labels ?? {}),
    taints: (template.taints ?? []).map(toTaint),
    startupTaints: (template.startupTaints ?? []).map(toTaint),
    requirements: template.requirements.map(toRequirement),
    nodeClassRef: toNodeClassRef(template.nodeClassRef),
    limits: Object.fromEntries(Object.entries(spec.limits ?? {}).map(([k, v]) => [k, String(v)])),
    disruption: {
      consolidationPolicy: spec.disruption?.consolidationPolicy ?? 'WhenEmptyOrUnderutilized',
      consolidateAfter: spec.disruption?.consolidateAfter ?? DEFAULT_CONSOLIDATE_AFTER,
      budgets: (spec.disruption?.budgets ?? [{ nodes: DEFAULT_BUDGET_NODES }]).map(toBudget),
    },
    expireAfter: template.expireAfter ?? DEFAULT_EXPIRE_AFTER,
  };
  if (template.terminationGracePeriod !== undefined) pool.terminationGracePeriod = template.terminationGracePeriod;
  return pool;
}

function toRequirement(req: NodePoolManifest['spec']['template']['spec']['requirements'][number]): Requirement {
  const out: Requirement = { key: normalizeLabelKey(req.key), operator: req.operator };
  if (req.values !== undefined && req.values.length > 0) out.values = [...req.values];
  if (req.minValues !== undefined) out.minValues = req.minValues;
  return out;
}

function toTaint(taint: z.infer<typeof taintSchema>): Taint {
  return taint.value === undefined ? { key: taint.key, effect: taint.effect } : { key: taint.key, value: taint.value, effect: taint.effect };
}

function toNodeClassRef(ref: z.infer<typeof nodeClassRefSchema>): NodeClassRef {
  return { group: EC2_NODE_CLASS_REF.group, kind: EC2_NODE_CLASS_REF.kind, name: ref.name };
}

function toBudget(budget: z.infer<typeof budgetSchema>): DisruptionBudget {
  const out: DisruptionBudget = { nodes: budget.nodes === undefined ? DEFAULT_BUDGET_NODES : String(budget.nodes) };
  if (budget.reasons !== undefined) out.reasons = [...budget.reasons];
  if (budget.schedule !== undefined) out.schedule = budget.schedule;
  if (budget.duration !== undefined) out.duration = budget.duration;
  return out;
}

function normalizeKeys(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [normalizeLabelKey(k), v]));
}
