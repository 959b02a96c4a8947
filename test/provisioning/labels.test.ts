import { describe, expect, it } from 'vitest';
import { catalog, nodeLabels, regionOfZone } from '../../shared/provisioning/index.ts';

const type = (name: string) => {
  const t = catalog().get(name);
  if (!t) throw new Error(`fixture type ${name} missing from the catalog`);
  return t;
};

describe('nodeLabels', () => {
  it('gives an m5.large on spot in us-east-1a every well-known label, in Karpenter units', () => {
    expect(nodeLabels(type('m5.large'), 'us-east-1a', 'spot')).toEqual({
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/os': 'linux',
      'node.kubernetes.io/instance-type': 'm5.large',
      'topology.kubernetes.io/zone': 'us-east-1a',
      'topology.kubernetes.io/region': 'us-east-1',
      'karpenter.sh/capacity-type': 'spot',
      'karpenter.k8s.aws/instance-category': 'm',
      'karpenter.k8s.aws/instance-family': 'm5',
      'karpenter.k8s.aws/instance-generation': '5',
      'karpenter.k8s.aws/instance-size': 'large',
      'karpenter.k8s.aws/instance-cpu': '2',
      'karpenter.k8s.aws/instance-cpu-manufacturer': 'intel',
      'karpenter.k8s.aws/instance-memory': '8192', // MiB
      'karpenter.k8s.aws/instance-hypervisor': 'nitro',
      'karpenter.k8s.aws/instance-encryption-in-transit-supported': 'false',
      'karpenter.k8s.aws/instance-network-bandwidth': '750', // Mbps: 0.75 Gbps baseline
      'karpenter.k8s.aws/instance-ebs-bandwidth': '4750', // Mbps
    });
  });

  it.each([
    // type, zone, capacity type, label, expected value
    ['g5.xlarge', 'us-west-2b', 'on-demand', 'karpenter.k8s.aws/instance-gpu-name', 'a10g'],
    ['g5.xlarge', 'us-west-2b', 'on-demand', 'karpenter.k8s.aws/instance-gpu-manufacturer', 'nvidia'],
    ['g5.xlarge', 'us-west-2b', 'on-demand', 'karpenter.k8s.aws/instance-gpu-count', '1'],
    ['g5.xlarge', 'us-west-2b', 'on-demand', 'karpenter.k8s.aws/instance-gpu-memory', '22888'],
    ['g5.xlarge', 'us-west-2b', 'on-demand', 'karpenter.k8s.aws/instance-local-nvme', '250'],
    ['g5.xlarge', 'us-west-2b', 'on-demand', 'karpenter.k8s.aws/instance-cpu-manufacturer', 'amd'],
    ['g5.xlarge', 'us-west-2b', 'on-demand', 'topology.kubernetes.io/region', 'us-west-2'],
    ['inf2.xlarge', 'us-east-1c', 'on-demand', 'karpenter.k8s.aws/instance-accelerator-name', 'inferentia2'],
    ['inf2.xlarge', 'us-east-1c', 'on-demand', 'karpenter.k8s.aws/instance-accelerator-manufacturer', 'aws'],
    ['inf2.xlarge', 'us-east-1c', 'on-demand', 'karpenter.k8s.aws/instance-accelerator-count', '1'],
    ['p5.48xlarge', 'us-east-1a', 'on-demand', 'karpenter.k8s.aws/instance-network-bandwidth', '3200000'],
    ['m6g.large', 'eu-west-1a', 'spot', 'kubernetes.io/arch', 'arm64'],
    ['m6g.large', 'eu-west-1a', 'spot', 'karpenter.k8s.aws/instance-cpu-manufacturer', 'aws'],
    ['m5.metal', 'us-east-1a', 'on-demand', 'karpenter.k8s.aws/instance-hypervisor', ''],
    ['m5.metal', 'us-east-1a', 'on-demand', 'karpenter.k8s.aws/instance-size', 'metal'],
    ['c7i.metal-48xl', 'us-east-1a', 'on-demand', 'karpenter.k8s.aws/instance-size', 'metal-48xl'],
    ['u-6tb1.112xlarge', 'us-east-1a', 'on-demand', 'karpenter.k8s.aws/instance-family', 'u-6tb1'],
    ['t3.micro', 'us-east-1a', 'on-demand', 'karpenter.k8s.aws/instance-network-bandwidth', '64'],
  ] as const)('%s in %s (%s): %s = %j', (name, zone, capacityType, label, value) => {
    expect(nodeLabels(type(name), zone, capacityType)[label]).toBe(value);
  });

  it('omits GPU, accelerator and NVMe labels on types without them', () => {
    const labels = nodeLabels(type('m5.large'), 'us-east-1a', 'on-demand');
    for (const key of Object.keys(labels)) expect(key).not.toMatch(/gpu|accelerator|local-nvme/);
  });
});

describe('regionOfZone', () => {
  it.each([
    ['us-east-1a', 'us-east-1'],
    ['ap-northeast-2d', 'ap-northeast-2'],
    ['us-east-1-bos-1a', 'us-east-1'],
    ['us-gov-west-1b', 'us-gov-west-1'],
  ])('%s is in %s', (zone, region) => expect(regionOfZone(zone)).toBe(region));
});
