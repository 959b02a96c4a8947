// ClusterPort on the real Kubernetes API (@kubernetes/client-node 1.x). Each method keeps the
// port's contract about things already gone (404 is an answer, not a failure) and turns
// throttling, 5xx and dropped connections into TransientError so workflows retry them.

import {
  CoreV1Api,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
  type KubeConfig,
  type V1Node,
  type V1Taint,
} from '@kubernetes/client-node';
import { InvalidInputError, TransientError } from '../errors.ts';
import type { ClusterPort } from '../ports.ts';
import type { ClusterInfo, ClusterNode, Pod, PodDisruptionBudget, Taint } from '../types.ts';
import { httpStatusOf, statusMessageOf, translateError } from './api-errors.ts';
import { toClusterNode, toPod, toPodDisruptionBudget } from './convert.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS, kubeConfigFor, makeApiClient, type TokenSource } from './kubeconfig.ts';

/** Items per list page: small enough for a Lambda's memory, large enough for few round trips. */
export const DEFAULT_PAGE_SIZE = 500;
/** Recorded on patches so `kubectl get node --show-managed-fields` names who changed what. */
export const FIELD_MANAGER = 'nodewright';

const INSTANCE_ID_PATTERN = /^i-[0-9a-f]{8,17}$/;

// The eviction subresource answers 500 (not 429) for a pod covered by several PDBs; no retry
// soon will help, but it is the budgets that refuse, so the drain treats it as blocked.
const MISCONFIGURED_PDB_MESSAGE = /more than one PodDisruptionBudget|misconfigured/i;

export interface KubernetesClusterOptions {
  pageSize?: number;
  requestTimeoutMs?: number;
  /** Receives what the conversion could not express (ignored selector expressions and the like). */
  onConversionNotes?: (notes: string[]) => void;
}

interface ListPage<T> {
  items: T[];
  metadata?: { _continue?: string };
}

export class KubernetesCluster implements ClusterPort {
  private readonly core: CoreV1Api;
  private readonly policy: PolicyV1Api;
  private readonly pageSize: number;
  private readonly onConversionNotes: ((notes: string[]) => void) | undefined;

