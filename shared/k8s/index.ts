// The Kubernetes adapter: ClusterPort on @kubernetes/client-node, authenticated with an EKS token.
export { KubernetesCluster, cordonPatch, DEFAULT_PAGE_SIZE, FIELD_MANAGER, type KubernetesClusterOptions } from './cluster.ts';
export { kubeConfigFor, makeApiClient, DEFAULT_REQUEST_TIMEOUT_MS, type TokenSource } from './kubeconfig.ts';
export {
  EksTokenSource,
  createEksToken,
  stsHostname,
  EKS_TOKEN_PREFIX,
  CLUSTER_ID_HEADER,
  PRESIGN_EXPIRES_SECONDS,
  TOKEN_VALIDITY_MS,
  REFRESH_MARGIN_MS,
  type EksToken,
  type EksTokenRequest,
  type EksTokenSourceOptions,
} from './eks-token.ts';
export { toClusterNode, toPod, toPodDisruptionBudget, effectiveRequests, requiredNodeAffinity, type PodResourceSpec } from './convert.ts';
export { parseCpuMillis, parseBytes, parseCount } from '../quantity.ts';
export { isTransient, translateError, httpStatusOf, statusMessageOf } from './api-errors.ts';
