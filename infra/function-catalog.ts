// The Lambda functions of the spot-interruption path: their names, where their code lives and
// the few facts the construct needs about each one. Their IAM permissions live in permissions.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The router in front of the workflow; fed by the interruption queue. */
export const ROUTER_FUNCTION = 'route-event';

/** The workflow's task functions, in the order the workflow usually calls them. */
export const TASK_FUNCTIONS = [
  'prepare-interruption',
  'cordon-node',
  'plan-replacement',
  'launch-replacement',
  'check-replacement',
  'drain-node',
  'terminate-instance',
  'complete-lifecycle-action',
] as const;

export type TaskFunctionName = (typeof TASK_FUNCTIONS)[number];
export type SpotInterruptionFunctionName = typeof ROUTER_FUNCTION | TaskFunctionName;

export const SPOT_INTERRUPTION_FUNCTIONS: readonly SpotInterruptionFunctionName[] = [ROUTER_FUNCTION, ...TASK_FUNCTIONS];

/**
 * Functions that talk to the Kubernetes API and so need an EKS access entry. launch-replacement
 * only reads the cluster's endpoint, CA and version from EKS to build user data; route-event and
 * complete-lifecycle-action never reach the cluster.
 */
export const KUBERNETES_API_FUNCTIONS: ReadonlySet<SpotInterruptionFunctionName> = new Set([
  'prepare-interruption',
  'cordon-node',
  'plan-replacement',
  'check-replacement',
  'drain-node',
  'terminate-instance',
]);

/**
 * Seconds each function may run. Every call is one bounded step (the workflow does the waiting),
 * so the limits are tight; drain-node evicts a whole node's pods in one call and gets the most.
 */
export const FUNCTION_TIMEOUT_SECONDS: Readonly<Record<SpotInterruptionFunctionName, number>> = {
  'route-event': 20,
  'prepare-interruption': 20,
  'cordon-node': 20,
  'plan-replacement': 30,
  'launch-replacement': 60,
  'check-replacement': 20,
  'drain-node': 60,
  'terminate-instance': 20,
  'complete-lifecycle-action': 20,
};

/** `plan-replacement` -> `PlanReplacement`, as used in the workflow's `${PlanReplacementFunctionArn}`. */
export function pascalName(functionName: string): string {
  return functionName
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** The workflow placeholder a task function's ARN replaces. */
export function workflowPlaceholder(functionName: TaskFunctionName): string {
  return `${pascalName(functionName)}FunctionArn`;
}

/** `functions/<name>/index.ts` under `functionsRoot`. */
export function functionEntry(functionsRoot: string, functionName: string): string {
  return join(functionsRoot, functionName, 'index.ts');
}

/** The functions whose entry file is not there yet; empty when all are. */
export function missingFunctionEntries(functionsRoot: string): SpotInterruptionFunctionName[] {
  return SPOT_INTERRUPTION_FUNCTIONS.filter((name) => !existsSync(functionEntry(functionsRoot, name)));
}