  constructor(kubeConfig: KubeConfig, options: KubernetesClusterOptions = {}) {
    const timeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.core = makeApiClient(kubeConfig, CoreV1Api, timeout);
    this.policy = makeApiClient(kubeConfig, PolicyV1Api, timeout);
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) {
      throw new InvalidInputError(`pageSize: ${String(options.pageSize)} is not a positive integer`);
    }
    this.onConversionNotes = options.onConversionNotes;
  }

  /** The adapter for an EKS cluster as DescribeCluster describes it, authenticated by `token`. */
  static forCluster(cluster: ClusterInfo, token: TokenSource, options?: KubernetesClusterOptions): KubernetesCluster {
    return new KubernetesCluster(kubeConfigFor(cluster, token), options);
  }

  async findNodeByInstanceId(instanceId: string): Promise<ClusterNode | undefined> {
    if (!INSTANCE_ID_PATTERN.test(instanceId)) {
      throw new InvalidInputError(`instanceId: "${instanceId}" is not an EC2 instance id`);
    }
    // spec.providerID is not a supported field selector for nodes, so the list is scanned.
    const suffix = `/${instanceId}`;
    const found = await this.scan(
      'list nodes',
      (_continue) => this.core.listNode({ limit: this.pageSize, _continue }),
      (node: V1Node) => node.spec?.providerID?.endsWith(suffix) === true,
    );
    return found && toClusterNode(found);
  }

  async getNode(name: string): Promise<ClusterNode | undefined> {
    const node = await this.readNode(name);
    return node && toClusterNode(node);
  }

  async listNodes(): Promise<ClusterNode[]> {
    const nodes = await this.listAll('list nodes', (_continue) =>
      this.core.listNode({ limit: this.pageSize, _continue }),
    );
    return nodes.map(toClusterNode);
  }

  async cordonNode(name: string, taint: Taint): Promise<boolean> {
    // The patch carries the resourceVersion it was computed from, so a concurrent change to the
    // taints (by Karpenter, the node lifecycle controller...) is refused with 409 instead of
    // being overwritten; one re-read and retry settles the usual race.
    for (let attempt = 1; ; attempt++) {
      const node = await this.readNode(name);
      if (!node) return false;
      const patch = cordonPatch(node, taint);
      if (!patch) return true;
      try {
        await this.core.patchNode(
          { name, body: patch, fieldManager: FIELD_MANAGER },
          setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
        );
        return true;
      } catch (error) {
        const status = httpStatusOf(error);
        if (status === 404) return false;
        if (status === 409 && attempt < 2) continue;
        if (status === 409) {
          throw new TransientError(`cordon node ${name}: the node kept changing under the patch (409 twice)`, {
            cause: error,
          });
        }
        throw translateError(error, `patch node ${name}`);
      }
    }
  }

  async listPodsOnNode(name: string): Promise<Pod[]> {
    const fieldSelector = `spec.nodeName=${name}`;
    const pods = await this.listAll(`list pods on node ${name}`, (_continue) =>
      this.core.listPodForAllNamespaces({ fieldSelector, limit: this.pageSize, _continue }),
    );
    return this.converted((notes) => pods.map((pod) => toPod(pod, notes)));
  }

  async listPodsMatching(namespace: string, selector: Record<string, string>): Promise<Pod[]> {
    const labelSelector = Object.entries(selector).map(([key, value]) => `${key}=${value}`).join(',');
    const pods = await this.listAll(`list pods in ${namespace} matching ${labelSelector || 'everything'}`, (_continue) =>
      this.core.listNamespacedPod({ namespace, labelSelector, limit: this.pageSize, _continue }),
    );
    return this.converted((notes) => pods.map((pod) => toPod(pod, notes)));
  }

  async listScheduledPods(): Promise<Pod[]> {
    // One paginated list, filtered by the API server: what runs on nodes now.
    const fieldSelector = 'spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed';
    const pods = await this.listAll('list scheduled pods', (_continue) =>
      this.core.listPodForAllNamespaces({ fieldSelector, limit: this.pageSize, _continue }),
    );
    return this.converted((notes) => pods.map((pod) => toPod(pod, notes)));
  }

  async listPodDisruptionBudgets(): Promise<PodDisruptionBudget[]> {
    const budgets = await this.listAll('list PodDisruptionBudgets', (_continue) =>
      this.policy.listPodDisruptionBudgetForAllNamespaces({ limit: this.pageSize, _continue }),
    );
    return this.converted((notes) => budgets.map((pdb) => toPodDisruptionBudget(pdb, notes)));
  }

  async evictPod(namespace: string, name: string): Promise<'evicted' | 'blocked' | 'gone'> {
    try {
      await this.core.createNamespacedPodEviction({
        name,
        namespace,
        body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } },
      });
      return 'evicted';
    } catch (error) {
      const status = httpStatusOf(error);
      if (status === 429) return 'blocked';
      if (status === 404) return 'gone';
      if (status === 500 && MISCONFIGURED_PDB_MESSAGE.test(statusMessageOf(error))) return 'blocked';
      throw translateError(error, `evict pod ${namespace}/${name}`);
    }
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    try {
      await this.core.deleteNamespacedPod({ name, namespace });
    } catch (error) {
      if (httpStatusOf(error) === 404) return;
      throw translateError(error, `delete pod ${namespace}/${name}`);
    }
  }

  async deleteNode(name: string): Promise<void> {
    try {
      await this.core.deleteNode({ name });
    } catch (error) {
      if (httpStatusOf(error) === 404) return;
      throw translateError(error, `delete node ${name}`);
    }
  }

  // ---------------------------------------------------------------- helpers

  private async readNode(name: string): Promise<V1Node | undefined> {
    try {
      return await this.core.readNode({ name });
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw translateError(error, `read node ${name}`);
    }
  }

  private async listAll<T>(operation: string, page: (token: string | undefined) => Promise<ListPage<T>>): Promise<T[]> {
    const all: T[] = [];
    await this.scan(operation, page, (item) => {
      all.push(item);
      return false;
    });
    return all;
  }

  /** Walks the pages until `stop` picks an item; the item, or undefined once the list is exhausted. */
  private async scan<T>(
    operation: string,
    page: (token: string | undefined) => Promise<ListPage<T>>,
    stop: (item: T) => boolean,
  ): Promise<T | undefined> {
    let token: string | undefined;
    do {
      let result: ListPage<T>;
      try {
        result = await page(token);
      } catch (error) {
        // 410 Expired: the continue token outlived the server's snapshot; a retry restarts the list.
        if (httpStatusOf(error) === 410) {
          throw new TransientError(`Kubernetes API ${operation}: continue token expired (410)`, { cause: error });
        }
        throw translateError(error, operation);
      }
      const hit = result.items.find(stop);
      if (hit !== undefined) return hit;
      token = result.metadata?._continue || undefined;
    } while (token);
    return undefined;
  }

  private converted<T>(convert: (notes: string[]) => T): T {
    const notes: string[] = [];
    const result = convert(notes);
    if (notes.length > 0) this.onConversionNotes?.(notes);
    return result;
  }
}

/** Same taint as far as the API server is concerned: key and effect identify it on a node. */
function sameSlot(a: V1Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

/**
 * The patch that adds the taint and marks the node unschedulable, or undefined when both already
 * hold. Node spec.taints has no merge key, so a patch replaces the list: it carries every existing
 * taint plus the new one (replacing a same key+effect taint whose value differs).
 */
export function cordonPatch(node: V1Node, taint: Taint): Record<string, unknown> | undefined {
  const existing = node.spec?.taints ?? [];
  const present = existing.some((t) => sameSlot(t, taint) && (t.value ?? '') === (taint.value ?? ''));
  if (present && node.spec?.unschedulable === true) return undefined;
  const added: V1Taint = { key: taint.key, effect: taint.effect, ...(taint.value ? { value: taint.value } : {}) };
  const taints = present ? existing : [...existing.filter((t) => !sameSlot(t, taint)), added];
  return {
    metadata: { resourceVersion: node.metadata?.resourceVersion },
    spec: { unschedulable: true, taints: taints.map(serializableTaint) },
  };
}

// The client deserializes timeAdded into a Date; JSON carries it back as RFC 3339.
function serializableTaint(taint: V1Taint): Record<string, unknown> {
  const out: Record<string, unknown> = { key: taint.key, effect: taint.effect };
  if (taint.value !== undefined) out.value = taint.value;
  if (taint.timeAdded !== undefined) out.timeAdded = new Date(taint.timeAdded).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return out;
}
