import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError, TransientError } from '../../shared/errors.ts';
import { KubernetesCluster } from '../../shared/k8s/cluster.ts';
import { EksTokenSource } from '../../shared/k8s/eks-token.ts';
import { kubeConfigFor } from '../../shared/k8s/kubeconfig.ts';
import type { ClusterInfo } from '../../shared/types.ts';
import { notFound, startFakeApiServer, status, type FakeApiServer } from './fake-api-server.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

function nodeJson(name: string, instanceId: string, extra: { taints?: unknown[]; unschedulable?: boolean; rv?: string } = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      resourceVersion: extra.rv ?? '100',
      creationTimestamp: '2025-01-01T00:00:00Z',
      labels: { 'karpenter.sh/nodepool': 'general-purpose' },
    },
    spec: {
      providerID: `aws:///us-east-1a/${instanceId}`,
      ...(extra.taints ? { taints: extra.taints } : {}),
      ...(extra.unschedulable !== undefined ? { unschedulable: extra.unschedulable } : {}),
    },
    status: { conditions: [{ type: 'Ready', status: 'True' }], allocatable: { cpu: '2', memory: '4Gi', pods: '29' } },
  };
}

function podJson(namespace: string, name: string, nodeName: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, uid: `uid-${name}` },
    spec: { nodeName, containers: [{ name: 'app', image: 'x', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
    status: { phase: 'Running' },
  };
}

function list(kind: string, items: unknown[], next?: string) {
  return { apiVersion: 'v1', kind, metadata: next ? { continue: next } : {}, items };
}

let server: FakeApiServer;
let clock: Date;
let cluster: KubernetesCluster;

function clusterInfo(endpoint: string): ClusterInfo {
  return { name: 'prod', endpoint, certificateAuthority: '', kubernetesVersion: '1.33' };
}

beforeAll(async () => {
  server = await startFakeApiServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  clock = new Date('2025-06-01T12:00:00Z');
  const tokens = new EksTokenSource({
    clusterName: 'prod',
    region: 'us-east-1',
    credentials: async () => credentials,
    now: () => clock,
  });
  cluster = KubernetesCluster.forCluster(clusterInfo(server.url), tokens.provider, { pageSize: 2 });
});

describe('authentication', () => {
  it('sends the EKS bearer token and a fresh one once the old one nears expiry', async () => {
    server.respond(() => ({ status: 200, body: list('NodeList', []) }));
    await cluster.listNodes();
    await cluster.listNodes();
    clock = new Date(clock.getTime() + 14 * 60_000 + 1);
    await cluster.listNodes();
    const auth = server.requests.map((r) => r.headers.authorization);
    expect(auth[0]).toMatch(/^Bearer k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    expect(auth[1]).toBe(auth[0]);
    expect(auth[2]).toMatch(/^Bearer k8s-aws-v1\./);
    expect(auth[2]).not.toBe(auth[0]);
  });
});

describe('kubeConfigFor', () => {
  const token = async () => 't';
  it.each([
    ['http://10.0.0.1:6443', /http on a non-loopback host/],
    ['not a url', /cluster\.endpoint: "not a url" is not a URL/],
    ['ftp://127.0.0.1', /must be https/],
  ])('refuses endpoint %s', (endpoint, message) => {
    expect(() => kubeConfigFor(clusterInfo(endpoint), token)).toThrow(InvalidInputError);
    expect(() => kubeConfigFor(clusterInfo(endpoint), token)).toThrow(message);
  });

  it('requires the CA for https', () => {
    expect(() => kubeConfigFor(clusterInfo('https://ABC.gr7.us-east-1.eks.amazonaws.com'), token)).toThrow(
      /cluster\.certificateAuthority: missing/,
    );
    const kc = kubeConfigFor(
      { ...clusterInfo('https://ABC.gr7.us-east-1.eks.amazonaws.com'), certificateAuthority: 'LS0tLS1CRUdJTg==' },
      token,
    );
    expect(kc.getCurrentCluster()).toMatchObject({ server: 'https://ABC.gr7.us-east-1.eks.amazonaws.com', caData: 'LS0tLS1CRUdJTg==' });
  });
});

describe('nodes', () => {
  it('lists every page with limit and continue', async () => {
    server.respond((r) =>
      r.query.continue === 'page2'
        ? { status: 200, body: list('NodeList', [nodeJson('c', 'i-0000000000000000c')]) }
        : { status: 200, body: list('NodeList', [nodeJson('a', 'i-0000000000000000a'), nodeJson('b', 'i-0000000000000000b')], 'page2') },
    );
    const nodes = await cluster.listNodes();
    expect(nodes.map((n) => n.name)).toEqual(['a', 'b', 'c']);
    expect(nodes[0]).toMatchObject({ createdAt: '2025-01-01T00:00:00.000Z', allocatable: { cpuMillis: 2000, pods: 29 } });
    expect(server.requests.map((r) => [r.method, r.path, r.query])).toEqual([
      ['GET', '/api/v1/nodes', { limit: '2' }],
      ['GET', '/api/v1/nodes', { limit: '2', continue: 'page2' }],
    ]);
  });

  it('finds a node by the instance id at the end of its providerID, stopping at the page that has it', async () => {
    server.respond((r) =>
      r.query.continue === 'p2'
        ? { status: 200, body: list('NodeList', [nodeJson('c', 'i-0abc0000000000003')], 'p3') }
        : { status: 200, body: list('NodeList', [nodeJson('a', 'i-0abc0000000000001'), nodeJson('b', 'i-0abc0000000000002')], 'p2') },
    );
    const node = await cluster.findNodeByInstanceId('i-0abc0000000000003');
    expect(node?.name).toBe('c');
    expect(node?.providerId).toBe('aws:///us-east-1a/i-0abc0000000000003');
    expect(server.requests).toHaveLength(2);
  });

  it('does not take an instance id that is only a prefix of another', async () => {
    server.respond(() => ({ status: 200, body: list('NodeList', [nodeJson('a', 'i-0abc00000000000011')]) }));
    expect(await cluster.findNodeByInstanceId('i-0abc0000000000001')).toBeUndefined();
  });

  it('refuses a malformed instance id before any request', async () => {
    await expect(cluster.findNodeByInstanceId('node-1')).rejects.toThrow('instanceId: "node-1" is not an EC2 instance id');
    expect(server.requests).toHaveLength(0);
  });

  it('gets a node, undefined when it is gone', async () => {
    server.respond((r) =>
      r.path === '/api/v1/nodes/a' ? { status: 200, body: nodeJson('a', 'i-0000000000000000a') } : { status: 404, body: notFound() },
    );
    expect((await cluster.getNode('a'))?.name).toBe('a');
    expect(await cluster.getNode('gone')).toBeUndefined();
  });

  it.each([
    [429, status(429, 'TooManyRequests', 'slow down')],
    [500, status(500, 'InternalError', 'etcd timeout')],
    [503, 'upstream connect error'],
  ])('turns %i on a list into TransientError', async (code, body) => {
    server.respond(() => ({ status: code, body }));
    await expect(cluster.listNodes()).rejects.toBeInstanceOf(TransientError);
  });

  it('lets a 403 through as a plain error carrying the server message', async () => {
    server.respond(() => ({ status: 403, body: status(403, 'Forbidden', 'nodes is forbidden: User "x" cannot list') }));
    const error = await cluster.listNodes().catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe(
      'Kubernetes API list nodes failed (HTTP 403): nodes is forbidden: User "x" cannot list',
    );
  });

  it('turns a dropped connection into TransientError', async () => {
    server.respond(() => ({ status: 0, reset: true }));
    await expect(cluster.listNodes()).rejects.toBeInstanceOf(TransientError);
  });

  it('turns a request that never answers into TransientError after the timeout', async () => {
    server.respond(() => ({ status: 0, hang: true }));
    const impatient = KubernetesCluster.forCluster(clusterInfo(server.url), async () => 'k8s-aws-v1.x', {
      requestTimeoutMs: 200,
    });
    const error = await impatient.getNode('a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/read node a failed \(no answer in time\)/);
  });

  it('deletes a node; one already gone is success; 5xx is transient', async () => {
    server.respond(() => ({ status: 200, body: status(200, '', '') }));
    await cluster.deleteNode('a');
    expect(server.requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/v1/nodes/a' });
    server.respond(() => ({ status: 404, body: notFound() }));
    await expect(cluster.deleteNode('a')).resolves.toBeUndefined();
    server.respond(() => ({ status: 502, body: 'bad gateway' }));
    await expect(cluster.deleteNode('a')).rejects.toBeInstanceOf(TransientError);
  });
});

describe('cordonNode', () => {
  const taint = { key: 'nodewright.io/interrupted', value: 'spot', effect: 'NoSchedule' as const };
  const existing = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

  it('patches the whole taint list plus unschedulable, guarded by resourceVersion', async () => {
    server.respond((r) =>
      r.method === 'GET'
        ? { status: 200, body: nodeJson('a', 'i-0000000000000000a', { taints: [existing], rv: '42' }) }
        : { status: 200, body: nodeJson('a', 'i-0000000000000000a', { taints: [existing, taint], unschedulable: true }) },
    );
    expect(await cluster.cordonNode('a', taint)).toBe(true);
    const patch = server.requests[1];
    expect(patch?.method).toBe('PATCH');
    expect(patch?.path).toBe('/api/v1/nodes/a');
    expect(patch?.query).toEqual({ fieldManager: 'nodewright' });
    expect(patch?.headers['content-type']).toBe('application/strategic-merge-patch+json');
    expect(JSON.parse(patch?.body ?? '')).toEqual({
      metadata: { resourceVersion: '42' },
      spec: { unschedulable: true, taints: [existing, taint] },
    });
  });

  it('replaces a taint with the same key and effect but another value', async () => {
    server.respond((r) =>
      r.method === 'GET'
        ? { status: 200, body: nodeJson('a', 'i-0000000000000000a', { taints: [{ ...taint, value: 'old' }], unschedulable: true }) }
        : { status: 200, body: nodeJson('a', 'i-0000000000000000a') },
    );
    await cluster.cordonNode('a', taint);
    expect(JSON.parse(server.requests[1]?.body ?? '').spec.taints).toEqual([taint]);
  });

  it('sends nothing when the taint is there and the node already unschedulable', async () => {
    server.respond(() => ({
      status: 200,
      body: nodeJson('a', 'i-0000000000000000a', { taints: [existing, taint], unschedulable: true }),
    }));
    expect(await cluster.cordonNode('a', taint)).toBe(true);
    expect(server.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('still marks unschedulable when only the taint was present', async () => {
    server.respond(() => ({ status: 200, body: nodeJson('a', 'i-0000000000000000a', { taints: [taint] }) }));
    await cluster.cordonNode('a', taint);
    expect(JSON.parse(server.requests[1]?.body ?? '').spec).toEqual({ unschedulable: true, taints: [taint] });
  });

  it('answers false when the node is gone', async () => {
    server.respond(() => ({ status: 404, body: notFound() }));
    expect(await cluster.cordonNode('gone', taint)).toBe(false);
  });

  it('re-reads and retries once on 409, keeping the taint another writer added', async () => {
    let reads = 0;
    let patches = 0;
    server.respond((r) => {
      if (r.method === 'GET') {
        reads++;
        return reads === 1
          ? { status: 200, body: nodeJson('a', 'i-0000000000000000a', { rv: '1' }) }
          : { status: 200, body: nodeJson('a', 'i-0000000000000000a', { rv: '2', taints: [existing] }) };
      }
      patches++;
      return patches === 1
        ? { status: 409, body: status(409, 'Conflict', 'the object has been modified') }
        : { status: 200, body: nodeJson('a', 'i-0000000000000000a') };
    });
    expect(await cluster.cordonNode('a', taint)).toBe(true);
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'PATCH', 'GET', 'PATCH']);
    expect(JSON.parse(server.requests[3]?.body ?? '')).toEqual({
      metadata: { resourceVersion: '2' },
      spec: { unschedulable: true, taints: [existing, taint] },
    });
  });

  it('gives up with TransientError after a second 409', async () => {
    server.respond((r) =>
      r.method === 'GET'
        ? { status: 200, body: nodeJson('a', 'i-0000000000000000a') }
        : { status: 409, body: status(409, 'Conflict', 'modified') },
    );
    await expect(cluster.cordonNode('a', taint)).rejects.toBeInstanceOf(TransientError);
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'PATCH', 'GET', 'PATCH']);
  });

  it('answers false when the node disappears between read and patch', async () => {
    server.respond((r) =>
      r.method === 'GET' ? { status: 200, body: nodeJson('a', 'i-0000000000000000a') } : { status: 404, body: notFound() },
    );
    expect(await cluster.cordonNode('a', taint)).toBe(false);
  });
});

describe('pods and budgets', () => {
  it('lists the pods of a node across namespaces by field selector, paged', async () => {
    server.respond((r) =>
      r.query.continue
        ? { status: 200, body: list('PodList', [podJson('kube-system', 'proxy', 'n1')]) }
        : { status: 200, body: list('PodList', [podJson('shop', 'web', 'n1'), podJson('shop', 'api', 'n1')], 'next') },
    );
    const pods = await cluster.listPodsOnNode('n1');
    expect(pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['shop/web', 'shop/api', 'kube-system/proxy']);
    expect(pods[0]?.requests).toEqual({ cpuMillis: 100, memoryBytes: 128 * 1024 ** 2 });
    expect(server.requests.map((r) => [r.path, r.query])).toEqual([
      ['/api/v1/pods', { fieldSelector: 'spec.nodeName=n1', limit: '2' }],
      ['/api/v1/pods', { fieldSelector: 'spec.nodeName=n1', limit: '2', continue: 'next' }],
    ]);
  });

  it('lists the pods of a namespace matching a label selector', async () => {
    server.respond(() => ({ status: 200, body: list('PodList', [podJson('shop', 'web', 'n1')]) }));
    const pods = await cluster.listPodsMatching('shop', { app: 'web', tier: 'front' });
    expect(pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['shop/web']);
    expect(server.requests.map((r) => [r.path, r.query])).toEqual([
      ['/api/v1/namespaces/shop/pods', { labelSelector: 'app=web,tier=front', limit: '2' }],
    ]);
  });

  it('lists the scheduled, unfinished pods of every namespace in one filtered list', async () => {
    server.respond(() => ({ status: 200, body: list('PodList', [podJson('shop', 'web', 'n1')]) }));
    const pods = await cluster.listScheduledPods();
    expect(pods.map((p) => `${p.namespace}/${p.name}@${p.nodeName}`)).toEqual(['shop/web@n1']);
    expect(server.requests.map((r) => [r.path, r.query])).toEqual([
      ['/api/v1/pods', { fieldSelector: 'spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed', limit: '2' }],
    ]);
  });

  it('lists policy/v1 PodDisruptionBudgets of every namespace', async () => {
    server.respond(() => ({
      status: 200,
      body: list('PodDisruptionBudgetList', [
        { metadata: { namespace: 'shop', name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, maxUnavailable: 1 } },
      ]),
    }));
    expect(await cluster.listPodDisruptionBudgets()).toEqual([
      { namespace: 'shop', name: 'web', selector: { app: 'web' }, maxUnavailable: 1 },
    ]);
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/apis/policy/v1/poddisruptionbudgets', query: { limit: '2' } });
  });

  it('reports what the conversion could not express', async () => {
    const notes: string[][] = [];
    const noting = KubernetesCluster.forCluster(clusterInfo(server.url), async () => 'k8s-aws-v1.x', {
      onConversionNotes: (n) => notes.push(n),
    });
    server.respond(() => ({
      status: 200,
      body: list('PodDisruptionBudgetList', [
        {
          metadata: { namespace: 'shop', name: 'web' },
          spec: { selector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['batch'] }] }, minAvailable: 2 },
        },
      ]),
    }));
    await noting.listPodDisruptionBudgets();
    expect(notes).toEqual([['PodDisruptionBudget shop/web: spec.selector.matchExpressions[0] (app NotIn) ignored']]);
  });

  it('posts a policy/v1 Eviction to the pod eviction subresource', async () => {
    server.respond(() => ({ status: 201, body: { kind: 'Status', apiVersion: 'v1', status: 'Success', code: 201 } }));
    expect(await cluster.evictPod('shop', 'web-1')).toBe('evicted');
    const request = server.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api/v1/namespaces/shop/pods/web-1/eviction');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'web-1', namespace: 'shop' },
    });
  });

  it.each([
    [200, { kind: 'Status', status: 'Success' }, 'evicted'],
    [201, { kind: 'Status', status: 'Success' }, 'evicted'],
    [429, status(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget."), 'blocked'],
    [404, notFound('pods "web-1" not found'), 'gone'],
    [
      500,
      status(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.'),
      'blocked',
    ],
  ] as const)('maps eviction HTTP %i to %s', async (code, body, expected) => {
    server.respond(() => ({ status: code, body }));
    expect(await cluster.evictPod('shop', 'web-1')).toBe(expected);
  });

  it('treats any other 500 on eviction as transient and a 403 as a plain failure', async () => {
    server.respond(() => ({ status: 500, body: status(500, 'InternalError', 'etcdserver: request timed out') }));
    await expect(cluster.evictPod('shop', 'web-1')).rejects.toBeInstanceOf(TransientError);
    server.respond(() => ({ status: 403, body: status(403, 'Forbidden', 'pods "web-1" is forbidden') }));
    const error = await cluster.evictPod('shop', 'web-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/evict pod shop\/web-1 failed \(HTTP 403\): pods "web-1" is forbidden/);
  });

  it('deletes a pod; one already gone is success', async () => {
    server.respond(() => ({ status: 200, body: podJson('shop', 'web-1', 'n1') }));
    await cluster.deletePod('shop', 'web-1');
    expect(server.requests[0]).toMatchObject({ method: 'DELETE', path: '/api/v1/namespaces/shop/pods/web-1' });
    server.respond(() => ({ status: 404, body: notFound() }));
    await expect(cluster.deletePod('shop', 'web-1')).resolves.toBeUndefined();
    server.respond(() => ({ status: 429, body: status(429, 'TooManyRequests', 'throttled') }));
    await expect(cluster.deletePod('shop', 'web-1')).rejects.toBeInstanceOf(TransientError);
  });
});
