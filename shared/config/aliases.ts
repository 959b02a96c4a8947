// EKS Auto Mode names its instance labels under eks.amazonaws.com/ where Karpenter uses
// karpenter.k8s.aws/ (and karpenter.sh/ for the capacity type). NodePools written for Auto Mode
// load here unchanged; on load every requirement key is rewritten to the Karpenter name, so the
// rest of nodewright knows one name per concept.
// Source: the "EKS Auto Mode Supported Labels" table of the Amazon EKS user guide.

/** Auto Mode label name -> the Karpenter label it means. */
export const AUTO_MODE_LABEL_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  'eks.amazonaws.com/instance-hypervisor': 'karpenter.k8s.aws/instance-hypervisor',
  'eks.amazonaws.com/instance-encryption-in-transit-supported': 'karpenter.k8s.aws/instance-encryption-in-transit-supported',
  'eks.amazonaws.com/instance-category': 'karpenter.k8s.aws/instance-category',
  'eks.amazonaws.com/instance-generation': 'karpenter.k8s.aws/instance-generation',
  'eks.amazonaws.com/instance-family': 'karpenter.k8s.aws/instance-family',
  'eks.amazonaws.com/instance-size': 'karpenter.k8s.aws/instance-size',
  'eks.amazonaws.com/instance-cpu': 'karpenter.k8s.aws/instance-cpu',
  'eks.amazonaws.com/instance-cpu-manufacturer': 'karpenter.k8s.aws/instance-cpu-manufacturer',
  'eks.amazonaws.com/instance-memory': 'karpenter.k8s.aws/instance-memory',
  'eks.amazonaws.com/instance-ebs-bandwidth': 'karpenter.k8s.aws/instance-ebs-bandwidth',
  'eks.amazonaws.com/instance-network-bandwidth': 'karpenter.k8s.aws/instance-network-bandwidth',
  'eks.amazonaws.com/instance-gpu-name': 'karpenter.k8s.aws/instance-gpu-name',
  'eks.amazonaws.com/instance-gpu-manufacturer': 'karpenter.k8s.aws/instance-gpu-manufacturer',
  'eks.amazonaws.com/instance-gpu-count': 'karpenter.k8s.aws/instance-gpu-count',
  'eks.amazonaws.com/instance-gpu-memory': 'karpenter.k8s.aws/instance-gpu-memory',
  'eks.amazonaws.com/instance-local-nvme': 'karpenter.k8s.aws/instance-local-nvme',
  'eks.amazonaws.com/capacity-type': 'karpenter.sh/capacity-type',
});

/**
 * Auto Mode labels with no Karpenter counterpart, accepted and kept as written.
 * `eks.amazonaws.com/compute-type` (value `auto`) marks Auto Mode nodes; a requirement on it
 * becomes a plain node label, as any custom single-valued requirement does in Karpenter.
 */
export const AUTO_MODE_LABELS_WITHOUT_ALIAS: readonly string[] = Object.freeze(['eks.amazonaws.com/compute-type']);

/** The Karpenter name for a label key; keys that are not Auto Mode aliases come back unchanged. */
export function normalizeLabelKey(key: string): string {
  return AUTO_MODE_LABEL_ALIASES[key] ?? key;
}
