import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { InvalidInputError } from '../../shared/errors.ts';
import { createLaunchTemplateInput } from '../../shared/aws/ec2-launch-template.ts';
import { builtinNodeClass, builtinNodePools, parseNodeConfig } from '../../shared/config/index.ts';
import { imageFamilyOf, launchTemplateSpec, type ImageFamily } from '../../shared/provisioning/launch-template.ts';
import type { ClusterInfo, NodeClass, NodePool } from '../../shared/types.ts';

const cluster: ClusterInfo = {
  name: 'prod',
  endpoint: 'https://ABC123.gr7.us-east-1.eks.amazonaws.com',
  certificateAuthority: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==',
  kubernetesVersion: '1.31',
  serviceIpv4Cidr: '172.20.0.0/16',
};

const nodeClass: NodeClass = {
  name: 'workers',
  amiSelectorTerms: [{ alias: 'al2023@latest' }],
  subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'prod' } }],
  securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'prod' } }],
  role: 'KarpenterNodeRole-prod',
  kubelet: { maxPods: 58, kubeReserved: { cpu: '100m' }, evictionHard: { 'memory.available': '5%' }, clusterDNS: ['172.20.0.10'] },
  blockDeviceMappings: [],
  tags: { team: 'platform' },
  metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
};

const nodePool: NodePool = {
  name: 'web',
  weight: 0,
  labels: { team: 'web', tier: 'frontend' },
  taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }],
  startupTaints: [{ key: 'node.cilium.io/agent-not-ready', effect: 'NoExecute' }],
  requirements: [],
  nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'workers' },
  limits: {},
  disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '0s', budgets: [{ nodes: '10%' }] },
  expireAfter: '720h',
};

function spec(overrides: { nodeClass?: Partial<NodeClass>; nodePool?: Partial<NodePool>; family?: ImageFamily; cluster?: Partial<ClusterInfo> } = {}) {
  return launchTemplateSpec({
    cluster: { ...cluster, ...overrides.cluster },
    nodeClass: { ...nodeClass, ...overrides.nodeClass },
    nodePool: { ...nodePool, ...overrides.nodePool },
    imageId: 'ami-0123456789abcdef0',
    imageFamily: overrides.family ?? 'al2023',
    securityGroupIds: ['sg-2', 'sg-1'],
    capacityType: 'spot',
  });
}

/** User data travels as plain text in the spec; the AWS adapter base64-encodes it for EC2. */
const decode = (userData: string) => userData;

/** The MIME parts of decoded user data, as [content type, content]. */
function mimeParts(text: string): Array<[string, string]> {
  const boundary = /boundary="([^"]+)"/.exec(text)![1]!;
  return text
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((chunk) => {
      const [headers, ...body] = chunk.replace(/^\n/, '').split('\n\n');
      return [/Content-Type: (.+)/.exec(headers!)![1]!, body.join('\n\n').trim()];
    });
}

interface NodeConfigDocument {
  apiVersion: string;
  kind: string;
  spec: { cluster: Record<string, string>; kubelet: { config: Record<string, unknown>; flags: string[] } };
}

/** nodewright's NodeConfig: the last MIME part, after any of the user's. */
function nodeConfigOf(userData: string): NodeConfigDocument {
  const [contentType, content] = mimeParts(decode(userData)).at(-1)!;
  expect(contentType).toBe('application/node.eks.aws');
  return parseYaml(content) as NodeConfigDocument;
}

