// Names nodewright shares with Karpenter, EKS and itself: tags, labels, taints. One name, one place.

import type { Taint } from './types.ts';

/** Tag on a replacement instance naming the instance it replaces: how every step finds it again. */
export const REPLACES_TAG = 'nodewright.io/replaces';
/** Tag naming the NodePool an instance was launched for (Karpenter's own key). */
export const NODEPOOL_TAG = 'karpenter.sh/nodepool';
export const NODECLASS_TAG = 'karpenter.k8s.aws/ec2nodeclass';
export const CLUSTER_NAME_TAG = 'eks:eks-cluster-name';

export const NODEPOOL_LABEL = 'karpenter.sh/nodepool';

/**
 * Extended resources of accelerators, as Karpenter's AWS provider advertises them on its nodes:
 * NVIDIA and AMD GPUs, AWS Neuron devices (Inferentia, Trainium), Habana Gaudi. A pod asking for
 * one kind runs only where that kind is: NVIDIA GPUs never on Inferentia.
 */
export const ACCELERATOR_RESOURCES: readonly string[] = ['nvidia.com/gpu', 'amd.com/gpu', 'aws.amazon.com/neuron', 'habana.ai/gaudi'];
/** The kind a pod's accelerator count means when the request does not name it. */
export const DEFAULT_ACCELERATOR_RESOURCE = 'nvidia.com/gpu';

/** The taint Karpenter puts on a node it is disrupting; workloads already tolerate or expect it. */
export const DISRUPTED_TAINT: Taint = { key: 'karpenter.sh/disrupted', effect: 'NoSchedule' };

/** The pool a node without a `karpenter.sh/nodepool` label is replaced from. */
export const DEFAULT_NODEPOOL = 'general-purpose';

/** How long a replacement may take to become a Ready node before the workflow stops waiting. */
export const REPLACEMENT_READY_TIMEOUT_MS = 10 * 60_000;

/** How long an offering refused for capacity is left out of plans (Karpenter uses 3 minutes). */
export const UNAVAILABLE_OFFERING_TTL_MS = 3 * 60_000;
