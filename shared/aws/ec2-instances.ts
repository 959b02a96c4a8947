// EC2's view of an instance, tags and states translated into the domain's Instance.

import type { Instance as Ec2Instance, Tag } from '@aws-sdk/client-ec2';
import type { CapacityType, Instance, InstanceState } from '../types.ts';

const INSTANCE_STATES: ReadonlySet<string> = new Set<InstanceState>([
  'pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated',
]);

/** States in which an instance still exists as far as nodewright cares (it may run a node). */
export const LIVE_INSTANCE_STATES: InstanceState[] = ['pending', 'running', 'stopping', 'stopped'];

export function tagsToRecord(tags: Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  }
  return record;
}

export function recordToTags(record: Record<string, string>): Tag[] {
  return Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
}

/**
 * The domain view of a described instance. EC2 reports spot instances with
 * `InstanceLifecycle: 'spot'` and leaves the field out for on-demand ones; capacity blocks and
 * scheduled instances are paid up front, so they count as on-demand here.
 */
export function toInstance(described: Ec2Instance): Instance {
  const instanceId = described.InstanceId;
  if (!instanceId) throw new Error('DescribeInstances returned an instance without InstanceId');
  const state = described.State?.Name;
  if (state === undefined || !INSTANCE_STATES.has(state)) {
    throw new Error(`DescribeInstances returned instance ${instanceId} in unknown state ${JSON.stringify(state)}`);
  }
  const capacityType: CapacityType = described.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand';
  const launchTime = described.LaunchTime instanceof Date ? described.LaunchTime.toISOString() : String(described.LaunchTime ?? '');
  return {
    instanceId,
    instanceType: described.InstanceType ?? '',
    zone: described.Placement?.AvailabilityZone ?? '',
    capacityType,
    state: state as InstanceState,
    launchTime,
    tags: tagsToRecord(described.Tags),
    ...(described.PrivateDnsName ? { privateDnsName: described.PrivateDnsName } : {}),
  };
}
