// The shape of the workload manifests nodewright reads, checked before any conversion: only the
// fields that scheduling depends on are checked, everything else (images, probes, volumes, ...)
// passes untouched. The API server would refuse most of what is refused here; catching it in the
// file means a typo never turns silently into "this pod asks for nothing".
import { z } from 'zod';
import { parseBytes } from '../quantity.ts';

/** The message of every problem found by these schemas starts like this (see problems.ts). */
export const EXPECTED = 'expected';

const text = z.string({ error: `${EXPECTED} a string` });
const nonEmptyText = text.min(1, { error: `${EXPECTED} a non-empty string` });
/** Label values, selectors and node selectors are strings in the API: `version: 1` is refused there too. */
const stringMap = z.record(z.string(), z.string({ error: `${EXPECTED} a string (put the value in quotes)` }), {
  error: `${EXPECTED} a mapping of strings`,
});
const count = z
  .int({ error: `${EXPECTED} a non-negative integer` })
  .min(0, { error: `${EXPECTED} a non-negative integer` });

function isQuantity(value: string | number): boolean {
  try {
    parseBytes(value);
    return true;
  } catch {
    return false;
  }
}

const quantity = z
  .union([z.string(), z.number()], { error: `${EXPECTED} a Kubernetes quantity such as 500m, 2 or 1Gi` })
  .refine(isQuantity, { error: `${EXPECTED} a non-negative Kubernetes quantity such as 500m, 2 or 1Gi` });
const resourceList = z.record(z.string(), quantity, { error: `${EXPECTED} a mapping of resource names to quantities` });

const container = z.looseObject(
  {
    name: text.optional(),
    resources: z
      .looseObject({ requests: resourceList.optional(), limits: resourceList.optional() }, { error: `${EXPECTED} a mapping` })
      .optional(),
    restartPolicy: z.enum(['Always'], { error: `${EXPECTED} Always (the only restart policy a container may set)` }).optional(),
  },
  { error: `${EXPECTED} a container (a mapping)` },
);

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
const toleration = z.looseObject(
  {
    key: text.optional(),
    operator: z.enum(['Exists', 'Equal'], { error: `${EXPECTED} Exists or Equal` }).optional(),
    value: text.optional(),
    // An empty effect means "every effect", as the API allows.
    effect: z.enum([...TAINT_EFFECTS, ''], { error: `${EXPECTED} one of ${TAINT_EFFECTS.join(', ')}` }).optional(),
    tolerationSeconds: z.int({ error: `${EXPECTED} an integer` }).optional(),
  },
  { error: `${EXPECTED} a toleration (a mapping)` },
);

const labelSelector = z.looseObject(
  {
    matchLabels: stringMap.optional(),
    matchExpressions: z
      .array(z.looseObject({ key: nonEmptyText, operator: nonEmptyText, values: z.array(text).optional() }), {
        error: `${EXPECTED} a list`,
      })
      .optional(),
  },
  { error: `${EXPECTED} a label selector (a mapping)` },
);

const NODE_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'] as const;
const nodeSelectorTerm = z.looseObject(
  {
    matchExpressions: z
      .array(
        z.looseObject({
          key: nonEmptyText,
          operator: z.enum(NODE_SELECTOR_OPERATORS, { error: `${EXPECTED} one of ${NODE_SELECTOR_OPERATORS.join(', ')}` }),
          values: z.array(text, { error: `${EXPECTED} a list of strings` }).optional(),
        }),
        { error: `${EXPECTED} a list` },
      )
      .optional(),
  },
  { error: `${EXPECTED} a node selector term (a mapping)` },
);

const podAffinityTerm = z.looseObject(
  { topologyKey: nonEmptyText, labelSelector: labelSelector.optional() },
  { error: `${EXPECTED} a pod affinity term (a mapping)` },
);
const podAffinity = z
  .looseObject({ requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm, { error: `${EXPECTED} a list` }).optional() })
  .optional();

const affinity = z.looseObject(
  {
    nodeAffinity: z
      .looseObject({
        requiredDuringSchedulingIgnoredDuringExecution: z
          .looseObject({ nodeSelectorTerms: z.array(nodeSelectorTerm, { error: `${EXPECTED} a list` }) })
          .optional(),
      })
      .optional(),
    podAffinity,
    podAntiAffinity: podAffinity,
  },
  { error: `${EXPECTED} a mapping` },
);

const topologySpreadConstraint = z.looseObject(
  {
    topologyKey: nonEmptyText,
    maxSkew: z.int({ error: `${EXPECTED} a positive integer` }).min(1, { error: `${EXPECTED} a positive integer` }),
    whenUnsatisfiable: z
      .enum(['DoNotSchedule', 'ScheduleAnyway'], { error: `${EXPECTED} DoNotSchedule or ScheduleAnyway` })
      .optional(),
    labelSelector: labelSelector.optional(),
  },
  { error: `${EXPECTED} a topology spread constraint (a mapping)` },
);

export const podSpec = z.looseObject(
  {
    containers: z
      .array(container, { error: `${EXPECTED} a list of containers` })
      .min(1, { error: `${EXPECTED} at least one container` }),
    initContainers: z.array(container, { error: `${EXPECTED} a list of containers` }).optional(),
    overhead: resourceList.optional(),
    nodeSelector: stringMap.optional(),
    nodeName: text.optional(),
    tolerations: z.array(toleration, { error: `${EXPECTED} a list` }).optional(),
    affinity: affinity.optional(),
    topologySpreadConstraints: z.array(topologySpreadConstraint, { error: `${EXPECTED} a list` }).optional(),
    priority: z.int({ error: `${EXPECTED} an integer` }).optional(),
    terminationGracePeriodSeconds: count.optional(),
  },
  { error: `${EXPECTED} a pod spec (a mapping)` },
);

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const objectName = nonEmptyText.regex(DNS_SUBDOMAIN, {
  error: `${EXPECTED} a DNS subdomain name (lowercase letters, digits, "-" and ".")`,
});

const metadata = z.looseObject(
  {
    name: objectName,
    namespace: objectName.optional(),
    labels: stringMap.optional(),
    annotations: stringMap.optional(),
  },
  { error: `${EXPECTED} metadata with a name` },
);
const templateMetadata = z
  .looseObject({ labels: stringMap.optional(), annotations: stringMap.optional() }, { error: `${EXPECTED} a mapping` })
  .optional();
const podTemplate = z.looseObject({ metadata: templateMetadata, spec: podSpec }, { error: `${EXPECTED} a pod template (a mapping)` });

export const podManifest = z.looseObject({ metadata, spec: podSpec });
/** Deployment, ReplicaSet and StatefulSet: `replicas` copies of the template (unset or null means 1). */
export const replicatedManifest = z.looseObject({
  metadata,
  spec: z.looseObject({ replicas: count.nullish(), template: podTemplate }, { error: `${EXPECTED} a mapping` }),
});
export const jobManifest = z.looseObject({
  metadata,
  spec: z.looseObject(
    { parallelism: count.nullish(), completions: count.nullish(), template: podTemplate },
    { error: `${EXPECTED} a mapping` },
  ),
});
export const daemonSetManifest = z.looseObject({
  metadata,
  spec: z.looseObject({ template: podTemplate }, { error: `${EXPECTED} a mapping` }),
});

export type PodManifest = z.infer<typeof podManifest>;
export type ReplicatedManifest = z.infer<typeof replicatedManifest>;
export type JobManifest = z.infer<typeof jobManifest>;
export type DaemonSetManifest = z.infer<typeof daemonSetManifest>;
export type PodSpecManifest = z.infer<typeof podSpec>;
