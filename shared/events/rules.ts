// The EventBridge rules that feed nodewright's queue: the infra deploys exactly these patterns and
// the simulator's event bus filters with them, so both see the same events.

export type EventPattern = { [key: string]: string[] | EventPattern };

export interface EventRule {
  /** Stable id, used in resource names. */
  id: string;
  description: string;
  pattern: EventPattern;
}

export const INTERRUPTION_RULES: EventRule[] = [
  {
    id: 'Ec2InterruptionWarnings',
    description: 'Spot interruption warnings, rebalance recommendations and capacity reservation interruptions',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': [
        'EC2 Spot Instance Interruption Warning',
        'EC2 Instance Rebalance Recommendation',
        'EC2 Capacity Reservation Instance Interruption Warning',
      ],
    },
  },
  {
    id: 'Ec2InstanceGone',
    description: 'Instances stopping or terminating: their nodes must be replaced',
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['stopping', 'stopped', 'shutting-down', 'terminated'] },
    },
  },
  {
    id: 'HealthScheduledChanges',
    description: 'AWS Health scheduled changes to EC2 instances (retirement, maintenance)',
    pattern: {
      source: ['aws.health'],
      'detail-type': ['AWS Health Event'],
      detail: { service: ['EC2'], eventTypeCategory: ['scheduledChange'] },
    },
  },
  {
    id: 'AutoScalingTerminations',
    description: 'Auto Scaling terminate lifecycle actions of managed node groups',
    pattern: {
      source: ['aws.autoscaling'],
      'detail-type': ['EC2 Instance-terminate Lifecycle Action'],
    },
  },
];

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
