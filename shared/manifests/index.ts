// Public face of the workload manifests: Kubernetes YAML in, the pods it would run out.
export {
  loadWorkloads, DEFAULT_NAMESPACE, WORKLOAD_API_VERSIONS,
  type Workloads, type WorkloadSummary, type SkippedManifest,
} from './workloads.ts';
