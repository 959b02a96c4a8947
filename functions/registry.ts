// Every Lambda of nodewright, by the name of its folder: the simulator binds workflow Task states
// to these, and infra deploys one function per entry.

import { checkReplacement } from './check-replacement/handler.ts';
import { completeLifecycleAction } from './complete-lifecycle-action/handler.ts';
import { cordonNode } from './cordon-node/handler.ts';
import { drainNode } from './drain-node/handler.ts';
import { launchReplacement } from './launch-replacement/handler.ts';
import { planReplacementStep } from './plan-replacement/handler.ts';
import { prepareInterruption } from './prepare-interruption/handler.ts';
import { routeEvent } from './route-event/handler.ts';
import { terminateInstance } from './terminate-instance/handler.ts';
import type { Ports } from '../shared/ports.ts';
import type { LambdaHandler } from '../shared/runtime/handler.ts';

export const functions = {
  'route-event': routeEvent,
  'prepare-interruption': prepareInterruption,
  'cordon-node': cordonNode,
  'plan-replacement': planReplacementStep,
  'launch-replacement': launchReplacement,
  'check-replacement': checkReplacement,
  'drain-node': drainNode,
  'terminate-instance': terminateInstance,
  'complete-lifecycle-action': completeLifecycleAction,
} satisfies Record<string, (ports: Ports) => LambdaHandler<unknown>>;

export type FunctionName = keyof typeof functions;

/** `cordon-node` -> `CordonNodeFunctionArn`: the placeholder a workflow's Task Resource uses. */
export function arnPlaceholder(name: FunctionName): string {
  const pascal = name.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
  return `${pascal}FunctionArn`;
}
