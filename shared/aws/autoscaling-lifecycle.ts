// LifecyclePort on EC2 Auto Scaling: lets the group finish terminating an instance we drained.

import { CompleteLifecycleActionCommand, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { LifecyclePort } from '../ports.ts';
import { isAwsError, rethrowAwsError } from './errors.ts';

export class AutoScalingLifecycle implements LifecyclePort {
  constructor(private readonly autoScaling: AutoScalingClient) {}

  async completeLifecycleAction(input: {
    autoScalingGroupName: string;
    lifecycleHookName: string;
    lifecycleActionToken: string;
    instanceId: string;
  }): Promise<void> {
    try {
      await this.autoScaling.send(
        new CompleteLifecycleActionCommand({
          AutoScalingGroupName: input.autoScalingGroupName,
          LifecycleHookName: input.lifecycleHookName,
          LifecycleActionToken: input.lifecycleActionToken,
          InstanceId: input.instanceId,
          LifecycleActionResult: 'CONTINUE',
        }),
      );
    } catch (error) {
      // Already completed, or the hook's heartbeat timed out: the group has moved on, as wanted.
      if (isAwsError(error, 'ValidationError') && error instanceof Error && /No active Lifecycle Action found/i.test(error.message)) return;
      rethrowAwsError(error, 'CompleteLifecycleAction');
    }
  }
}
