import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routeEvent } from '../../functions/route-event/handler.ts';
import { TransientError } from '../../shared/errors.ts';
import { localContext } from '../../shared/runtime/handler.ts';
import type { WorkflowPort } from '../../shared/ports.ts';
import { stubPorts } from './stub-ports.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/events/${name}.json`, import.meta.url), 'utf8');
const batch = (...bodies: string[]) => ({ Records: bodies.map((body, i) => ({ messageId: `m${i}`, body })) });

function harness(startExecution: WorkflowPort['startExecution'] = async () => 'started') {
  const started: Array<{ name: string; input: unknown }> = [];
  const deadLettered: Array<{ body: string; reason: string }> = [];
  const handler = routeEvent(
    stubPorts({
      workflows: {
        async startExecution(workflow, name, input) {
          expect(workflow).toBe('spot-interruption');
          const result = await startExecution(workflow, name, input);
          if (result === 'started') started.push({ name, input });
          return result;
        },
      },
      deadLetters: { send: async (body, reason) => void deadLettered.push({ body, reason }) },
    }),
  );
  return { started, deadLettered, route: (event: unknown) => handler(event, localContext('route-event', 'test')) };
}

describe('route-event', () => {
  it('starts one execution per notice with the notice and its action', async () => {
    const { started, route } = harness();
    const result = await route(batch(fixture('spot-interruption'), fixture('health-scheduled-change-arn-entities')));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(started.length).toBeGreaterThanOrEqual(3); // one spot + one per instance of the Health event
    const spot = started[0]!.input as { notice: { kind: string; instanceId: string }; action: { drain: string } };
    expect(spot.notice.kind).toBe('spot-interruption');
    expect(spot.action.drain).toBe('now');
    expect(started[0]!.name).toMatch(new RegExp(`^${spot.notice.instanceId}-`));
  });

  it('sends a refused event to the dead-letter queue with its reason and does not retry it', async () => {
    const { started, deadLettered, route } = harness();
    const result = await route(batch(fixture('invalid-spot-bad-instance-id'), 'not json at all', fixture('spot-interruption')));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(started).toHaveLength(1);
    expect(deadLettered).toHaveLength(2);
    expect(deadLettered[0]!.reason).toMatch(/instance-id/);
    expect(deadLettered[0]!.body).toBe(fixture('invalid-spot-bad-instance-id'));
    expect(deadLettered[1]!.reason).toMatch(/not JSON/);
  });

  it('ignores events that need no action without dead-lettering them', async () => {
    const { started, deadLettered, route } = harness();
    await expect(route(batch(fixture('state-change-running')))).resolves.toEqual({ batchItemFailures: [] });
    expect(started).toHaveLength(0);
    expect(deadLettered).toHaveLength(0);
  });

  it('reports only the messages that failed for a retryable reason', async () => {
    let calls = 0;
    const { route } = harness(async () => {
      calls += 1;
      if (calls === 2) throw new TransientError('ThrottlingException: Rate exceeded');
      return 'started';
    });
    const result = await route(batch(fixture('spot-interruption'), fixture('rebalance-recommendation'), fixture('state-change-terminated')));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
  });

  it('treats an execution that already exists as success', async () => {
    const { route } = harness(async () => 'duplicate');
    await expect(route(batch(fixture('spot-interruption')))).resolves.toEqual({ batchItemFailures: [] });
  });

  it('refuses a batch that is not an SQS event, naming the field', async () => {
    const { route } = harness();
    await expect(route({ Records: [{ body: 'x' }] })).rejects.toThrow(/Records\.0\.messageId/);
  });
});
