// Schema pieces both kinds share: Kubernetes names, string maps, taints, and the marker for
// Karpenter fields nodewright knowingly does not implement (refused, never silently dropped).
import { z } from 'zod';
import { labelKeySyntaxProblem, labelValueProblem } from './label-rules.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** metadata: only the name matters; the rest of ObjectMeta (labels, uid, ...) is accepted as is. */
export const objectMeta = z.looseObject({
  name: z
    .string()
    .min(1)
    .max(253)
    .regex(DNS_SUBDOMAIN, { message: 'must be a DNS subdomain name (lowercase letters, digits, "-" and ".")' }),
});

/** A Karpenter field nodewright does not implement: present means a problem naming why. */
export function unsupported(why: string) {
  return z
    .unknown()
    .superRefine((_value, ctx) => {
      ctx.addIssue({ code: 'custom', message: `not supported by nodewright: ${why}` });
    })
    .optional();
}

export const taintSchema = z
  .strictObject({
    key: z.string().min(1),
    value: z.string().optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
    // Written by the API server on NoExecute taints of live objects; harmless in a spec.
    timeAdded: z.string().optional(),
  })
  .superRefine((taint, ctx) => {
    const keyProblem = labelKeySyntaxProblem(taint.key);
    if (keyProblem) ctx.addIssue({ code: 'custom', path: ['key'], message: keyProblem.replace('label key', 'taint key') });
    if (taint.value !== undefined) {
      const valueProblem = labelValueProblem(taint.value);
      if (valueProblem) ctx.addIssue({ code: 'custom', path: ['value'], message: valueProblem.replace('label value', 'taint value') });
    }
  });

/** A map of tag or label strings; values must be strings as Kubernetes requires. */
export const stringMap = z.record(z.string(), z.string());

/** Quantities may be written as numbers (`cpu: 1000`) or strings (`memory: 1000Gi`); kept as strings. */
export const quantityValue = z.union([z.string(), z.number()], { error: 'must be a quantity such as 2, 500m or 1Gi' });
