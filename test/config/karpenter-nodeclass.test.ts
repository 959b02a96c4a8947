// EC2NodeClass YAML as Karpenter's v1 documentation writes it loads, means the same thing, and its
// new kubelet and instance fields are checked the way Karpenter's CRD (and the kubelet) check them.
import { describe, expect, it } from 'vitest';
import { parseNodeConfig } from '../../shared/config/index.ts';
import { formatGoDuration, goDurationNanos } from '../../shared/config/nodeclass.ts';
import type { NodeClass } from '../../shared/types.ts';
import { problemsOf } from './helpers.ts';

// Every field of the documented EC2NodeClass spec that nodewright implements, with the docs' values.
const DOCUMENTED_CLASS = `
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: default
spec:
  kubelet:
    podsPerCore: 2
    maxPods: 20
    systemReserved:
      cpu: 100m
      memory: 100Mi
      ephemeral-storage: 1Gi
    kubeReserved:
      cpu: 200m
      memory: 100Mi
      ephemeral-storage: 3Gi
    evictionHard:
      memory.available: 5%
      nodefs.available: 10%
      nodefs.inodesFree: 10%
    evictionSoft:
      memory.available: 500Mi
      nodefs.available: 15%
      nodefs.inodesFree: 15%
    evictionSoftGracePeriod:
      memory.available: 1m
      nodefs.available: 1m30s
      nodefs.inodesFree: 2m
    evictionMaxPodGracePeriod: 60
    imageGCHighThresholdPercent: 85
    imageGCLowThresholdPercent: 80
    cpuCFSQuota: true
    clusterDNS: ["10.0.1.100"]
  amiFamily: AL2023
  subnetSelectorTerms:
    - tags:
        karpenter.sh/discovery: "my-cluster"
    - id: subnet-09fa4a0a8f233a921
  securityGroupSelectorTerms:
    - tags:
        karpenter.sh/discovery: "my-cluster"
    - name: my-security-group
    - id: sg-063d7acfb4b06c82c
  role: "KarpenterNodeRole-my-cluster"
  amiSelectorTerms:
    - tags:
        karpenter.sh/discovery: "my-cluster"
        environment: test
    - name: my-ami-name
    - id: ami-123
  tags:
    team: team-a
    app: team-a-app
  metadataOptions:
    httpEndpoint: enabled
    httpProtocolIPv6: disabled
    httpPutResponseHopLimit: 1
    httpTokens: required
  blockDeviceMappings:
    - deviceName: /dev/xvda
      ebs:
        volumeSize: 100Gi
        volumeType: gp3
        iops: 10000
        encrypted: true
        kmsKeyID: "1234abcd-12ab-34cd-56ef-1234567890ab"
        deleteOnTermination: true
        throughput: 125
        snapshotID: snap-0123456789
  instanceStorePolicy: RAID0
  userData: |
    echo "Hello world"
  detailedMonitoring: true
  associatePublicIPAddress: true
`;

describe("parseNodeConfig: Karpenter's documented EC2NodeClass", () => {
  it('loads into the domain object, grace periods in the Go form Karpenter hands the kubelet', () => {
    const { nodeClasses } = parseNodeConfig([{ name: 'nodeclass.yaml', text: DOCUMENTED_CLASS }]);
    const expected: NodeClass = {
      name: 'default',
      amiFamily: 'AL2023',
      amiSelectorTerms: [
        { tags: { 'karpenter.sh/discovery': 'my-cluster', environment: 'test' } },
        { name: 'my-ami-name' },
        { id: 'ami-123' },
      ],
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'my-cluster' } }, { id: 'subnet-09fa4a0a8f233a921' }],
      securityGroupSelectorTerms: [
        { tags: { 'karpenter.sh/discovery': 'my-cluster' } },
        { name: 'my-security-group' },
        { id: 'sg-063d7acfb4b06c82c' },
      ],
      role: 'KarpenterNodeRole-my-cluster',
      kubelet: {
        podsPerCore: 2,
        maxPods: 20,
        systemReserved: { cpu: '100m', memory: '100Mi', 'ephemeral-storage': '1Gi' },
        kubeReserved: { cpu: '200m', memory: '100Mi', 'ephemeral-storage': '3Gi' },
        evictionHard: { 'memory.available': '5%', 'nodefs.available': '10%', 'nodefs.inodesFree': '10%' },
        evictionSoft: { 'memory.available': '500Mi', 'nodefs.available': '15%', 'nodefs.inodesFree': '15%' },
        evictionSoftGracePeriod: { 'memory.available': '1m0s', 'nodefs.available': '1m30s', 'nodefs.inodesFree': '2m0s' },
        evictionMaxPodGracePeriod: 60,
        imageGCHighThresholdPercent: 85,
        imageGCLowThresholdPercent: 80,
        cpuCFSQuota: true,
        clusterDNS: ['10.0.1.100'],
      },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: {
            volumeSize: '100Gi',
            volumeType: 'gp3',
            iops: 10000,
            encrypted: true,
            kmsKeyID: '1234abcd-12ab-34cd-56ef-1234567890ab',
            deleteOnTermination: true,
            throughput: 125,
            snapshotID: 'snap-0123456789',
          },
        },
      ],
      tags: { team: 'team-a', app: 'team-a-app' },
      userData: 'echo "Hello world"\n',
      metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
      detailedMonitoring: true,
      associatePublicIPAddress: true,
      instanceStorePolicy: 'RAID0',
    };
    expect(nodeClasses).toEqual([expected]);
  });

  it('keeps an explicit associatePublicIPAddress: false, which overrides a public subnet', () => {
    const text = DOCUMENTED_CLASS.replace('associatePublicIPAddress: true', 'associatePublicIPAddress: false');
    expect(parseNodeConfig([{ name: 'c.yaml', text }]).nodeClasses[0]!.associatePublicIPAddress).toBe(false);
  });

  it('accepts a volume restored from a snapshot without a size, and adds nothing the YAML leaves out', () => {
    const text = `
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: { name: restored }
spec:
  role: r
  amiSelectorTerms: [{ alias: bottlerocket@latest }]
  subnetSelectorTerms: [{ tags: { a: b } }]
  securityGroupSelectorTerms: [{ tags: { a: b } }]
  kubelet: { imageGCHighThresholdPercent: 90 }
  blockDeviceMappings: [{ deviceName: /dev/xvdb, ebs: { snapshotID: snap-0abc } }]
`;
    const [nodeClass] = parseNodeConfig([{ name: 'c.yaml', text }]).nodeClasses;
    expect(nodeClass!.blockDeviceMappings).toEqual([{ deviceName: '/dev/xvdb', ebs: { snapshotID: 'snap-0abc' } }]);
    expect(nodeClass!.kubelet).toEqual({ imageGCHighThresholdPercent: 90 });
    for (const field of ['detailedMonitoring', 'associatePublicIPAddress', 'instanceStorePolicy']) expect(nodeClass).not.toHaveProperty(field);
  });
});

