// Terminates the drained instance, then removes its Node object. Instance first: a Node deleted
// while its kubelet still runs would register itself again.

import { z } from 'zod';
import { defineStep } from '../../shared/runtime/handler.ts';
import { instanceIdSchema } from '../../shared/runtime/schemas.ts';

export const terminateInstance = defineStep({
  name: 'terminate-instance',
  input: z.object({ instanceId: instanceIdSchema, nodeName: z.string().min(1) }),
  async run({ instanceId, nodeName }, { ports, logger }) {
    const instance = await ports.compute.terminateInstance(instanceId);
    await ports.cluster.deleteNode(nodeName);
    logger.info('instance terminated', { instanceId, nodeName, instance });
    return { instance, nodeDeleted: true };
  },
});
