// Taints the node with karpenter.sh/disrupted:NoSchedule and marks it unschedulable, so no new pod
// lands on an instance about to disappear.

import { z } from 'zod';
import { defineStep } from '../../shared/runtime/handler.ts';
import { DISRUPTED_TAINT } from '../../shared/well-known.ts';

export const cordonNode = defineStep({
  name: 'cordon-node',
  input: z.object({ nodeName: z.string().min(1) }),
  async run({ nodeName }, { ports, logger }) {
    const cordoned = await ports.cluster.cordonNode(nodeName, DISRUPTED_TAINT);
    logger.info(cordoned ? 'node cordoned' : 'node already gone', { nodeName });
    return { cordoned, at: ports.clock.now().toISOString() };
  },
});
