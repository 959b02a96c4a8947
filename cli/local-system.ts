// The whole of nodewright in one process on the simulator: the sim adapters behind the ports, the
// real handlers from functions/, the real ASL files run by aws-local-stepfunctions, and EventBridge
// -> SQS -> route-event as in AWS. The one composition root for the simulator and the tests.

import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { arnPlaceholder, functions, type FunctionName } from '../functions/registry.ts';
import { localContext, type LambdaHandler } from '../shared/runtime/handler.ts';
import type { Ports, WorkflowName } from '../shared/ports.ts';
import { simPorts } from '../shared/sim/adapters.ts';
import { SimEventBus, SimQueue, type SqsBatch } from '../shared/sim/queue.ts';
import { LocalStepFunctions } from '../shared/sim/workflows.ts';
import type { SimWorld } from '../shared/sim/world.ts';

const WORKFLOW_FILES: Record<WorkflowName, URL> = {
  'spot-interruption': new URL('../workflows/spot-interruption.asl.json', import.meta.url),
};

export interface LocalSystem {
  world: SimWorld;
  ports: Ports;
  workflows: LocalStepFunctions;
  queue: SimQueue;
  bus: SimEventBus;
  /** Invocations per function, as CloudWatch would count them. */
  invocations: Record<string, number>;
  /** True while messages wait in the queue or executions run. */
  busy(): boolean;
}

export function createLocalSystem(world: SimWorld): LocalSystem {
  const invocations: Record<string, number> = {};
  const placeholders = new Map<string, FunctionName>(
    (Object.keys(functions) as FunctionName[]).map((name) => [arnPlaceholder(name), name]),
  );
  const handlers = new Map<FunctionName, LambdaHandler<unknown>>();
  const invoke = (name: FunctionName) => (input: unknown) => {
    invocations[name] = (invocations[name] ?? 0) + 1;
    return handlers.get(name)!(input, localContext(name, randomUUID()));
  };

  const workflows = new LocalStepFunctions(
    Object.fromEntries(
      Object.entries(WORKFLOW_FILES).map(([name, url]) => [name, readFileSync(url, 'utf8')]),
    ) as Record<WorkflowName, string>,
    (placeholder) => {
      const name = placeholders.get(placeholder);
      if (!name) throw new Error(`workflow names ${placeholder}, which no function in functions/registry.ts provides`);
      return invoke(name);
    },
    () => world.clock.now(),
  );
  const ports: Ports = { ...simPorts(world), workflows };
  for (const name of Object.keys(functions) as FunctionName[]) handlers.set(name, functions[name](ports));

  const route = invoke('route-event') as (batch: SqsBatch) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;
  const queue = new SimQueue(route, ports.deadLetters);
  const bus = new SimEventBus(queue);
  world.onEvent((event) => bus.publish(event));

  return {
    world,
    ports,
    workflows,
    queue,
    bus,
    invocations,
    busy: () => queue.depth() > 0 || workflows.busy(),
  };
}
