// How big the volume is that holds a node's ephemeral storage (the kubelet's nodefs: container
// writable layers, emptyDirs, logs), worked out from the EC2NodeClass the way Karpenter's AWS
// provider does before launch: the instance store when it is striped for that (RAID0), else the
// mapping marked rootVolume, else the image family's ephemeral device in blockDeviceMappings
// (/dev/xvda; /dev/xvdb on Bottlerocket, whose /dev/xvda holds only the OS), else 20Gi.
import type { NodeClass } from '../types.ts';
import { DEFAULT_EPHEMERAL_STORAGE_BYTES } from './allocatable.ts';
import { knownImageFamily, type ImageFamily } from './launch-template.ts';
import type { InstanceTypeInfo } from './model.ts';
import { parseBytes } from './quantity.ts';

const EPHEMERAL_DEVICE: Record<Exclude<ImageFamily, 'custom'>, string> = {
  al2: '/dev/xvda',
  al2023: '/dev/xvda',
  bottlerocket: '/dev/xvdb',
};

/** EC2 reports instance storage in decimal GB. */
const GB = 1e9;

export function ephemeralStorageCapacityBytes(type: InstanceTypeInfo, nodeClass: NodeClass): number {
  if (nodeClass.instanceStorePolicy === 'RAID0' && type.localNvmeGiB) return type.localNvmeGiB * GB;
  const mappings = nodeClass.blockDeviceMappings;
  const sizeOf = (volumeSize: string | undefined, index: number) =>
    volumeSize === undefined ? undefined : parseBytes(volumeSize, `blockDeviceMappings[${index}].ebs.volumeSize`);
  const root = mappings.findIndex((m) => m.rootVolume);
  const rootSize = root >= 0 ? sizeOf(mappings[root]!.ebs?.volumeSize, root) : undefined;
  if (rootSize !== undefined) return rootSize;
  const family = knownImageFamily(nodeClass);
  if (mappings.length > 0 && family === 'custom') {
    // Nobody can know which disk a custom image puts nodefs on: Karpenter takes the last one.
    return sizeOf(mappings[mappings.length - 1]!.ebs?.volumeSize, mappings.length - 1) ?? DEFAULT_EPHEMERAL_STORAGE_BYTES;
  }
  if (family && family !== 'custom') {
    const device = mappings.findIndex((m) => m.deviceName === EPHEMERAL_DEVICE[family]);
    const size = device >= 0 ? sizeOf(mappings[device]!.ebs?.volumeSize, device) : undefined;
    if (size !== undefined) return size;
  }
  return DEFAULT_EPHEMERAL_STORAGE_BYTES;
}
