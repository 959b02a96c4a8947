import { AutoScalingClient, AutoScalingServiceException, CompleteLifecycleActionCommand } from '@aws-sdk/client-auto-scaling';
import { ExecutionAlreadyExists, SFNClient, SFNServiceException, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient, SQSServiceException } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { AutoScalingLifecycle } from '../../shared/aws/autoscaling-lifecycle.ts';
import { SqsDeadLetters } from '../../shared/aws/sqs-dead-letters.ts';
import { StepFunctionsWorkflows } from '../../shared/aws/step-functions-workflows.ts';
import { InvalidInputError, TransientError } from '../../shared/errors.ts';
import { TEST_CLIENT_CONFIG, awsError } from './helpers.ts';

const STATE_MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:nodewright-spot-interruption';

describe('StepFunctionsWorkflows', () => {
  function setup() {
    const client = new SFNClient(TEST_CLIENT_CONFIG);
    const sfn = mockClient(client);
    return { sfn, workflows: new StepFunctionsWorkflows(client, { 'spot-interruption': STATE_MACHINE }) };
  }

  it('starts the mapped state machine with the name and the input as JSON', async () => {
    const { sfn, workflows } = setup();
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${STATE_MACHINE}:x`, startDate: new Date() });
    const input = { notice: { instanceId: 'i-1', kind: 'spot-interruption' } };
    expect(await workflows.startExecution('spot-interruption', 'i-1-spot-interruption-29043360', input)).toBe('started');
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: STATE_MACHINE,
      name: 'i-1-spot-interruption-29043360',
      input: JSON.stringify(input),
    });
  });

  it('reports an execution name already used as duplicate', async () => {
    const { sfn, workflows } = setup();
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    expect(await workflows.startExecution('spot-interruption', 'i-1-spot-interruption-29043360', {})).toBe('duplicate');
  });

  it('turns throttling into TransientError', async () => {
    const { sfn, workflows } = setup();
    sfn.on(StartExecutionCommand).rejects(awsError(SFNServiceException, 'ThrottlingException', 'Rate exceeded'));
    await expect(workflows.startExecution('spot-interruption', 'n', {})).rejects.toBeInstanceOf(TransientError);
  });

  it.each([
    ['', '1 to 80 characters'],
    ['x'.repeat(81), '1 to 80 characters'],
    ['i-1 spot', '" "'],
    ['i-1:spot', '":"'],
    ['i-1/spot', '"/"'],
  ])('refuses execution name %j before calling Step Functions', async (name, named) => {
    const { sfn, workflows } = setup();
    const error = await workflows.startExecution('spot-interruption', name, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toContain(named);
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('AutoScalingLifecycle', () => {
  const input = {
    autoScalingGroupName: 'eks-ng-1',
    lifecycleHookName: 'nodewright-drain',
    lifecycleActionToken: 'bcd2f1b8-9a78-44d3-8a7a-4dd07d7cf635',
    instanceId: 'i-1',
  };

  function setup() {
    const client = new AutoScalingClient(TEST_CLIENT_CONFIG);
    return { asg: mockClient(client), lifecycle: new AutoScalingLifecycle(client) };
  }

  it('completes the action with CONTINUE', async () => {
    const { asg, lifecycle } = setup();
    asg.on(CompleteLifecycleActionCommand).resolves({});
    await lifecycle.completeLifecycleAction(input);
    expect(asg.commandCalls(CompleteLifecycleActionCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: 'eks-ng-1',
      LifecycleHookName: 'nodewright-drain',
      LifecycleActionToken: 'bcd2f1b8-9a78-44d3-8a7a-4dd07d7cf635',
      InstanceId: 'i-1',
      LifecycleActionResult: 'CONTINUE',
    });
  });

  it('treats an action already completed or expired as success', async () => {
    const { asg, lifecycle } = setup();
    asg.on(CompleteLifecycleActionCommand).rejects(
      awsError(AutoScalingServiceException, 'ValidationError', 'No active Lifecycle Action found with token bcd2f1b8-9a78-44d3-8a7a-4dd07d7cf635'),
    );
    await expect(lifecycle.completeLifecycleAction(input)).resolves.toBeUndefined();
  });

  it('lets any other validation error through', async () => {
    const { asg, lifecycle } = setup();
    const error = awsError(AutoScalingServiceException, 'ValidationError', 'No Auto Scaling group found with name eks-ng-1');
    asg.on(CompleteLifecycleActionCommand).rejects(error);
    await expect(lifecycle.completeLifecycleAction(input)).rejects.toBe(error);
  });
});

describe('SqsDeadLetters', () => {
  const QUEUE = 'https://sqs.us-east-1.amazonaws.com/111122223333/nodewright-events-dlq';

  function setup() {
    const client = new SQSClient(TEST_CLIENT_CONFIG);
    return { sqs: mockClient(client), deadLetters: new SqsDeadLetters(client, QUEUE) };
  }

  it('sends the body with the reason as a String attribute', async () => {
    const { sqs, deadLetters } = setup();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    await deadLetters.send('{"detail-type":"Unknown"}', 'unrecognised event: detail-type "Unknown"');
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: QUEUE,
      MessageBody: '{"detail-type":"Unknown"}',
      MessageAttributes: { reason: { DataType: 'String', StringValue: 'unrecognised event: detail-type "Unknown"' } },
    });
  });

  it('turns a 5xx into TransientError', async () => {
    const { sqs, deadLetters } = setup();
    sqs.on(SendMessageCommand).rejects(awsError(SQSServiceException, 'InternalFailure', 'internal', { status: 500 }));
    await expect(deadLetters.send('x', 'r')).rejects.toBeInstanceOf(TransientError);
  });

  it('refuses an empty body or reason, which SQS would reject', async () => {
    const { sqs, deadLetters } = setup();
    await expect(deadLetters.send('', 'r')).rejects.toThrow('body is empty');
    await expect(deadLetters.send('x', ' ')).rejects.toThrow('reason is empty');
    expect(sqs.calls()).toHaveLength(0);
  });
});
