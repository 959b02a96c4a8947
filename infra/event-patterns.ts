// The EventBridge patterns that feed the interruption queue: every AWS event that says an
// instance is about to go away, or already has. Checked against the EC2, Health and Auto Scaling
// event references and against Karpenter's interruption-queue CloudFormation; Karpenter takes every
// Health event and every state change, nodewright narrows both to what it acts on, so fewer
// messages cross the queue.
import type { EventPattern } from 'aws-cdk-lib/aws-events';

export interface InterruptionRuleSpec {
  /** Construct id of the rule, also what its description names. */
  id: string;
  description: string;
  pattern: EventPattern;
}

/** States after which the instance will not serve pods again; `pending`/`running` are left out. */
export const DEPARTING_INSTANCE_STATES = ['stopping', 'stopped', 'shutting-down', 'terminated'];

export function interruptionRuleSpecs(autoScalingGroupNames?: readonly string[]): InterruptionRuleSpec[] {
  const lifecycleDetail = autoScalingGroupNames && autoScalingGroupNames.length > 0
    ? { detail: { AutoScalingGroupName: [...autoScalingGroupNames] } }
    : {};
  return [
    {
      id: 'SpotInterruptionRule',
      description: 'nodewright: EC2 spot interruption warning (2 minutes before reclaim)',
      pattern: { source: ['aws.ec2'], detailType: ['EC2 Spot Instance Interruption Warning'] },
    },
    {
      id: 'RebalanceRecommendationRule',
      description: 'nodewright: EC2 instance rebalance recommendation (elevated risk of spot interruption)',
      pattern: { source: ['aws.ec2'], detailType: ['EC2 Instance Rebalance Recommendation'] },
    },
    {
      id: 'CapacityReservationInterruptionRule',
      description: 'nodewright: interruptible Capacity Reservation reclaiming an instance (2 minutes)',
      pattern: { source: ['aws.ec2'], detailType: ['EC2 Capacity Reservation Instance Interruption Warning'] },
    },
    {
      id: 'InstanceStateChangeRule',
      description: 'nodewright: EC2 instance stopping, stopped, shutting down or terminated',
      pattern: {
        source: ['aws.ec2'],
        detailType: ['EC2 Instance State-change Notification'],
        detail: { state: [...DEPARTING_INSTANCE_STATES] },
      },
    },
    {
      id: 'ScheduledChangeRule',
      description: 'nodewright: AWS Health scheduled change for EC2 (retirement, maintenance)',
      pattern: {
        source: ['aws.health'],
        detailType: ['AWS Health Event'],
        detail: { service: ['EC2'], eventTypeCategory: ['scheduledChange'] },
      },
    },
    {
      id: 'AutoScalingTerminateRule',
      description: 'nodewright: Auto Scaling instance-terminate lifecycle action',
      pattern: {
        source: ['aws.autoscaling'],
        detailType: ['EC2 Instance-terminate Lifecycle Action'],
        ...lifecycleDetail,
      },
    },
  ];
}
