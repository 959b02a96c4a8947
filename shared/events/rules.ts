// The EventBridge rules that feed nodewright's queue: the infra deploys exactly these patterns and
// the simulator's event bus filters with them, so both see the same events. Patterns are written
// as EventBridge's JSON has them ('detail-type', not CDK's detailType).

export type EventPattern = { [key: string]: string[] | EventPattern };

export interface EventRule {
  /** Stable id, used in resource names. */
  id: string;
  description: string;
  pattern: EventPattern;
}

/** States after which an instance will not serve pods again; `pending` and `running` are left out. */
export const DEPARTING_INSTANCE_STATES = ['stopping', 'stopped', 'shutting-down', 'terminated'];

/**
 * Every AWS event that says an instance is about to go away, or already has. Karpenter's
 * interruption queue takes every Health event and every state change; these narrow both to what
 * nodewright acts on, so fewer messages cross the queue. With Auto Scaling group names given, the
 * lifecycle rule only takes those groups' actions.
 */
export function interruptionRules(autoScalingGroupNames: readonly string[] = []): EventRule[] {
  return [
    {
      id: 'SpotInterruptionRule',
      description: 'nodewright: EC2 spot interruption warning (2 minutes before reclaim)',
      pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
    },
    {
      id: 'RebalanceRecommendationRule',
      description: 'nodewright: EC2 instance rebalance recommendation (elevated risk of spot interruption)',
      pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
    },
    {
      id: 'CapacityReservationInterruptionRule',
      description: 'nodewright: interruptible Capacity Reservation reclaiming an instance (2 minutes)',
      pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Capacity Reservation Instance Interruption Warning'] },
    },
    {
      id: 'InstanceStateChangeRule',
      description: 'nodewright: EC2 instance stopping, stopped, shutting down or terminated',
      pattern: {
        source: ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: [...DEPARTING_INSTANCE_STATES] },
      },
    },
    {
      id: 'ScheduledChangeRule',
      description: 'nodewright: AWS Health scheduled change for EC2 (retirement, maintenance)',
      pattern: {
        source: ['aws.health'],
        'detail-type': ['AWS Health Event'],
        detail: { service: ['EC2'], eventTypeCategory: ['scheduledChange'] },
      },
    },
    {
      id: 'AutoScalingTerminateRule',
      description: 'nodewright: Auto Scaling instance-terminate lifecycle action',
      pattern: {
        source: ['aws.autoscaling'],
        'detail-type': ['EC2 Instance-terminate Lifecycle Action'],
        ...(autoScalingGroupNames.length > 0 ? { detail: { AutoScalingGroupName: [...autoScalingGroupNames] } } : {}),
      },
    },
  ];
}

export const INTERRUPTION_RULES: EventRule[] = interruptionRules();

/**
 * EventBridge's matching for the subset of pattern syntax nodewright uses: every key of the pattern
 * must be present; a list matches when the event's value (or any element of an array value) is in it.
 */
export function matchesPattern(event: unknown, pattern: EventPattern): boolean {
  if (event === null || typeof event !== 'object') return false;
  const record = event as Record<string, unknown>;
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = record[key];
    if (Array.isArray(expected)) {
      const values = Array.isArray(actual) ? actual : [actual];
      return values.some((value) => typeof value === 'string' && expected.includes(value));
    }
    return matchesPattern(actual, expected);
  });
}

export function matchesAnyRule(event: unknown, rules: EventRule[] = INTERRUPTION_RULES): boolean {
  return rules.some((rule) => matchesPattern(event, rule.pattern));
}
