// One pass of a drain: evict every pod that may be evicted, count what a PodDisruptionBudget holds
// back, and tell the workflow whether to stop, give up at the deadline, or come back after a backoff.

import { z } from 'zod';
import { drainStatus, planEvictions } from '../../shared/disruption/drain.ts';
import { defineStep } from '../../shared/runtime/handler.ts';
import { isoTime } from '../../shared/runtime/schemas.ts';

export const drainNode = defineStep({
  name: 'drain-node',
  input: z.object({ nodeName: z.string().min(1), deadline: isoTime, attempt: z.number().int().min(1) }),
  async run({ nodeName, deadline, attempt }, { ports, logger }) {
    const plan = planEvictions(await ports.cluster.listPodsOnNode(nodeName));
    let evicted = 0;
    let blocked = 0;
    // One at a time: each eviction changes what the next PDB check allows.
    for (const pod of plan.evict) {
      const outcome = await ports.cluster.evictPod(pod.namespace, pod.name);
      if (outcome === 'evicted') evicted += 1;
      else if (outcome === 'blocked') blocked += 1;
    }
    const status = drainStatus({
      remaining: blocked,
      terminating: plan.terminating.length + evicted,
      attempt,
      now: ports.clock.now(),
      deadline: new Date(deadline),
    });
    logger.info('drain pass', {
      nodeName,
      attempt,
      evicted,
      blocked,
      terminating: plan.terminating.length,
      leftAlone: plan.leave.length,
      status: status.status,
    });
    return {
      ...status,
      evicted,
      remaining: blocked + plan.terminating.length,
      leftAlone: plan.leave.map(({ pod, reason }) => `${pod.namespace}/${pod.name} (${reason})`),
    };
  },
});
