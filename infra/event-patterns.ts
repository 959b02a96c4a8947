// The EventBridge rules of shared/events/rules.ts in the shape CDK's Rule takes: one list of
// patterns serves the deployed rules and the simulator's event bus alike.
import type { EventPattern } from 'aws-cdk-lib/aws-events';
import { DEPARTING_INSTANCE_STATES, interruptionRules, type EventPattern as RawPattern } from '../shared/events/rules.ts';

export { DEPARTING_INSTANCE_STATES };

export interface InterruptionRuleSpec {
  /** Construct id of the rule, also what its description names. */
  id: string;
  description: string;
  pattern: EventPattern;
}

export function interruptionRuleSpecs(autoScalingGroupNames?: readonly string[]): InterruptionRuleSpec[] {
  return interruptionRules(autoScalingGroupNames).map((rule) => ({
    id: rule.id,
    description: rule.description,
    pattern: toCdkPattern(rule.pattern),
  }));
}

/** EventBridge's top-level keys as CDK names them; below the top level CDK passes keys through. */
function toCdkPattern(raw: RawPattern): EventPattern {
  const { 'detail-type': detailType, ...rest } = raw;
  return { ...rest, ...(detailType ? { detailType } : {}) } as EventPattern;
}
