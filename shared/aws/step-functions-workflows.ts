// WorkflowPort on Step Functions StartExecution. The execution name is the deduplication key:
// Step Functions refuses a second execution of the same name, which the caller counts as done.

import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { InvalidInputError } from '../errors.ts';
import type { WorkflowName, WorkflowPort } from '../ports.ts';
import { isAwsError, rethrowAwsError } from './errors.ts';

/** What Step Functions forbids in an execution name (plus its 80-character limit). */
const FORBIDDEN_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

export function validateExecutionName(name: string): void {
  if (name.length < 1 || name.length > 80) {
    throw new InvalidInputError(`executionName ${JSON.stringify(name)} must be 1 to 80 characters long, not ${name.length}`);
  }
  const bad = FORBIDDEN_NAME_CHARACTERS.exec(name);
  if (bad) throw new InvalidInputError(`executionName ${JSON.stringify(name)} contains ${JSON.stringify(bad[0])}, which Step Functions does not allow`);
}

export class StepFunctionsWorkflows implements WorkflowPort {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArns: Record<WorkflowName, string>,
  ) {}

  async startExecution(workflow: WorkflowName, executionName: string, input: unknown): Promise<'started' | 'duplicate'> {
    const stateMachineArn = this.stateMachineArns[workflow];
    if (!stateMachineArn) throw new InvalidInputError(`workflow ${JSON.stringify(workflow)} has no state machine ARN configured`);
    validateExecutionName(executionName);
    try {
      await this.sfn.send(new StartExecutionCommand({ stateMachineArn, name: executionName, input: JSON.stringify(input ?? {}) }));
      // Step Functions also answers success when an execution of this name and the same input is
      // still running; that is reported as 'started', which is harmless: nothing new was started.
      return 'started';
    } catch (error) {
      if (isAwsError(error, 'ExecutionAlreadyExists')) return 'duplicate';
      rethrowAwsError(error, 'StartExecution');
    }
  }
}