describe('imageFamilyOf', () => {
  it.each<[string, Partial<NodeClass>, { family: ImageFamily; alias?: string }]>([
    ['al2023 alias', { amiSelectorTerms: [{ alias: 'al2023@latest' }] }, { family: 'al2023', alias: 'al2023@latest' }],
    ['pinned bottlerocket alias', { amiSelectorTerms: [{ alias: 'bottlerocket@v1.20.0' }] }, { family: 'bottlerocket', alias: 'bottlerocket@v1.20.0' }],
    ['al2 alias', { amiSelectorTerms: [{ alias: 'al2@latest' }] }, { family: 'al2', alias: 'al2@latest' }],
    ['alias with amiFamily Custom', { amiFamily: 'Custom', amiSelectorTerms: [{ alias: 'al2023@latest' }] }, { family: 'custom', alias: 'al2023@latest' }],
    ['legacy AL2023 with an id', { amiFamily: 'AL2023', amiSelectorTerms: [{ id: 'ami-0abc' }] }, { family: 'al2023' }],
    ['legacy Bottlerocket with tags', { amiFamily: 'Bottlerocket', amiSelectorTerms: [{ tags: { a: 'b' } }] }, { family: 'bottlerocket' }],
    ['legacy AL2', { amiFamily: 'AL2', amiSelectorTerms: [{ id: 'ami-0abc' }] }, { family: 'al2' }],
    ['Custom without alias', { amiFamily: 'Custom', amiSelectorTerms: [{ id: 'ami-0abc' }] }, { family: 'custom' }],
  ])('%s', (_title, overrides, expected) => {
    expect(imageFamilyOf({ ...nodeClass, ...overrides })).toEqual(expected);
  });

  it('refuses a class that says neither alias nor amiFamily', () => {
    expect(() => imageFamilyOf({ ...nodeClass, amiSelectorTerms: [{ id: 'ami-0abc' }] })).toThrow(InvalidInputError);
  });
});

describe('launchTemplateSpec: al2023 user data (nodeadm)', () => {
  it('joins the cluster with a NodeConfig carrying the cluster, kubelet settings, labels and taints', () => {
    const userData = spec().userData;
    const text = decode(userData);
    expect(text.startsWith('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="//"')).toBe(true);
    const config = nodeConfigOf(userData);
    expect(config.apiVersion).toBe('node.eks.aws/v1alpha1');
    expect(config.kind).toBe('NodeConfig');
    expect(config.spec.cluster).toEqual({
      name: 'prod',
      apiServerEndpoint: cluster.endpoint,
      certificateAuthority: cluster.certificateAuthority,
      cidr: '172.20.0.0/16',
    });
    expect(config.spec.kubelet.config).toEqual({
      maxPods: 58,
      kubeReserved: { cpu: '100m' },
      evictionHard: { 'memory.available': '5%' },
      clusterDNS: ['172.20.0.10'],
    });
    expect(config.spec.kubelet.flags).toEqual([
      '--node-labels=karpenter.sh/capacity-type=spot,karpenter.sh/nodepool=web,team=web,tier=frontend',
      '--register-with-taints=dedicated=web:NoSchedule,node.cilium.io/agent-not-ready:NoExecute',
    ]);
  });

  it.each<[string, Partial<NodePool>, string[]]>([
    ['no labels, no taints', { labels: {}, taints: [], startupTaints: [] }, ['--node-labels=karpenter.sh/capacity-type=spot,karpenter.sh/nodepool=web']],
    ['startup taints only', { taints: [], startupTaints: [{ key: 'init', effect: 'NoSchedule' }] }, [
      '--node-labels=karpenter.sh/capacity-type=spot,karpenter.sh/nodepool=web,team=web,tier=frontend',
      '--register-with-taints=init:NoSchedule',
    ]],
    ['the system built-in pool', { ...builtinNodePools[1]!, name: 'system' }, [
      '--node-labels=karpenter.sh/capacity-type=spot,karpenter.sh/nodepool=system',
      '--register-with-taints=CriticalAddonsOnly:NoSchedule',
    ]],
  ])('kubelet flags: %s', (_title, poolOverrides, flags) => {
    expect(nodeConfigOf(spec({ nodePool: poolOverrides }).userData).spec.kubelet.flags).toEqual(flags);
  });

  it.each<[string, string, string]>([
    ['a shell script', '#!/bin/bash\necho hello', 'text/x-shellscript; charset="us-ascii"'],
    ['a NodeConfig document', 'apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    config:\n      shutdownGracePeriod: 30s', 'application/node.eks.aws'],
  ])("puts the user's %s before nodewright's NodeConfig", (_title, userData, contentType) => {
    const parts = mimeParts(decode(spec({ nodeClass: { userData } }).userData));
    expect(parts).toHaveLength(2);
    expect(parts[0]).toEqual([contentType, userData]);
    expect(parts[1]![0]).toBe('application/node.eks.aws');
    expect(parts[1]![1]).toContain('# nodewright generated NodeConfig');
  });

  it("keeps every part of the user's own MIME archive, in order", () => {
    const userData = [
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="BOUNDARY"',
      '',
      '--BOUNDARY',
      'Content-Type: text/x-shellscript; charset="us-ascii"',
      '',
      '#!/bin/bash',
      'echo one',
      '--BOUNDARY',
      'Content-Type: application/node.eks.aws',
      '',
      'apiVersion: node.eks.aws/v1alpha1',
      'kind: NodeConfig',
      'spec: {}',
      '--BOUNDARY--',
      '',
    ].join('\r\n');
    const parts = mimeParts(decode(spec({ nodeClass: { userData } }).userData));
    expect(parts.map(([type]) => type)).toEqual(['text/x-shellscript; charset="us-ascii"', 'application/node.eks.aws', 'application/node.eks.aws']);
    expect(parts[0]![1]).toBe('#!/bin/bash\necho one');
    expect(parts[1]![1]).toBe('apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {}');
  });

  it('refuses a MIME archive without a boundary, and a cluster without a service CIDR', () => {
    expect(() => spec({ nodeClass: { userData: 'MIME-Version: 1.0\nContent-Type: multipart/mixed\n\nhello' } })).toThrow(/no boundary/);
    expect(() => spec({ cluster: { serviceIpv4Cidr: undefined } })).toThrow(InvalidInputError);
  });
});

