// Has the replacement for an instance become a Ready node? Found by the tag every replacement
// carries, so the drain branch and a second execution for the same instance see the same answer.

import { z } from 'zod';
import { defineStep } from '../../shared/runtime/handler.ts';
import { instanceIdSchema, isoTime } from '../../shared/runtime/schemas.ts';
import type { Instance } from '../../shared/types.ts';
import { REPLACES_TAG } from '../../shared/well-known.ts';

const GONE_STATES = new Set(['stopping', 'stopped', 'shutting-down', 'terminated']);

export const checkReplacement = defineStep({
  name: 'check-replacement',
  input: z.object({
    /** The instance being replaced. */
    instanceId: instanceIdSchema,
    /** When to stop waiting. */
    deadline: isoTime,
    /** The replacement, when the caller launched it and knows its id. */
    replacementId: instanceIdSchema.optional(),
  }),
  async run({ instanceId, deadline, replacementId }, { ports }) {
    const expired = ports.clock.now().getTime() >= Date.parse(deadline);
    let replacement: Instance | undefined;
    if (replacementId) {
      replacement = await ports.compute.describeInstance(replacementId);
      if (!replacement || GONE_STATES.has(replacement.state)) {
        return { status: 'lost' as const, instanceId: replacementId };
      }
    } else {
      [replacement] = await ports.compute.findInstancesByTag(REPLACES_TAG, instanceId);
    }
    if (replacement) {
      const node = await ports.cluster.findNodeByInstanceId(replacement.instanceId);
      const ready = node?.conditions.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      if (node && ready) return { status: 'ready' as const, instanceId: replacement.instanceId, nodeName: node.name };
    }
    return {
      status: expired ? ('expired' as const) : ('pending' as const),
      instanceId: replacement?.instanceId ?? null,
    };
  },
});
