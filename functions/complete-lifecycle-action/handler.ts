// Tells the Auto Scaling group the drained instance may go (CONTINUE).

import { z } from 'zod';
import { defineStep } from '../../shared/runtime/handler.ts';
import { instanceIdSchema, noticeSchema } from '../../shared/runtime/schemas.ts';

export const completeLifecycleAction = defineStep({
  name: 'complete-lifecycle-action',
  input: z.object({ instanceId: instanceIdSchema, lifecycle: noticeSchema.shape.lifecycle.unwrap() }),
  async run({ instanceId, lifecycle }, { ports, logger }) {
    await ports.lifecycle.completeLifecycleAction({ ...lifecycle, instanceId });
    logger.info('lifecycle action completed', { instanceId, autoScalingGroupName: lifecycle.autoScalingGroupName });
    return { completed: true };
  },
});