describe('launchTemplateSpec: bottlerocket and al2 user data', () => {
  it('writes Bottlerocket TOML settings with cluster, labels, taints and max pods', () => {
    const toml = decode(spec({ family: 'bottlerocket', nodeClass: { kubelet: { maxPods: 29, clusterDNS: ['172.20.0.10'] } } }).userData);
    expect(toml).toBe(
      [
        '[settings.kubernetes]',
        `api-server = "${cluster.endpoint}"`,
        `cluster-certificate = "${cluster.certificateAuthority}"`,
        'cluster-name = "prod"',
        'cluster-dns-ip = "172.20.0.10"',
        'max-pods = 29',
        '',
        '[settings.kubernetes.node-labels]',
        '"karpenter.sh/capacity-type" = "spot"',
        '"karpenter.sh/nodepool" = "web"',
        'team = "web"',
        'tier = "frontend"',
        '',
        '[settings.kubernetes.node-taints]',
        'dedicated = ["web:NoSchedule"]',
        '"node.cilium.io/agent-not-ready" = [":NoExecute"]',
        '',
      ].join('\n'),
    );
  });

  it("merges the user's Bottlerocket settings; nodewright's cluster fields and the pool's taints win", () => {
    const userData = [
      '# dotted keys before any table belong to the root',
      'settings.ntp.time-servers = [',
      '  "169.254.169.123",',
      ']',
      '[settings.kubernetes]',
      'cluster-name = "someone-else"',
      'image-gc-high-threshold-percent = "85"',
      '',
      '[settings.kubernetes.node-labels]',
      'extra = "kept"',
      'team = "overridden"',
      '',
      '[settings.kubernetes.node-taints]',
      'old = ["x:NoSchedule"]',
      '',
      '[settings.host-containers.admin]',
      'enabled = true',
    ].join('\n');
    const toml = decode(spec({ family: 'bottlerocket', nodeClass: { userData, kubelet: {} } }).userData);
    expect(toml).toContain('cluster-name = "prod"');
    expect(toml).not.toContain('someone-else');
    expect(toml).toContain('image-gc-high-threshold-percent = "85"');
    expect(toml).toContain('extra = "kept"');
    expect(toml).toContain('team = "web"');
    expect(toml).not.toContain('old =');
    expect(toml).toContain('[settings.host-containers.admin]\nenabled = true');
    expect(toml).toContain('[settings.ntp]\ntime-servers = [\n  "169.254.169.123",\n]');
  });

  it('refuses podsPerCore on Bottlerocket, which has no such setting', () => {
    expect(() => spec({ family: 'bottlerocket', nodeClass: { kubelet: { podsPerCore: 2 } } })).toThrow(/podsPerCore/);
  });

  it('calls bootstrap.sh on AL2 with labels, taints and kubelet settings', () => {
    const parts = mimeParts(decode(spec({ family: 'al2' }).userData));
    const script = parts.at(-1)![1];
    expect(script).toContain("/etc/eks/bootstrap.sh 'prod'");
    expect(script).toContain(`--apiserver-endpoint '${cluster.endpoint}'`);
    expect(script).toContain(`--b64-cluster-ca '${cluster.certificateAuthority}'`);
    expect(script).toContain("--dns-cluster-ip '172.20.0.10'");
    expect(script).toContain('--use-max-pods false');
    expect(script).toContain(
      "--kubelet-extra-args '--node-labels=karpenter.sh/capacity-type=spot,karpenter.sh/nodepool=web,team=web,tier=frontend " +
        '--register-with-taints=dedicated=web:NoSchedule,node.cilium.io/agent-not-ready:NoExecute --max-pods=58 ' +
        "--kube-reserved=cpu=100m --eviction-hard=memory.available<5%'",
    );
  });

  it('passes custom user data through untouched', () => {
    expect(decode(spec({ family: 'custom', nodeClass: { userData: '#!/bin/sh\nmy-own-bootstrap' } }).userData)).toBe('#!/bin/sh\nmy-own-bootstrap');
  });
});

