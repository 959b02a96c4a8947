import type { V1Container, V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors.ts';
import { effectiveRequests, toClusterNode, toPod, toPodDisruptionBudget } from '../../shared/k8s/convert.ts';

const Gi = 1024 ** 3;
const Mi = 1024 ** 2;

function container(cpu?: string, memory?: string, extra: Partial<V1Container> = {}): V1Container {
  const requests: Record<string, string> = {};
  if (cpu) requests.cpu = cpu;
  if (memory) requests.memory = memory;
  return { name: `c-${cpu}-${memory}`, ...extra, resources: { requests } };
}

function sidecar(cpu: string, memory: string): V1Container {
  return container(cpu, memory, { restartPolicy: 'Always' });
}

function withRequests(name: string, requests: Record<string, string>): V1Container {
  return { name, resources: { requests } };
}

describe('effectiveRequests', () => {
  it.each([
    {
      name: 'no containers requests nothing',
      spec: {},
      expected: { cpuMillis: 0, memoryBytes: 0 },
    },
    {
      name: 'containers add up',
      spec: { containers: [container('500m', '1Gi'), container('250m', '512Mi')] },
      expected: { cpuMillis: 750, memoryBytes: Gi + 512 * Mi },
    },
    {
      name: 'a container without requests counts zero',
      spec: { containers: [container('1', '1Gi'), { name: 'bare' }] },
      expected: { cpuMillis: 1000, memoryBytes: Gi },
    },
    {
      name: 'a larger init container raises the floor per resource',
      spec: { containers: [container('500m', '2Gi')], initContainers: [container('2', '256Mi')] },
      expected: { cpuMillis: 2000, memoryBytes: 2 * Gi },
    },
    {
      name: 'init containers run one at a time: the largest counts, not their sum',
      spec: {
        containers: [container('100m', '100Mi')],
        initContainers: [container('1', '1Gi'), container('1500m', '512Mi')],
      },
      expected: { cpuMillis: 1500, memoryBytes: Gi },
    },
    {
      name: 'a sidecar adds to the running containers',
      spec: { containers: [container('500m', '1Gi')], initContainers: [sidecar('100m', '64Mi')] },
      expected: { cpuMillis: 600, memoryBytes: Gi + 64 * Mi },
    },
    {
      name: 'an init container after a sidecar runs next to it',
      spec: {
        containers: [container('200m', '128Mi')],
        initContainers: [sidecar('300m', '256Mi'), container('1', '1Gi')],
      },
      // max(running 500m/384Mi, init 1300m/1280Mi)
      expected: { cpuMillis: 1300, memoryBytes: Gi + 256 * Mi },
    },
    {
      name: 'an init container before the sidecar does not carry it',
      spec: {
        containers: [container('200m', '128Mi')],
        initContainers: [container('1', '1Gi'), sidecar('300m', '256Mi')],
      },
      expected: { cpuMillis: 1000, memoryBytes: Gi },
    },
    {
      name: 'overhead comes on top',
      spec: { containers: [container('1', '1Gi')], overhead: { cpu: '250m', memory: '120Mi' } },
      expected: { cpuMillis: 1250, memoryBytes: Gi + 120 * Mi },
    },
    {
      name: 'overhead is added after the init floor',
      spec: {
        containers: [container('100m', '100Mi')],
        initContainers: [container('2', '2Gi')],
        overhead: { cpu: '100m', memory: '100Mi' },
      },
      expected: { cpuMillis: 2100, memoryBytes: 2 * Gi + 100 * Mi },
    },
    {
      name: 'ephemeral storage and GPUs are carried',
      spec: {
        containers: [
          withRequests('gpu', { cpu: '1', 'nvidia.com/gpu': '2', 'ephemeral-storage': '10Gi' }),
        ],
      },
      expected: { cpuMillis: 1000, memoryBytes: 0, gpus: 2, gpuResource: 'nvidia.com/gpu', ephemeralStorageBytes: 10 * Gi },
    },
    {
      name: 'Neuron devices are carried with their resource name, summed over containers',
      spec: {
        containers: [
          withRequests('a', { cpu: '1', 'aws.amazon.com/neuron': '1' }),
          withRequests('b', { 'aws.amazon.com/neuron': '2' }),
        ],
      },
      expected: { cpuMillis: 1000, memoryBytes: 0, gpus: 3, gpuResource: 'aws.amazon.com/neuron' },
    },
    {
      name: 'an init container asking for more AMD GPUs than the containers raises the floor',
      spec: {
        initContainers: [withRequests('warm', { 'amd.com/gpu': '4' })],
        containers: [withRequests('main', { cpu: '500m', 'amd.com/gpu': '1' })],
      },
      expected: { cpuMillis: 500, memoryBytes: 0, gpus: 4, gpuResource: 'amd.com/gpu' },
    },
    {
      name: 'a zero accelerator request asks for none',
      spec: { containers: [withRequests('a', { cpu: '1', 'nvidia.com/gpu': '0' })] },
      expected: { cpuMillis: 1000, memoryBytes: 0 },
    },
  ])('$name', ({ spec, expected }) => {
    expect(effectiveRequests(spec)).toEqual(expected);
  });

  it.each([
    {
      where: 'one container',
      spec: { containers: [withRequests('a', { 'nvidia.com/gpu': '1', 'aws.amazon.com/neuron': '1' })] },
      message: 'spec.containers[0].resources.requests["aws.amazon.com/neuron"]: the pod asks for nvidia.com/gpu and aws.amazon.com/neuron',
    },
    {
      where: 'two containers',
      spec: {
        containers: [
          withRequests('a', { 'nvidia.com/gpu': '1' }),
          withRequests('b', { 'amd.com/gpu': '1' }),
        ],
      },
      message: 'spec.containers[1].resources.requests["amd.com/gpu"]: the pod asks for nvidia.com/gpu and amd.com/gpu',
    },
  ])('refuses a pod asking for two kinds of accelerator ($where), naming the field', ({ spec, message }) => {
    expect(() => effectiveRequests(spec)).toThrow(message);
  });

  it('names the container and resource of a bad quantity', () => {
    const spec = { containers: [container('1'), withRequests('x', { memory: 'lots' })] };
    expect(() => effectiveRequests(spec, 'pod a/b spec')).toThrow(
      'pod a/b spec.containers[1].resources.requests.memory: "lots" is not a Kubernetes quantity',
    );
  });
});

describe('toPod', () => {
  const base: V1Pod = {
    metadata: {
      namespace: 'shop',
      name: 'web-1',
      uid: 'uid-1',
      labels: { app: 'web' },
      annotations: { 'karpenter.sh/do-not-disrupt': 'true' },
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Service', name: 'x', uid: 'o1' },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'o2', controller: true },
      ],
    },
    spec: {
      nodeName: 'node-a',
      priority: 1000,
      terminationGracePeriodSeconds: 45,
      containers: [container('250m', '256Mi')],
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
      tolerations: [
        { key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' },
        { operator: 'Exists' },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
                  { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] },
                ],
              },
              {
                matchExpressions: [{ key: 'node.kubernetes.io/instance-type', operator: 'Exists' }],
                matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }],
              },
            ],
          },
        },
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } },
          ],
        },
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { app: 'cache' } }, namespaces: ['data'] },
          ],
        },
      },
      topologySpreadConstraints: [
        {
          topologyKey: 'topology.kubernetes.io/zone',
          maxSkew: 1,
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: {
            matchLabels: { app: 'web' },
            matchExpressions: [
              { key: 'tier', operator: 'In', values: ['front'] },
              { key: 'canary', operator: 'DoesNotExist' },
            ],
          },
        },
      ],
    },
    status: { phase: 'Running' },
  };

  it('carries identity, owner, requests and every constraint', () => {
    const notes: string[] = [];
    const pod = toPod(base, notes);
    expect(pod).toEqual({
      namespace: 'shop',
      name: 'web-1',
      uid: 'uid-1',
      nodeName: 'node-a',
      phase: 'Running',
      labels: { app: 'web' },
      annotations: { 'karpenter.sh/do-not-disrupt': 'true' },
      ownerKind: 'ReplicaSet',
      requests: { cpuMillis: 250, memoryBytes: 256 * Mi },
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
      requiredNodeAffinity: [
        [
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
          { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] },
        ],
        [{ key: 'node.kubernetes.io/instance-type', operator: 'Exists' }],
      ],
      tolerations: [
        { key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' },
        { operator: 'Exists' },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      topologySpread: [
        {
          topologyKey: 'topology.kubernetes.io/zone',
          maxSkew: 1,
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { app: 'web', tier: 'front' },
        },
      ],
      podAntiAffinity: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { app: 'web' } }],
      podAffinity: [{ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { app: 'cache' } }],
      priority: 1000,
      terminationGracePeriodSeconds: 45,
    });
    expect(notes).toEqual([
      'pod shop/web-1: spec.topologySpreadConstraints[0].labelSelector.matchExpressions[1] (canary DoesNotExist) ignored',
      'pod shop/web-1: spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0] namespaces/namespaceSelector ignored',
    ]);
  });

  it('gives mirror pods the Node owner kind', () => {
    const mirror: V1Pod = {
      metadata: {
        namespace: 'kube-system',
        name: 'kube-proxy-node-a',
        annotations: { 'kubernetes.io/config.mirror': 'abc' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'node-a', uid: 'n', controller: true }],
      },
      spec: { containers: [] },
    };
    expect(toPod(mirror).ownerKind).toBe('Node');
  });

  it('leaves ownerKind out for a bare pod and defaults the phase to Pending', () => {
    const pod = toPod({ metadata: { namespace: 'a', name: 'b' }, spec: { containers: [] } });
    expect(pod.ownerKind).toBeUndefined();
    expect(pod.phase).toBe('Pending');
    expect(pod.requiredNodeAffinity).toEqual([]);
    expect(pod.terminating).toBeUndefined();
  });

  it('marks a pod with a deletionTimestamp as terminating', () => {
    const pod = toPod({
      metadata: { namespace: 'a', name: 'b', deletionTimestamp: new Date('2025-01-01T00:00:00Z') },
      spec: { containers: [] },
    });
    expect(pod.terminating).toBe(true);
  });

  it('rejects an unknown node selector operator naming the field', () => {
    const bad: V1Pod = {
      metadata: { namespace: 'a', name: 'b' },
      spec: {
        containers: [],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'Near' }] }],
            },
          },
        },
      },
    };
    expect(() => toPod(bad)).toThrow(InvalidInputError);
    expect(() => toPod(bad)).toThrow(/nodeSelectorTerms\[0\]\.matchExpressions\[0\]\.operator: "Near"/);
  });
});

