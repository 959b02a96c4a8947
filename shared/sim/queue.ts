// EventBridge -> SQS -> Lambda, in process: the rules filter what reaches the queue, the queue hands
// batches to the router after a short batching window, a message reported in batchItemFailures comes
// back after the visibility timeout, and after maxReceiveCount receives SQS's redrive policy moves it
// to the dead-letter queue. Timers drive it, so it runs on the simulator's virtual clock.

import { matchesAnyRule, type EventRule } from '../events/rules.ts';
import type { DeadLetterPort } from '../ports.ts';

export interface SqsBatch {
  Records: Array<{ messageId: string; body: string; attributes: { ApproximateReceiveCount: string } }>;
}
export type BatchConsumer = (batch: SqsBatch) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;

export interface QueueOptions {
  batchSize: number;
  batchWindowMs: number;
  visibilityTimeoutMs: number;
  maxReceiveCount: number;
}

/** The settings the infra deploys. */
export const DEFAULT_QUEUE_OPTIONS: QueueOptions = {
  batchSize: 10,
  batchWindowMs: 1_000,
  visibilityTimeoutMs: 180_000,
  maxReceiveCount: 3,
};

interface Message {
  messageId: string;
  body: string;
  receiveCount: number;
}

export class SimQueue {
  private readonly visible: Message[] = [];
  private inFlight = 0;
  private sequence = 0;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  readonly stats = { sent: 0, delivered: 0, redelivered: 0, deadLettered: 0 };

  constructor(
    private readonly consumer: BatchConsumer,
    private readonly deadLetters: DeadLetterPort,
    private readonly options: QueueOptions = DEFAULT_QUEUE_OPTIONS,
  ) {}

  send(body: string): void {
    this.sequence += 1;
    this.stats.sent += 1;
    this.visible.push({ messageId: `msg-${String(this.sequence).padStart(6, '0')}`, body, receiveCount: 0 });
    this.scheduleFlush();
  }

  /** Messages waiting or being processed. */
  depth(): number {
    return this.visible.length + this.inFlight;
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, this.options.batchWindowMs);
  }

  private async flush(): Promise<void> {
    while (this.visible.length > 0) {
      const batch = this.visible.splice(0, this.options.batchSize);
      for (const message of batch) message.receiveCount += 1;
      this.inFlight += batch.length;
      this.stats.delivered += batch.length;
      let failed: Set<string>;
      try {
        const result = await this.consumer({
          Records: batch.map((m) => ({
            messageId: m.messageId,
            body: m.body,
            attributes: { ApproximateReceiveCount: String(m.receiveCount) },
          })),
        });
        failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
      } catch {
        // A handler that throws fails the whole batch, as Lambda's SQS integration does.
        failed = new Set(batch.map((m) => m.messageId));
      }
      this.inFlight -= batch.length;
      for (const message of batch.filter((m) => failed.has(m.messageId))) await this.retryOrDeadLetter(message);
    }
  }

  private async retryOrDeadLetter(message: Message): Promise<void> {
    if (message.receiveCount >= this.options.maxReceiveCount) {
      this.stats.deadLettered += 1;
      await this.deadLetters.send(message.body, `received ${message.receiveCount} times without success (maxReceiveCount)`);
      return;
    }
    this.stats.redelivered += 1;
    this.inFlight += 1;
    setTimeout(() => {
      this.inFlight -= 1;
      this.visible.push(message);
      this.scheduleFlush();
    }, this.options.visibilityTimeoutMs);
  }
}

/** The default event bus with nodewright's rules, targeting the queue. */
export class SimEventBus {
  readonly stats = { published: 0, matched: 0 };

  constructor(
    private readonly queue: SimQueue,
    private readonly rules?: EventRule[],
  ) {}

  publish(event: object): void {
    this.stats.published += 1;
    if (!matchesAnyRule(event, this.rules)) return;
    this.stats.matched += 1;
    this.queue.send(JSON.stringify(event));
  }
}
