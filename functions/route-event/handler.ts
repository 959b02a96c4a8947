// Takes a batch of EventBridge events from the SQS queue and starts one workflow execution per
// notice, named after what the notice is about so a duplicate start is refused by Step Functions.
// A malformed event goes straight to the dead-letter queue with its reason; a failure worth retrying
// (throttling, an outage) is reported as a partial batch failure so SQS delivers that message again.

import { z } from 'zod';
import { actionFor, classifyEvent, executionName } from '../../shared/events/index.ts';
import { defineStep } from '../../shared/runtime/handler.ts';
import type { StepContext } from '../../shared/runtime/handler.ts';

const sqsBatch = z.object({
  Records: z.array(z.object({ messageId: z.string().min(1), body: z.string() }).passthrough()),
});

type RecordOutcome = { started: number; duplicates: number } | { ignored: string } | { refused: string };

export const routeEvent = defineStep({
  name: 'route-event',
  input: sqsBatch,
  async run({ Records }, context) {
    const batchItemFailures: Array<{ itemIdentifier: string }> = [];
    const counts = { started: 0, duplicates: 0, ignored: 0, refused: 0, retried: 0 };
    for (const record of Records) {
      try {
        const outcome = await routeOne(record.body, context);
        if ('started' in outcome) {
          counts.started += outcome.started;
          counts.duplicates += outcome.duplicates;
        } else if ('ignored' in outcome) counts.ignored += 1;
        else counts.refused += 1;
      } catch (error) {
        counts.retried += 1;
        context.logger.error('event not routed; SQS will deliver it again', { messageId: record.messageId, error });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    context.logger.info('batch routed', { records: Records.length, ...counts });
    return { batchItemFailures };
  },
});

async function routeOne(body: string, { ports, logger }: StepContext): Promise<RecordOutcome> {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch (error) {
    return refuse(`message body is not JSON: ${(error as Error).message}`);
  }
  const classification = classifyEvent(event);
  if (classification.outcome === 'refused') return refuse(classification.reason);
  if (classification.outcome === 'ignored') {
    logger.info('event ignored', { reason: classification.reason });
    return { ignored: classification.reason };
  }

  let started = 0;
  let duplicates = 0;
  const now = ports.clock.now();
  for (const notice of classification.notices) {
    const name = executionName(notice);
    const result = await ports.workflows.startExecution('spot-interruption', name, {
      notice,
      action: actionFor(notice, now),
    });
    if (result === 'started') started += 1;
    else duplicates += 1;
    logger.info(result === 'started' ? 'workflow started' : 'duplicate notice, workflow already running', {
      executionName: name,
      instanceId: notice.instanceId,
      kind: notice.kind,
    });
  }
  return { started, duplicates };

  async function refuse(reason: string): Promise<RecordOutcome> {
    // Sent before the message is acknowledged: if this send fails, the throw makes it a batch
    // failure and SQS's own redrive policy still brings it to the dead-letter queue.
    await ports.deadLetters.send(body, reason);
    logger.warn('event refused and sent to the dead-letter queue', { reason });
    return { refused: reason };
  }
}
