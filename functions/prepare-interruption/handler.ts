// First step of the spot-interruption workflow: turn the execution input (a notice from
// route-event, or an operator's drill) into the workflow's state, and find the node.

import { z } from 'zod';
import { actionFor, drillNotice } from '../../shared/events/index.ts';
import { defineStep } from '../../shared/runtime/handler.ts';
import { actionSchema, instanceIdSchema, isoTime, noticeSchema } from '../../shared/runtime/schemas.ts';
import { NODEPOOL_LABEL } from '../../shared/well-known.ts';
import type { InterruptionAction, Notice } from '../../shared/types.ts';

const fromRouter = z.object({ notice: noticeSchema, action: actionSchema });
/** What an operator types in the Step Functions console for a drill. */
const fromOperator = z.object({ instanceId: instanceIdSchema, deadline: isoTime.optional() }).strict();

export const prepareInterruption = defineStep({
  name: 'prepare-interruption',
  input: z.union([fromRouter, fromOperator]),
  async run(input, { ports, logger }) {
    const now = ports.clock.now();
    let notice: Notice;
    let action: InterruptionAction;
    if ('notice' in input) {
      notice = input.notice;
      action = input.action;
    } else {
      notice = drillNotice(input, ports.region, now);
      action = actionFor(notice, now);
    }
    const [node, instance] = await Promise.all([
      ports.cluster.findNodeByInstanceId(notice.instanceId),
      ports.compute.describeInstance(notice.instanceId),
    ]);
    logger.info('interruption prepared', {
      instanceId: notice.instanceId,
      kind: notice.kind,
      node: node?.name ?? null,
      instanceState: instance?.state ?? 'unknown',
    });
    return {
      notice,
      action,
      instance: instance
        ? { instanceType: instance.instanceType, zone: instance.zone, capacityType: instance.capacityType, state: instance.state }
        : null,
      node: node ? { name: node.name, nodePool: node.labels[NODEPOOL_LABEL] ?? null } : null,
    };
  },
});
