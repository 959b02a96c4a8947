// Which label keys a NodePool may set or require, after Karpenter's v1 rules: the Kubernetes and
// Karpenter domains are reserved except for their well-known labels, and instance facts
// (karpenter.k8s.aws/*) can be required but never set by hand.
import { AUTO_MODE_LABEL_ALIASES, AUTO_MODE_LABELS_WITHOUT_ALIAS } from './aliases.ts';

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Labels in reserved domains that Karpenter still lets NodePools use. */
const WELL_KNOWN_KUBERNETES_LABELS = new Set([
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'kubernetes.io/arch',
  'kubernetes.io/os',
  'node.kubernetes.io/instance-type',
  'node.kubernetes.io/windows-build',
  'beta.kubernetes.io/instance-type',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
]);

/** Instance facts Karpenter's AWS provider knows; other karpenter.k8s.aws keys are typos. */
export const WELL_KNOWN_INSTANCE_LABELS: ReadonlySet<string> = new Set([
  'karpenter.k8s.aws/instance-hypervisor',
  'karpenter.k8s.aws/instance-encryption-in-transit-supported',
  'karpenter.k8s.aws/instance-category',
  'karpenter.k8s.aws/instance-family',
  'karpenter.k8s.aws/instance-generation',
  'karpenter.k8s.aws/instance-local-nvme',
  'karpenter.k8s.aws/instance-size',
  'karpenter.k8s.aws/instance-cpu',
  'karpenter.k8s.aws/instance-cpu-manufacturer',
  'karpenter.k8s.aws/instance-cpu-sustained-clock-speed-mhz',
  'karpenter.k8s.aws/instance-memory',
  'karpenter.k8s.aws/instance-ebs-bandwidth',
  'karpenter.k8s.aws/instance-network-bandwidth',
  'karpenter.k8s.aws/instance-gpu-name',
  'karpenter.k8s.aws/instance-gpu-manufacturer',
  'karpenter.k8s.aws/instance-gpu-count',
  'karpenter.k8s.aws/instance-gpu-memory',
  'karpenter.k8s.aws/instance-accelerator-name',
  'karpenter.k8s.aws/instance-accelerator-manufacturer',
  'karpenter.k8s.aws/instance-accelerator-count',
  'karpenter.k8s.aws/instance-tenancy',
  'topology.k8s.aws/zone-id',
]);

/** Why `key` is not a syntactically valid label key, or undefined when it is. */
export function labelKeySyntaxProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return 'label key prefix must be a DNS subdomain (lowercase letters, digits, "-" and ".")';
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return 'label key name must be 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return 'label value must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  }
  return undefined;
}

/**
 * Why a NodePool may not use `key` (already normalized from Auto Mode aliases), or undefined.
 * `use` is 'label' for spec.template.metadata.labels and 'requirement' for requirement keys.
 */
export function restrictedLabelProblem(key: string, use: 'label' | 'requirement'): string | undefined {
  const syntax = labelKeySyntaxProblem(key);
  if (syntax) return syntax;
  if (key === 'karpenter.sh/nodepool') return 'label "karpenter.sh/nodepool" is restricted: nodewright sets it to the NodePool name';
  if (key === 'kubernetes.io/hostname') return 'label "kubernetes.io/hostname" is restricted';
  const domain = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
  if (WELL_KNOWN_KUBERNETES_LABELS.has(key)) return undefined;
  if (domain.endsWith('kubernetes.io')) {
    if (domain.endsWith('node.kubernetes.io') || domain.endsWith('node-restriction.kubernetes.io')) return undefined;
    return 'label domain "kubernetes.io" is restricted';
  }
  if (domain.endsWith('k8s.io') && !domain.endsWith('kops.k8s.io')) return 'label domain "k8s.io" is restricted';
  if (domain.endsWith('karpenter.sh')) {
    if (key === 'karpenter.sh/capacity-type') return undefined;
    return 'label domain "karpenter.sh" is restricted (only karpenter.sh/capacity-type may be used)';
  }
  if (domain.endsWith('karpenter.k8s.aws') || key === 'topology.k8s.aws/zone-id') {
    if (use === 'label') return `label domain "${domain}" is restricted: it describes the instance, require it instead`;
    if (!WELL_KNOWN_INSTANCE_LABELS.has(key)) return `unknown instance label "${key}"`;
    return undefined;
  }
  if (domain === 'eks.amazonaws.com' && !AUTO_MODE_LABELS_WITHOUT_ALIAS.includes(key)) {
    const known = [...Object.keys(AUTO_MODE_LABEL_ALIASES), ...AUTO_MODE_LABELS_WITHOUT_ALIAS].join(', ');
    return `unknown EKS Auto Mode label "${key}" (known: ${known})`;
  }
  return undefined;
}