describe('toClusterNode', () => {
  it('converts identity, taints, conditions and allocatable', () => {
    const node: V1Node = {
      metadata: {
        name: 'ip-10-0-1-5.ec2.internal',
        creationTimestamp: new Date('2025-01-02T03:04:05Z'),
        labels: { 'karpenter.sh/nodepool': 'general-purpose' },
      },
      spec: {
        providerID: 'aws:///us-east-1a/i-0123456789abcdef0',
        taints: [{ key: 'karpenter.sh/disrupted', effect: 'NoSchedule' }],
        unschedulable: true,
      },
      status: {
        conditions: [
          { type: 'Ready', status: 'True', lastTransitionTime: new Date('2025-01-02T03:05:00Z'), reason: 'KubeletReady' },
          { type: 'KernelReady', status: 'Weird' },
        ],
        allocatable: { cpu: '3920m', memory: '15136204Ki', pods: '58', 'ephemeral-storage': '76224326324' },
      },
    };
    expect(toClusterNode(node)).toEqual({
      name: 'ip-10-0-1-5.ec2.internal',
      providerId: 'aws:///us-east-1a/i-0123456789abcdef0',
      labels: { 'karpenter.sh/nodepool': 'general-purpose' },
      annotations: {},
      taints: [{ key: 'karpenter.sh/disrupted', effect: 'NoSchedule' }],
      unschedulable: true,
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: '2025-01-02T03:05:00.000Z', reason: 'KubeletReady' },
        { type: 'KernelReady', status: 'Unknown' },
      ],
      createdAt: '2025-01-02T03:04:05.000Z',
      allocatable: { cpuMillis: 3920, memoryBytes: 15136204 * 1024, pods: 58, ephemeralStorageBytes: 76224326324 },
    });
  });

  it('rejects a node without a creation time naming the field', () => {
    expect(() => toClusterNode({ metadata: { name: 'n' } })).toThrow(/node n metadata\.creationTimestamp/);
  });
});

describe('toPodDisruptionBudget', () => {
  it('keeps the selector and either bound', () => {
    expect(
      toPodDisruptionBudget({
        metadata: { namespace: 'shop', name: 'web' },
        spec: { selector: { matchLabels: { app: 'web' } }, minAvailable: '50%' },
      }),
    ).toEqual({ namespace: 'shop', name: 'web', selector: { app: 'web' }, minAvailable: '50%' });
    expect(
      toPodDisruptionBudget({ metadata: { namespace: 'a', name: 'b' }, spec: { maxUnavailable: 1 } }),
    ).toEqual({ namespace: 'a', name: 'b', selector: {}, maxUnavailable: 1 });
  });
});