describe('parseNodeConfig: new EC2NodeClass fields name the path and the value when wrong', () => {
  const cls = (extra: string) => `
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: { name: c }
spec:
  role: r
  amiSelectorTerms: [{ alias: al2023@latest }]
  subnetSelectorTerms: [{ tags: { a: b } }]
  securityGroupSelectorTerms: [{ tags: { a: b } }]
${extra}
`;
  const c = (path: string) => `nodepools.yaml: EC2NodeClass "c" ${path}`;

  it.each<[string, string, string[]]>([
    ['soft threshold without a grace period', '  kubelet: { evictionSoft: { memory.available: 500Mi } }',
      [`${c('spec.kubelet.evictionSoft["memory.available"]')}: has no grace period: add "memory.available" to evictionSoftGracePeriod; got "500Mi"`]],
    ['grace period without a soft threshold', '  kubelet: { evictionSoft: { memory.available: 500Mi }, evictionSoftGracePeriod: { memory.available: 1m, nodefs.available: 2m } }',
      [`${c('spec.kubelet.evictionSoftGracePeriod["nodefs.available"]')}: has no threshold: add "nodefs.available" to evictionSoft; got "2m"`]],
    ['unknown soft eviction signal', '  kubelet: { evictionSoft: { memory.free: 1Gi }, evictionSoftGracePeriod: { memory.free: 1m } }',
      [
        `${c('spec.kubelet.evictionSoft["memory.free"]')}: valid keys for evictionSoft are memory.available, nodefs.available, nodefs.inodesFree, imagefs.available, imagefs.inodesFree, pid.available; got "1Gi"`,
        `${c('spec.kubelet.evictionSoftGracePeriod["memory.free"]')}: valid keys for evictionSoftGracePeriod are memory.available, nodefs.available, nodefs.inodesFree, imagefs.available, imagefs.inodesFree, pid.available; got "1m"`,
      ]],
    ['soft threshold that is no amount', '  kubelet: { evictionSoft: { memory.available: half }, evictionSoftGracePeriod: { memory.available: 1m } }',
      [`${c('spec.kubelet.evictionSoft["memory.available"]')}: must be a percentage such as 10% or a quantity such as 500Mi; got "half"`]],
    ['grace period in days', '  kubelet: { evictionSoft: { memory.available: 5% }, evictionSoftGracePeriod: { memory.available: 1d } }',
      [`${c('spec.kubelet.evictionSoftGracePeriod["memory.available"]')}: must be a non-negative duration such as 30s, 1m30s or 2h; got "1d"`]],
    ['negative grace period', '  kubelet: { evictionSoft: { memory.available: 5% }, evictionSoftGracePeriod: { memory.available: -1m } }',
      [`${c('spec.kubelet.evictionSoftGracePeriod["memory.available"]')}: must be a non-negative duration such as 30s, 1m30s or 2h; got "-1m"`]],
    ['grace period as a bare number', '  kubelet: { evictionSoft: { memory.available: 5% }, evictionSoftGracePeriod: { memory.available: 90 } }',
      [`${c('spec.kubelet.evictionSoftGracePeriod["memory.available"]')}: must be a string (put it in quotes); got 90`]],
    ['max pod grace period with a unit', '  kubelet: { evictionMaxPodGracePeriod: 60s }',
      [`${c('spec.kubelet.evictionMaxPodGracePeriod')}: must be a number; got "60s"`]],
    ['max pod grace period not whole', '  kubelet: { evictionMaxPodGracePeriod: 1.5 }',
      [`${c('spec.kubelet.evictionMaxPodGracePeriod')}: must be a whole number; got 1.5`]],
    ['image GC high above 100', '  kubelet: { imageGCHighThresholdPercent: 101, imageGCLowThresholdPercent: 50 }',
      [`${c('spec.kubelet.imageGCHighThresholdPercent')}: must be at most 100; got 101`]],
    ['image GC low below 0', '  kubelet: { imageGCHighThresholdPercent: 90, imageGCLowThresholdPercent: -1 }',
      [`${c('spec.kubelet.imageGCLowThresholdPercent')}: must be at least 0; got -1`]],
    ['image GC low not below high', '  kubelet: { imageGCHighThresholdPercent: 70, imageGCLowThresholdPercent: 70 }',
      [`${c('spec.kubelet.imageGCLowThresholdPercent')}: must be less than imageGCHighThresholdPercent (70); got 70`]],
    ['image GC high alone, under the kubelet default low', '  kubelet: { imageGCHighThresholdPercent: 75 }',
      [`${c('spec.kubelet.imageGCHighThresholdPercent')}: must be above 80, the kubelet's default imageGCLowThresholdPercent, or set imageGCLowThresholdPercent below it; got 75`]],
    ['image GC low alone, over the kubelet default high', '  kubelet: { imageGCLowThresholdPercent: 90 }',
      [`${c('spec.kubelet.imageGCLowThresholdPercent')}: must be below 85, the kubelet's default imageGCHighThresholdPercent, or set imageGCHighThresholdPercent above it; got 90`]],
    ['cpuCFSQuota as a string', '  kubelet: { cpuCFSQuota: "false" }', [`${c('spec.kubelet.cpuCFSQuota')}: must be a boolean; got "false"`]],
    ['snapshot id malformed', '  blockDeviceMappings: [{ deviceName: /dev/xvdb, ebs: { snapshotID: vol-0abc } }]',
      [`${c('spec.blockDeviceMappings[0].ebs.snapshotID')}: must be an EBS snapshot id such as snap-0123456789abcdef0; got "vol-0abc"`]],
    ['volume without size or snapshot', '  blockDeviceMappings: [{ deviceName: /dev/xvdb, ebs: { volumeType: gp3 } }]',
      [`${c('spec.blockDeviceMappings[0].ebs')}: needs volumeSize or snapshotID; got {"volumeType":"gp3"}`]],
    ['detailedMonitoring as a word', '  detailedMonitoring: enabled', [`${c('spec.detailedMonitoring')}: must be a boolean; got "enabled"`]],
    ['associatePublicIPAddress as a word', '  associatePublicIPAddress: "yes"', [`${c('spec.associatePublicIPAddress')}: must be a boolean; got "yes"`]],
    ['instance store policy other than RAID0', '  instanceStorePolicy: RAID10',
      [`${c('spec.instanceStorePolicy')}: must be RAID0, the only instance store policy Karpenter defines; got "RAID10"`]],
  ])('%s', (_title, extra, expected) => {
    expect(problemsOf(cls(extra))).toEqual(expected);
  });

  it.each<[string, string, string]>([
    ['Windows AMI family', '  amiFamily: Windows2022', `${c('spec.amiFamily')}: not supported by nodewright: Windows nodes (nodewright writes Linux user data only); got "Windows2022"`],
    ['capacity reservations', '  capacityReservationSelectorTerms: [{ id: cr-0123 }]',
      `${c('spec.capacityReservationSelectorTerms')}: not supported by nodewright: capacity reservations (nodewright plans spot and on-demand capacity only); got [{"id":"cr-0123"}]`],
    ['the EC2 Fleet context', '  context: ctx-123',
      `${c('spec.context')}: not supported by nodewright: the EC2 Fleet context field (reserved by EC2; nodewright does not send it); got "ctx-123"`],
  ])('still refuses %s, saying why', (_title, extra, expected) => {
    const problems = problemsOf(cls(extra));
    expect(problems).toContain(expected);
  });
});

describe('Go durations for evictionSoftGracePeriod', () => {
  it.each<[string, string]>([
    ['1m', '1m0s'],
    ['90s', '1m30s'],
    ['1h30m', '1h30m0s'],
    ['1.5h', '1h30m0s'],
    ['2h', '2h0m0s'],
    ['0', '0s'],
    ['500ms', '500ms'],
    ['1500ms', '1.5s'],
    ['1m0.25s', '1m0.25s'],
    ['250us', '250µs'],
    ['10ns', '10ns'],
    ['+30s', '30s'],
  ])('%s is %s, as Go prints it', (text, canonical) => {
    expect(formatGoDuration(goDurationNanos(text)!)).toBe(canonical);
  });

  it.each(['', '1d', '-1m', 'm', '1 m', '1.m5', 'forever'])('%j is no duration', (text) => {
    expect(goDurationNanos(text)).toBeUndefined();
  });
});
