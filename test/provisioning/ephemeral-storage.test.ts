// Which volume holds a node's ephemeral storage, and how big it is, per EC2NodeClass: the same
// answers Karpenter's AWS provider gives before launch.
import { describe, expect, it } from 'vitest';
import { catalog } from '../../shared/provisioning/index.ts';
import { ephemeralStorageCapacityBytes } from '../../shared/provisioning/ephemeral-storage.ts';
import type { BlockDeviceMapping } from '../../shared/types.ts';
import { GiB, nodeClass } from './fixtures.ts';

const type = (name: string) => catalog().get(name)!;
const disk = (deviceName: string, volumeSize: string, rootVolume?: boolean): BlockDeviceMapping => ({
  deviceName, ebs: { volumeSize, volumeType: 'gp3' }, ...(rootVolume ? { rootVolume } : {}),
});
const al2023 = [{ alias: 'al2023@latest' }];
const bottlerocket = [{ alias: 'bottlerocket@latest' }];

describe('ephemeralStorageCapacityBytes', () => {
  it.each([
    ['no mappings: the 20Gi default', nodeClass({ amiSelectorTerms: al2023 }), 'm5.large', 20 * GiB],
    ['no mappings on Bottlerocket: its 20Gi data volume', nodeClass({ amiSelectorTerms: bottlerocket }), 'm5.large', 20 * GiB],
    ['the mapping marked rootVolume, wherever it is', nodeClass({ amiSelectorTerms: al2023, blockDeviceMappings: [disk('/dev/xvda', '30Gi'), disk('/dev/xvdf', '200Gi', true)] }), 'm5.large', 200 * GiB],
    ['AL2023 without rootVolume: /dev/xvda', nodeClass({ amiSelectorTerms: al2023, blockDeviceMappings: [disk('/dev/xvda', '80Gi'), disk('/dev/xvdf', '500Gi')] }), 'm5.large', 80 * GiB],
    ['Bottlerocket without rootVolume: /dev/xvdb, not the OS disk', nodeClass({ amiSelectorTerms: bottlerocket, blockDeviceMappings: [disk('/dev/xvda', '4Gi'), disk('/dev/xvdb', '50Gi')] }), 'm5.large', 50 * GiB],
    ['AL2023 mappings without its device: the default', nodeClass({ amiSelectorTerms: al2023, blockDeviceMappings: [disk('/dev/xvdf', '500Gi')] }), 'm5.large', 20 * GiB],
    ['Custom: the last mapping', nodeClass({ amiFamily: 'Custom', amiSelectorTerms: [{ id: 'ami-0123456789abcdef0' }], blockDeviceMappings: [disk('/dev/xvda', '30Gi'), disk('/dev/xvdb', '60Gi')] }), 'm5.large', 60 * GiB],
    // m5d.large has one 75 GB NVMe disk; EC2 counts it in decimal GB.
    ['RAID0 on a type with instance store: the store', nodeClass({ amiSelectorTerms: al2023, instanceStorePolicy: 'RAID0' }), 'm5d.large', 75e9],
    ['RAID0 on a type without: the EBS volume', nodeClass({ amiSelectorTerms: al2023, instanceStorePolicy: 'RAID0' }), 'm5.large', 20 * GiB],
  ])('%s', (_name, cls, typeName, bytes) => {
    expect(ephemeralStorageCapacityBytes(type(typeName), cls)).toBe(bytes);
  });
});