describe('launchTemplateSpec: defaults and name', () => {
  it.each<[ImageFamily, string[]]>([
    ['al2023', ['/dev/xvda:20Gi']],
    ['al2', ['/dev/xvda:20Gi']],
    ['bottlerocket', ['/dev/xvda:4Gi', '/dev/xvdb:20Gi']],
  ])('%s gets encrypted gp3 default volumes %j', (family, volumes) => {
    const { blockDeviceMappings } = spec({ family, nodeClass: { kubelet: {} } });
    expect(blockDeviceMappings.map((m) => `${m.deviceName}:${m.ebs.volumeSize}`)).toEqual(volumes);
    for (const mapping of blockDeviceMappings) expect(mapping.ebs).toMatchObject({ volumeType: 'gp3', encrypted: true });
  });

  it("uses the class's own block devices, instance profile, IMDS settings and tags", () => {
    const result = spec({
      nodeClass: {
        role: undefined,
        instanceProfile: 'custom-profile',
        blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '100Gi', volumeType: 'io2', iops: 5000 } }],
        metadataOptions: { httpTokens: 'optional', httpPutResponseHopLimit: 2 },
      },
    });
    expect(result.blockDeviceMappings).toEqual([{ deviceName: '/dev/xvda', ebs: { volumeSize: '100Gi', volumeType: 'io2', iops: 5000 } }]);
    expect(result.instanceProfile).toBe('custom-profile');
    expect(result.metadataOptions).toEqual({ httpTokens: 'optional', httpPutResponseHopLimit: 2 });
    expect(result.tags).toEqual({
      'eks:eks-cluster-name': 'prod',
      'karpenter.k8s.aws/ec2nodeclass': 'workers',
      'karpenter.sh/nodepool': 'web',
      'kubernetes.io/cluster/prod': 'owned',
      team: 'platform',
    });
  });

  it("defaults IMDS to required tokens and hop limit 1, and names the role's instance profile", () => {
    const result = spec({ nodeClass: { metadataOptions: undefined } });
    expect(result.metadataOptions).toEqual({ httpTokens: 'required', httpPutResponseHopLimit: 1 });
    expect(result.instanceProfile).toBe('KarpenterNodeRole-prod');
    expect(result.imageId).toBe('ami-0123456789abcdef0');
    expect(result.securityGroupIds).toEqual(['sg-1', 'sg-2']);
  });

  it('works for the built-in default class', () => {
    const result = launchTemplateSpec({
      cluster,
      nodeClass: builtinNodeClass,
      nodePool: builtinNodePools[0]!,
      imageId: 'ami-0abc',
      imageFamily: imageFamilyOf(builtinNodeClass).family,
      securityGroupIds: ['sg-1'],
    });
    expect(result.name).toMatch(/^nodewright-default-[0-9a-f]{16}$/);
    expect(nodeConfigOf(result.userData).spec.kubelet.flags).toEqual(['--node-labels=karpenter.sh/nodepool=general-purpose']);
  });

  it('names the template nodewright-<class>-<hash>, the same for the same spec whatever the key order', () => {
    const first = spec();
    const reordered = spec({
      nodePool: { labels: { tier: 'frontend', team: 'web' } },
      nodeClass: { tags: { team: 'platform' } },
    });
    expect(first.name).toMatch(/^nodewright-workers-[0-9a-f]{16}$/);
    expect(reordered.name).toBe(first.name);
    expect(reordered).toEqual(first);
  });

  it.each<[string, Parameters<typeof spec>[0]]>([
    ['another label', { nodePool: { labels: { team: 'api' } } }],
    ['another taint', { nodePool: { taints: [] } }],
    ['another max pods', { nodeClass: { kubelet: { maxPods: 110 } } }],
    ['another disk size', { nodeClass: { blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '21Gi' } }] } }],
    ['another hop limit', { nodeClass: { metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 } } }],
    ['another cluster endpoint', { cluster: { endpoint: 'https://other.example.com' } }],
    ['another tag', { nodeClass: { tags: { team: 'data' } } }],
  ])('gets a new name for %s', (_title, overrides) => {
    expect(spec(overrides).name).not.toBe(spec().name);
  });

  it('gets a new name for a new image or capacity type', () => {
    const base = { cluster, nodeClass, nodePool, imageFamily: 'al2023' as const, securityGroupIds: ['sg-1'] };
    const a = launchTemplateSpec({ ...base, imageId: 'ami-1', capacityType: 'spot' });
    expect(launchTemplateSpec({ ...base, imageId: 'ami-2', capacityType: 'spot' }).name).not.toBe(a.name);
    expect(launchTemplateSpec({ ...base, imageId: 'ami-1', capacityType: 'on-demand' }).name).not.toBe(a.name);
  });
});

