// DeadLetterPort on SQS: a refused message goes to the dead-letter queue with its reason attached.

import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { InvalidInputError } from '../errors.ts';
import type { DeadLetterPort } from '../ports.ts';
import { callAws } from './errors.ts';

export class SqsDeadLetters implements DeadLetterPort {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(body: string, reason: string): Promise<void> {
    // SQS rejects empty bodies and empty attribute values; say so here rather than as a 400.
    if (body.length === 0) throw new InvalidInputError('dead-letter body is empty; SQS needs at least one character');
    if (reason.trim().length === 0) throw new InvalidInputError('dead-letter reason is empty');
    await callAws('SendMessage', () =>
      this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: body,
          MessageAttributes: { reason: { DataType: 'String', StringValue: reason } },
        }),
      ),
    );
  }
}
