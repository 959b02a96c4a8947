// Step Functions, in process: runs the real ASL files with aws-local-stepfunctions, every Task state
// bound to the handler its Resource placeholder names. Time passes through the global timers, so
// under the simulator's virtual clock a Wait of 10 s takes no real time.

import { StateMachine } from 'aws-local-stepfunctions';
import type { WorkflowName, WorkflowPort } from '../ports.ts';

// aws-local-stepfunctions calls Promise.withResolvers, which Node 20 lacks; without it every Task
// fails with a TypeError that a Catch on States.ALL would swallow without a trace.
const promiseStatics = Promise as unknown as { withResolvers?: () => unknown };
promiseStatics.withResolvers ??= function withResolvers<T>() {
  let resolve!: (value: T | PromiseLike<T>) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface ExecutionRecord {
  workflow: WorkflowName;
  name: string;
  input: unknown;
  startedAt: Date;
  endedAt?: Date;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  /** Names of the states entered, in order: what the console's graph view would show. */
  statesEntered: string[];
  /** Errors states raised (then retried, caught or fatal), in order. */
  stateErrors: Array<{ state: string; error: string; cause: string }>;
}

interface AslState {
  Type: string;
  Resource?: string;
  Branches?: Array<{ States: Record<string, AslState> }>;
  Iterator?: { States: Record<string, AslState> };
  ItemProcessor?: { States: Record<string, AslState> };
}

const PLACEHOLDER = /^\$\{(\w+)\}$/;

export class LocalStepFunctions implements WorkflowPort {
  private readonly machines = new Map<WorkflowName, { machine: StateMachine; handlers: Record<string, TaskHandler> }>();
  private readonly records = new Map<string, ExecutionRecord>();
  private readonly running = new Set<Promise<void>>();
  private readonly listeners: Array<(record: ExecutionRecord) => void> = [];

  /**
   * @param definitions the ASL text of each workflow, placeholders untouched
   * @param taskFor the handler behind a placeholder name such as `CordonNodeFunctionArn`
   */
  constructor(
    definitions: Record<WorkflowName, string>,
    taskFor: (placeholder: string) => TaskHandler,
    private readonly now: () => Date = () => new Date(),
  ) {
    for (const [workflow, text] of Object.entries(definitions) as Array<[WorkflowName, string]>) {
      const definition = JSON.parse(text) as { States: Record<string, AslState> };
      const handlers: Record<string, TaskHandler> = {};
      forEachTask(definition.States, (stateName, state) => {
        const match = PLACEHOLDER.exec(state.Resource ?? '');
        if (!match) throw new Error(`${workflow}: Task ${stateName} has Resource ${state.Resource}, expected a \${...FunctionArn} placeholder`);
        const handler = taskFor(match[1]!);
        // A Lambda's result crosses the wire as JSON: keep that true here too.
        handlers[stateName] = async (input) => JSON.parse(JSON.stringify((await handler(input)) ?? null));
        state.Resource = `arn:aws:lambda:us-east-1:000000000000:function:${match[1]}`;
      });
      this.machines.set(workflow, { machine: new StateMachine(definition as never), handlers });
    }
  }

  /** Called when an execution starts and again when it ends. */
  onExecution(listener: (record: ExecutionRecord) => void): void {
    this.listeners.push(listener);
  }

  async startExecution(workflow: WorkflowName, executionName: string, input: unknown): Promise<'started' | 'duplicate'> {
    if (this.records.has(executionName)) return 'duplicate';
    const entry = this.machines.get(workflow);
    if (!entry) throw new Error(`no workflow named ${workflow}`);
    const record: ExecutionRecord = {
      workflow,
      name: executionName,
      input,
      startedAt: this.now(),
      status: 'RUNNING',
      statesEntered: [],
      stateErrors: [],
    };
    this.records.set(executionName, record);
    this.notify(record);
    const execution = entry.machine.run(JSON.parse(JSON.stringify(input)), {
      overrides: { taskResourceLocalHandlers: entry.handlers as never },
      context: { Execution: { Name: executionName } } as never,
    });
    const done = (async () => {
      const logs = (async () => {
        for await (const event of execution.eventLogs) {
          if (event.type === 'StateEntered') record.statesEntered.push(event.state.name);
          if (event.type === 'StateFailed') {
            record.stateErrors.push({ state: event.state.name, error: event.Error, cause: String(event.Cause ?? '') });
          }
        }
      })();
      try {
        record.output = await execution.result;
        record.status = 'SUCCEEDED';
      } catch (error) {
        record.status = 'FAILED';
        record.error = describeFailure(error);
      }
      record.endedAt = this.now();
      await logs.catch(() => undefined);
      this.notify(record);
    })();
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
    return 'started';
  }

  private notify(record: ExecutionRecord): void {
    for (const listener of this.listeners) listener(record);
  }

  executions(): ExecutionRecord[] {
    return [...this.records.values()];
  }

  execution(name: string): ExecutionRecord | undefined {
    return this.records.get(name);
  }

  /** True while any execution is still running. */
  busy(): boolean {
    return this.running.size > 0;
  }
}

function forEachTask(states: Record<string, AslState>, visit: (name: string, state: AslState) => void): void {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') visit(name, state);
    for (const branch of state.Branches ?? []) forEachTask(branch.States, visit);
    const inner = state.ItemProcessor ?? state.Iterator;
    if (inner) forEachTask(inner.States, visit);
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : error.message;
    return detail;
  }
  return String(error);
}