// ---------------------------------------------------------------- Karpenter fields beyond the basics

/** Every kubelet setting Karpenter's EC2NodeClass carries besides the basics above. */
const EXTENDED_KUBELET: NodeClass['kubelet'] = {
  evictionHard: { 'memory.available': '5%' },
  evictionSoft: { 'nodefs.available': '15%', 'memory.available': '500Mi' },
  evictionSoftGracePeriod: { 'nodefs.available': '1m30s', 'memory.available': '1m0s' },
  evictionMaxPodGracePeriod: 60,
  imageGCHighThresholdPercent: 90,
  imageGCLowThresholdPercent: 70,
  cpuCFSQuota: false,
};

describe('launchTemplateSpec: soft eviction, image GC, CFS quota and instance store on each AMI family', () => {
  it('al2023: KubeletConfiguration fields in spec.kubelet.config, RAID0 in spec.instance.localStorage', () => {
    const config = nodeConfigOf(spec({ nodeClass: { kubelet: EXTENDED_KUBELET, instanceStorePolicy: 'RAID0' } }).userData) as NodeConfigDocument & {
      spec: { instance?: unknown };
    };
    expect(config.spec.kubelet.config).toEqual({
      evictionHard: { 'memory.available': '5%' },
      evictionSoft: { 'memory.available': '500Mi', 'nodefs.available': '15%' },
      evictionSoftGracePeriod: { 'memory.available': '1m0s', 'nodefs.available': '1m30s' },
      evictionMaxPodGracePeriod: 60,
      imageGCHighThresholdPercent: 90,
      imageGCLowThresholdPercent: 70,
      cpuCFSQuota: false,
    });
    expect(config.spec.instance).toEqual({ localStorage: { strategy: 'RAID0' } });
  });

  it('al2023: no instance section without an instance store policy', () => {
    expect(nodeConfigOf(spec().userData).spec).not.toHaveProperty('instance');
  });

  it('bottlerocket: settings.kubernetes keys, and the bootstrap command Karpenter writes for RAID0', () => {
    const toml = decode(spec({ family: 'bottlerocket', nodeClass: { kubelet: EXTENDED_KUBELET, instanceStorePolicy: 'RAID0' } }).userData);
    expect(toml).toBe(
      [
        '[settings.kubernetes]',
        `api-server = "${cluster.endpoint}"`,
        `cluster-certificate = "${cluster.certificateAuthority}"`,
        'cluster-name = "prod"',
        'eviction-max-pod-grace-period = 60',
        'image-gc-high-threshold-percent = "90"',
        'image-gc-low-threshold-percent = "70"',
        'cpu-cfs-quota-enforced = false',
        '',
        '[settings.kubernetes.node-labels]',
        '"karpenter.sh/capacity-type" = "spot"',
        '"karpenter.sh/nodepool" = "web"',
        'team = "web"',
        'tier = "frontend"',
        '',
        '[settings.kubernetes.node-taints]',
        'dedicated = ["web:NoSchedule"]',
        '"node.cilium.io/agent-not-ready" = [":NoExecute"]',
        '',
        '[settings.kubernetes.eviction-hard]',
        '"memory.available" = "5%"',
        '',
        '[settings.kubernetes.eviction-soft]',
        '"memory.available" = "500Mi"',
        '"nodefs.available" = "15%"',
        '',
        '[settings.kubernetes.eviction-soft-grace-period]',
        '"memory.available" = "1m0s"',
        '"nodefs.available" = "1m30s"',
        '',
        '[settings.bootstrap-commands.000-mount-instance-storage]',
        'commands = [["apiclient", "ephemeral-storage", "init"], ' +
          '["apiclient", "ephemeral-storage", "bind", "--dirs", "/var/lib/containerd", "/var/lib/kubelet", "/var/log/pods"]]',
        'mode = "always"',
        'essential = true',
        '',
      ].join('\n'),
    );
  });

  it("bottlerocket: nodewright's kubelet values replace the user's own for the same keys, others stay", () => {
    const userData = '[settings.kubernetes]\nimage-gc-high-threshold-percent = "99"\ncpu-cfs-quota-enforced = true\nallowed-unsafe-sysctls = ["net.core.somaxconn"]\n';
    const toml = decode(spec({ family: 'bottlerocket', nodeClass: { userData, kubelet: { imageGCHighThresholdPercent: 90, cpuCFSQuota: false } } }).userData);
    expect(toml).toContain('image-gc-high-threshold-percent = "90"');
    expect(toml).toContain('cpu-cfs-quota-enforced = false');
    expect(toml).not.toContain('"99"');
    expect(toml).toContain('allowed-unsafe-sysctls = ["net.core.somaxconn"]');
  });

  it('bottlerocket: no bootstrap command without an instance store policy', () => {
    expect(decode(spec({ family: 'bottlerocket', nodeClass: { kubelet: {} } }).userData)).not.toContain('bootstrap-commands');
  });

  it('al2: kubelet flags in --kubelet-extra-args and --local-disks raid0 for bootstrap.sh', () => {
    const script = mimeParts(decode(spec({ family: 'al2', nodeClass: { kubelet: EXTENDED_KUBELET, instanceStorePolicy: 'RAID0' } }).userData)).at(-1)![1];
    const extraArgs = /--kubelet-extra-args '([^']*)'/.exec(script)![1]!.split(' ');
    expect(extraArgs.slice(2)).toEqual([
      '--eviction-hard=memory.available<5%',
      '--eviction-soft=memory.available<500Mi,nodefs.available<15%',
      '--eviction-soft-grace-period=memory.available=1m0s,nodefs.available=1m30s',
      '--eviction-max-pod-grace-period=60',
      '--image-gc-high-threshold=90',
      '--image-gc-low-threshold=70',
      '--cpu-cfs-quota=false',
    ]);
    expect(script.trimEnd().endsWith('--local-disks raid0')).toBe(true);
    expect(mimeParts(decode(spec({ family: 'al2' }).userData)).at(-1)![1]).not.toContain('--local-disks');
  });
});

