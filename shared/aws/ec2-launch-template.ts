// A LaunchTemplateSpec as an EC2 CreateLaunchTemplate input.

import type {
  CreateLaunchTemplateCommandInput,
  LaunchTemplateBlockDeviceMappingRequest,
  RequestLaunchTemplateData,
  VolumeType,
} from '@aws-sdk/client-ec2';
import { parseQuantity } from '../config/index.ts';
import { InvalidInputError } from '../errors.ts';
import type { BlockDeviceMapping, LaunchTemplateSpec } from '../types.ts';
import { recordToTags } from './ec2-instances.ts';

const GIB = 2 ** 30;

/**
 * An EBS volume size in GiB (EBS counts whole GiB) from a Kubernetes quantity such as `20Gi`,
 * `1Ti` or `100G`; rounded up so the volume is never smaller than asked.
 */
export function volumeSizeGiB(quantity: string, field = 'volumeSize'): number {
  let bytes: number;
  try {
    bytes = parseQuantity(quantity);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError(`${field} ${JSON.stringify(quantity)} is not a size (${reason})`);
  }
  // parseQuantity keeps 12 significant digits, so 1Ti arrives a few bytes over 1024 GiB: round
  // away that noise (a millionth of a GiB) before rounding up.
  const gib = Math.ceil(Number((bytes / GIB).toFixed(6)));
  if (gib < 1) throw new InvalidInputError(`${field} ${JSON.stringify(quantity)} is smaller than 1Gi, the smallest EBS volume`);
  return gib;
}

function blockDeviceMapping(mapping: BlockDeviceMapping, index: number): LaunchTemplateBlockDeviceMappingRequest {
  const { ebs } = mapping;
  const field = `blockDeviceMappings[${index}].ebs.volumeSize`;
  return {
    DeviceName: mapping.deviceName,
    Ebs: {
      ...(ebs.volumeSize !== undefined ? { VolumeSize: volumeSizeGiB(ebs.volumeSize, field) } : {}),
      ...(ebs.volumeType !== undefined ? { VolumeType: ebs.volumeType as VolumeType } : {}),
      ...(ebs.iops !== undefined ? { Iops: ebs.iops } : {}),
      ...(ebs.throughput !== undefined ? { Throughput: ebs.throughput } : {}),
      ...(ebs.encrypted !== undefined ? { Encrypted: ebs.encrypted } : {}),
      ...(ebs.kmsKeyID !== undefined ? { KmsKeyId: ebs.kmsKeyID } : {}),
      ...(ebs.deleteOnTermination !== undefined ? { DeleteOnTermination: ebs.deleteOnTermination } : {}),
      ...(ebs.snapshotID !== undefined ? { SnapshotId: ebs.snapshotID } : {}),
    },
  };
}

/**
 * Where the security groups go. A public IP choice needs a network interface in the template, and
 * EC2 refuses instance-level security groups next to one (InvalidParameterCombination), so the
 * groups move into that interface. The subnet stays out: the fleet's overrides choose it.
 */
function networking(spec: LaunchTemplateSpec): Pick<RequestLaunchTemplateData, 'SecurityGroupIds' | 'NetworkInterfaces'> {
  if (spec.associatePublicIPAddress === undefined) return { SecurityGroupIds: [...spec.securityGroupIds] };
  return {
    NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: spec.associatePublicIPAddress, Groups: [...spec.securityGroupIds] }],
  };
}

/**
 * `spec.userData` is the plain text the node boots with (a MIME multipart or a TOML document);
 * EC2 wants launch template user data base64-encoded.
 */
export function createLaunchTemplateInput(spec: LaunchTemplateSpec): CreateLaunchTemplateCommandInput {
  const tags = recordToTags(spec.tags);
  return {
    LaunchTemplateName: spec.name,
    LaunchTemplateData: {
      ImageId: spec.imageId,
      ...networking(spec),
      ...(spec.detailedMonitoring ? { Monitoring: { Enabled: true } } : {}),
      ...(spec.instanceProfile ? { IamInstanceProfile: { Name: spec.instanceProfile } } : {}),
      UserData: Buffer.from(spec.userData, 'utf8').toString('base64'),
      BlockDeviceMappings: spec.blockDeviceMappings.map(blockDeviceMapping),
      MetadataOptions: {
        HttpEndpoint: 'enabled',
        HttpTokens: spec.metadataOptions.httpTokens,
        HttpPutResponseHopLimit: spec.metadataOptions.httpPutResponseHopLimit,
      },
      ...(tags.length > 0
        ? { TagSpecifications: [{ ResourceType: 'instance', Tags: tags }, { ResourceType: 'volume', Tags: tags }] }
        : {}),
    },
    ...(tags.length > 0 ? { TagSpecifications: [{ ResourceType: 'launch-template', Tags: tags }] } : {}),
  };
}
