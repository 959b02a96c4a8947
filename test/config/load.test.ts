import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNodeConfig } from '../../shared/config/index.ts';
import type { NodeClass, NodePool } from '../../shared/types.ts';
import { MINIMAL_CLASS, pool } from './helpers.ts';

const exampleText = readFileSync(new URL('../../examples/nodepools/default.yaml', import.meta.url), 'utf8');

describe('parseNodeConfig: valid input', () => {
  it('loads the example NodePool and EC2NodeClass into exact domain objects', () => {
    const config = parseNodeConfig([{ name: 'default.yaml', text: exampleText }]);
    const expectedPool: NodePool = {
      name: 'default',
      weight: 0,
      labels: { team: 'platform' },
      taints: [],
      startupTaints: [],
      requirements: [
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
        { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
        { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] },
        { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] },
        { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
        { key: 'karpenter.k8s.aws/instance-family', operator: 'Exists', minValues: 5 },
        { key: 'karpenter.k8s.aws/instance-size', operator: 'NotIn', values: ['metal', 'nano', 'micro'] },
      ],
      nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
      limits: { cpu: '1000', memory: '1000Gi' },
      disruption: {
        consolidationPolicy: 'WhenEmptyOrUnderutilized',
        consolidateAfter: '1m',
        budgets: [
          { nodes: '10%' },
          { nodes: '0', reasons: ['Underutilized'], schedule: '0 9 * * mon-fri', duration: '8h' },
        ],
      },
      expireAfter: '720h',
      terminationGracePeriod: '48h',
    };
    const expectedClass: NodeClass = {
      name: 'default',
      amiSelectorTerms: [{ alias: 'al2023@latest' }],
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'my-cluster' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'my-cluster' } }],
      role: 'KarpenterNodeRole-my-cluster',
      kubelet: { maxPods: 110, systemReserved: { cpu: '100m', memory: '100Mi' }, evictionHard: { 'memory.available': '5%' } },
      blockDeviceMappings: [
        { deviceName: '/dev/xvda', ebs: { volumeSize: '50Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true } },
      ],
      tags: { team: 'platform' },
      metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
    };
    expect(config).toEqual({ nodePools: [expectedPool], nodeClasses: [expectedClass] });
  });

  it("fills Karpenter's defaults for everything left out", () => {
    const config = parseNodeConfig([{ name: 'a.yaml', text: pool('bare', []) + '---' + MINIMAL_CLASS }]);
    expect(config.nodePools[0]).toEqual({
      name: 'bare',
      weight: 0,
      labels: {},
      taints: [],
      startupTaints: [],
      requirements: [],
      nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'workers' },
      limits: {},
      disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '0s', budgets: [{ nodes: '10%' }] },
      expireAfter: '720h',
    });
    expect(config.nodeClasses[0]).toEqual({
      name: 'workers',
      amiSelectorTerms: [{ alias: 'al2023@latest' }],
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'test' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'test' } }],
      role: 'KarpenterNodeRole-test',
      kubelet: {},
      blockDeviceMappings: [],
      tags: {},
      metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
    });
  });

  it('accepts every requirement operator in its valid form', () => {
    const config = parseNodeConfig([
      {
        name: 'ops.yaml',
        text:
          pool('ops', [
            '{ key: team, operator: In, values: [a, b], minValues: 2 }',
            '{ key: team, operator: NotIn, values: [c] }',
            '{ key: karpenter.k8s.aws/instance-gpu-name, operator: DoesNotExist }',
            '{ key: karpenter.k8s.aws/instance-family, operator: Exists, minValues: 3 }',
            '{ key: karpenter.k8s.aws/instance-generation, operator: Gt, values: ["5"] }',
            '{ key: karpenter.k8s.aws/instance-cpu, operator: Lt, values: ["33"] }',
            '{ key: karpenter.k8s.aws/instance-memory, operator: Gte, values: ["4096"] }',
            '{ key: karpenter.k8s.aws/instance-cpu, operator: Lte, values: ["16"] }',
          ]) +
          '---' +
          MINIMAL_CLASS,
      },
    ]);
    expect(config.nodePools[0]!.requirements.map((r) => r.operator)).toEqual(['In', 'NotIn', 'DoesNotExist', 'Exists', 'Gt', 'Lt', 'Gte', 'Lte']);
    expect(config.nodePools[0]!.requirements[0]).toEqual({ key: 'team', operator: 'In', values: ['a', 'b'], minValues: 2 });
    expect(config.nodePools[0]!.requirements[2]).toEqual({ key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'DoesNotExist' });
  });

  it('rewrites EKS Auto Mode label names to the Karpenter names', () => {
    const config = parseNodeConfig([
      {
        name: 'auto.yaml',
        text: `
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: { name: auto }
spec:
  template:
    spec:
      nodeClassRef: { group: eks.amazonaws.com, kind: NodeClass, name: default }
      requirements:
        - { key: eks.amazonaws.com/instance-category, operator: In, values: [c, m, r] }
        - { key: eks.amazonaws.com/instance-generation, operator: Gt, values: ["4"] }
        - { key: eks.amazonaws.com/instance-cpu, operator: In, values: ["4", "8"] }
        - { key: eks.amazonaws.com/instance-gpu-name, operator: DoesNotExist }
        - { key: eks.amazonaws.com/capacity-type, operator: In, values: [spot] }
        - { key: eks.amazonaws.com/compute-type, operator: In, values: [auto] }
        - { key: topology.kubernetes.io/zone, operator: In, values: [us-west-2a] }
`,
      },
    ]);
    const [autoPool] = config.nodePools;
    expect(autoPool!.requirements.map((r) => r.key)).toEqual([
      'karpenter.k8s.aws/instance-category',
      'karpenter.k8s.aws/instance-generation',
      'karpenter.k8s.aws/instance-cpu',
      'karpenter.k8s.aws/instance-gpu-name',
      'karpenter.sh/capacity-type',
      'eks.amazonaws.com/compute-type',
      'topology.kubernetes.io/zone',
    ]);
    expect(autoPool!.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' });
  });

  it('reads multi-document streams, kind: List, typed lists and several sources in order', () => {
    const list = `
apiVersion: v1
kind: List
items:
${[pool('one', []), pool('two', [])]
  .map((p) => p.trim().split('\n').map((line, i) => (i === 0 ? `  - ${line}` : `    ${line}`)).join('\n'))
  .join('\n')}
`;
    const typedList = `
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClassList
items:
  - ${MINIMAL_CLASS.trim().split('\n').join('\n    ')}
`;
    const config = parseNodeConfig([
      { name: 'list.yaml', text: list },
      { name: 'stream.yaml', text: `---\n# comment only\n---\n${pool('three', [])}---\n---\n${pool('four', [])}` },
      { name: 'classes.yaml', text: typedList },
      { name: 'empty.yaml', text: '' },
    ]);
    expect(config.nodePools.map((p) => p.name)).toEqual(['one', 'two', 'three', 'four']);
    expect(config.nodeClasses.map((c) => c.name)).toEqual(['workers']);
  });

  it('loads the legacy amiFamily with id, name+owner and tag terms, and every node class field', () => {
    const config = parseNodeConfig([
      {
        name: 'class.yaml',
        text: `
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: { name: legacy }
spec:
  amiFamily: Bottlerocket
  instanceProfile: nodes-profile
  amiSelectorTerms:
    - id: ami-0123456789abcdef0
    - name: bottlerocket-aws-k8s-1.31-*
      owner: amazon
    - tags: { team: platform }
  subnetSelectorTerms: [{ id: subnet-0abc }, { tags: { tier: private } }]
  securityGroupSelectorTerms: [{ id: sg-0abc }, { name: nodes }, { tags: { tier: nodes } }]
  kubelet:
    podsPerCore: 2
    kubeReserved: { cpu: 200m, memory: 100Mi, ephemeral-storage: 3Gi }
    clusterDNS: ["10.0.1.100"]
  blockDeviceMappings:
    - deviceName: /dev/xvdb
      rootVolume: true
      ebs: { volumeSize: 100Gi, volumeType: gp3, iops: 3000, throughput: 125, encrypted: true, kmsKeyID: "arn:aws:kms:us-east-1:111122223333:key/abc" }
  userData: |
    [settings.kubernetes]
    image-gc-high-threshold-percent = "85"
  metadataOptions: { httpTokens: optional, httpPutResponseHopLimit: 2, httpEndpoint: enabled }
`,
      },
    ]);
    expect(config.nodeClasses[0]).toEqual({
      name: 'legacy',
      amiFamily: 'Bottlerocket',
      instanceProfile: 'nodes-profile',
      amiSelectorTerms: [{ id: 'ami-0123456789abcdef0' }, { name: 'bottlerocket-aws-k8s-1.31-*', owner: 'amazon' }, { tags: { team: 'platform' } }],
      subnetSelectorTerms: [{ id: 'subnet-0abc' }, { tags: { tier: 'private' } }],
      securityGroupSelectorTerms: [{ id: 'sg-0abc' }, { name: 'nodes' }, { tags: { tier: 'nodes' } }],
      kubelet: { podsPerCore: 2, kubeReserved: { cpu: '200m', memory: '100Mi', 'ephemeral-storage': '3Gi' }, clusterDNS: ['10.0.1.100'] },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvdb',
          rootVolume: true,
          ebs: { volumeSize: '100Gi', volumeType: 'gp3', iops: 3000, throughput: 125, encrypted: true, kmsKeyID: 'arn:aws:kms:us-east-1:111122223333:key/abc' },
        },
      ],
      tags: {},
      userData: '[settings.kubernetes]\nimage-gc-high-threshold-percent = "85"\n',
      metadataOptions: { httpTokens: 'optional', httpPutResponseHopLimit: 2 },
    });
  });

  it('loads taints, startup taints, weight, Never and numeric limits', () => {
    const text =
      pool(
        'gpu',
        ['{ key: karpenter.k8s.aws/instance-gpu-count, operator: Gt, values: ["0"] }'],
        `      taints: [{ key: nvidia.com/gpu, value: "true", effect: NoSchedule }]
      startupTaints: [{ key: node.example.com/initializing, effect: NoExecute }]
      expireAfter: Never`,
        `  weight: 50
  limits: { cpu: 64, nvidia.com/gpu: "8" }
  disruption: { consolidationPolicy: WhenEmpty, consolidateAfter: Never }`,
      ) +
      '---' +
      MINIMAL_CLASS;
    const [gpu] = parseNodeConfig([{ name: 'gpu.yaml', text }]).nodePools;
    expect(gpu).toMatchObject({
      weight: 50,
      taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }],
      startupTaints: [{ key: 'node.example.com/initializing', effect: 'NoExecute' }],
      expireAfter: 'Never',
      limits: { cpu: '64', 'nvidia.com/gpu': '8' },
      disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: 'Never', budgets: [{ nodes: '10%' }] },
    });
  });
});
