// Schemas of the data the spot-interruption workflow carries between its steps. Each handler
// validates its input against one of these, so a hand-edited execution input fails with the field named.

import { z } from 'zod';

const isoTime = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'expected an ISO 8601 time');
export const instanceIdSchema = z.string().regex(/^i-[0-9a-f]{8,17}$/, 'expected an EC2 instance id like i-0123456789abcdef0');

export const noticeSchema = z.object({
  instanceId: instanceIdSchema,
  kind: z.enum([
    'spot-interruption',
    'rebalance-recommendation',
    'instance-stopping',
    'instance-stopped',
    'instance-shutting-down',
    'instance-terminated',
    'scheduled-change',
    'capacity-reservation-interruption',
    'asg-terminate',
    'operator-drill',
  ]),
  deadline: isoTime.nullable(),
  time: isoTime,
  eventId: z.string().min(1),
  region: z.string().min(1),
  lifecycle: z
    .object({
      autoScalingGroupName: z.string().min(1),
      lifecycleHookName: z.string().min(1),
      lifecycleActionToken: z.string().min(1),
    })
    .optional(),
});

export const actionSchema = z.object({
  replace: z.boolean(),
  drain: z.enum(['now', 'after-replacement']),
  drainDeadline: isoTime,
  terminate: z.boolean(),
  completeLifecycleAction: z.boolean(),
});

/** The node being replaced, as prepare-interruption found it. */
export const nodeRefSchema = z.object({
  name: z.string().min(1),
  nodePool: z.string().nullable(),
});

export const pricedOfferingSchema = z.object({
  instanceType: z.string(),
  zone: z.string(),
  capacityType: z.enum(['spot', 'on-demand']),
  price: z.number(),
});

export const subnetSchema = z.object({
  subnetId: z.string(),
  zone: z.string(),
  availableIpAddressCount: z.number(),
});

export const replacementPlanSchema = z.object({
  nodePool: z.string(),
  nodeClass: z.string(),
  capacityType: z.enum(['spot', 'on-demand']),
  offerings: z.array(pricedOfferingSchema).min(1),
  subnets: z.array(subnetSchema).min(1),
});

export { isoTime };
export type NodeRef = z.infer<typeof nodeRefSchema>;
export type ReplacementPlanState = z.infer<typeof replacementPlanSchema>;