describe('launchTemplateSpec: monitoring and public IP', () => {
  it.each<[string, Partial<NodeClass>, { detailedMonitoring?: boolean; associatePublicIPAddress?: boolean }]>([
    ['neither', {}, {}],
    ['detailed monitoring on', { detailedMonitoring: true }, { detailedMonitoring: true }],
    ['detailed monitoring off, as if absent', { detailedMonitoring: false }, {}],
    ['public IP on', { associatePublicIPAddress: true }, { associatePublicIPAddress: true }],
    ['public IP explicitly off', { associatePublicIPAddress: false }, { associatePublicIPAddress: false }],
  ])('%s', (_title, classFields, expected) => {
    const result = spec({ nodeClass: classFields });
    expect({ detailedMonitoring: result.detailedMonitoring, associatePublicIPAddress: result.associatePublicIPAddress }).toEqual({
      detailedMonitoring: expected.detailedMonitoring,
      associatePublicIPAddress: expected.associatePublicIPAddress,
    });
    expect(Object.keys(result).filter((k) => k === 'detailedMonitoring' || k === 'associatePublicIPAddress').sort()).toEqual(Object.keys(expected).sort());
  });

  it('keeps the template name of a class that does not use them, and changes it when they are set', () => {
    const base = spec();
    expect(spec({ nodeClass: { detailedMonitoring: false } }).name).toBe(base.name);
    expect(spec({ nodeClass: { detailedMonitoring: true } }).name).not.toBe(base.name);
    expect(spec({ nodeClass: { associatePublicIPAddress: false } }).name).not.toBe(base.name);
    expect(spec({ nodeClass: { instanceStorePolicy: 'RAID0' } }).name).not.toBe(base.name);
    expect(spec({ nodeClass: { kubelet: { ...nodeClass.kubelet, cpuCFSQuota: false } } }).name).not.toBe(base.name);
  });

  it('passes a snapshot-restored volume through to the template', () => {
    const mappings = [{ deviceName: '/dev/xvdb', ebs: { snapshotID: 'snap-0abc', volumeType: 'gp3' } }];
    expect(spec({ nodeClass: { blockDeviceMappings: mappings } }).blockDeviceMappings).toEqual(mappings);
  });
});

