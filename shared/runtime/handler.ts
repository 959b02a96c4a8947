// How every nodewright Lambda is put together: validate the input against its schema, run one step
// with the ports the composition root provides, log with Powertools. The same function object serves
// AWS Lambda (wired to the aws/k8s adapters) and the simulator (wired to the sim adapters).

import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { formatValue, valueAt } from '../config/problems.ts';
import { InvalidInputError } from '../errors.ts';
import type { Ports } from '../ports.ts';

export const logger = new Logger({ serviceName: 'nodewright' });

export interface StepContext {
  ports: Ports;
  logger: Logger;
}

export interface StepDefinition<Input, Output> {
  /** The function's name, as its folder under functions/ is named. */
  name: string;
  input: z.ZodType<Input>;
  run: (input: Input, context: StepContext) => Promise<Output>;
}

export type LambdaHandler<Output> = (event: unknown, context: Context) => Promise<Output>;

/** Binds a step to its ports: the result is the Lambda handler. */
export function defineStep<Input, Output>(step: StepDefinition<Input, Output>) {
  return (ports: Ports): LambdaHandler<Output> => {
    const base = async (event: unknown): Promise<Output> => {
      const input = parseInput(step.name, step.input, event);
      return step.run(input, { ports, logger });
    };
    return middy(base).use(injectLambdaContext(logger, { resetKeys: true })) as unknown as LambdaHandler<Output>;
  };
}

/** Validates an input, naming every field that is wrong and the value it had. */
export function parseInput<T>(where: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(input)';
    return `${path}: ${issue.message}; got ${describeValue(valueAt(value, issue.path.filter((s) => typeof s !== 'symbol')))}`;
  });
  throw new InvalidInputError(`${where}: invalid input: ${problems.join('; ')}`, problems);
}

function describeValue(value: unknown): string {
  return value === undefined ? 'nothing' : formatValue(value);
}

/**
 * A Lambda context for callers that are not the Lambda service (the simulator, tests). It has no
 * getRemainingTimeInMillis: middy would arm a real-time timer from it, which neither matches the
 * simulator's virtual clock nor lets the process exit promptly.
 */
export function localContext(functionName: string, requestId: string): Context {
  const context: Omit<Context, 'getRemainingTimeInMillis'> = {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  return context as Context;
}