describe('from EC2NodeClass YAML to the CreateLaunchTemplate request', () => {
  it('carries every new field of a Karpenter class onto what the node boots with', () => {
    const text = `
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: { name: fast-disks }
spec:
  role: KarpenterNodeRole-prod
  amiSelectorTerms: [{ alias: al2023@latest }]
  subnetSelectorTerms: [{ tags: { karpenter.sh/discovery: prod } }]
  securityGroupSelectorTerms: [{ tags: { karpenter.sh/discovery: prod } }]
  kubelet:
    evictionSoft: { memory.available: 500Mi }
    evictionSoftGracePeriod: { memory.available: 90s }
    imageGCHighThresholdPercent: 75
    imageGCLowThresholdPercent: 60
    cpuCFSQuota: false
  blockDeviceMappings:
    - { deviceName: /dev/xvda, rootVolume: true, ebs: { snapshotID: snap-0abc, volumeType: gp3 } }
  instanceStorePolicy: RAID0
  detailedMonitoring: true
  associatePublicIPAddress: false
`;
    const [loaded] = parseNodeConfig([{ name: 'fast-disks.yaml', text }]).nodeClasses;
    const { family } = imageFamilyOf(loaded!);
    const template = launchTemplateSpec({ cluster, nodeClass: loaded!, nodePool, imageId: 'ami-0abc', imageFamily: family, securityGroupIds: ['sg-9'] });
    const data = createLaunchTemplateInput(template).LaunchTemplateData!;

    expect(data.Monitoring).toEqual({ Enabled: true });
    expect(data.NetworkInterfaces).toEqual([{ DeviceIndex: 0, AssociatePublicIpAddress: false, Groups: ['sg-9'] }]);
    expect(data.SecurityGroupIds).toBeUndefined();
    expect(data.BlockDeviceMappings).toEqual([{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-0abc', VolumeType: 'gp3' } }]);
    const config = nodeConfigOf(Buffer.from(data.UserData!, 'base64').toString('utf8')) as NodeConfigDocument & { spec: { instance?: unknown } };
    expect(config.spec.kubelet.config).toEqual({
      evictionSoft: { 'memory.available': '500Mi' },
      evictionSoftGracePeriod: { 'memory.available': '1m30s' },
      imageGCHighThresholdPercent: 75,
      imageGCLowThresholdPercent: 60,
      cpuCFSQuota: false,
    });
    expect(config.spec.instance).toEqual({ localStorage: { strategy: 'RAID0' } });
  });
});
