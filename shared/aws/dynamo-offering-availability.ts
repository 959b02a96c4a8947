// OfferingAvailabilityPort on DynamoDB: one item per offering refused for capacity, shared by every
// execution. Item: `offering` (partition key, `<capacityType>:<instanceType>:<zone>`), `until`
// (ISO 8601), `reason`, and `expiresAt` (epoch seconds, the table's TTL attribute, so DynamoDB
// deletes stale entries by itself).

import { PutItemCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvalidInputError } from '../errors.ts';
import type { OfferingAvailabilityPort } from '../ports.ts';
import type { CapacityType, Offering, UnavailableOffering } from '../types.ts';
import { callAws, isAwsError, rethrowAwsError } from './errors.ts';

/** PutItems in flight at once: enough to record a fleet's errors quickly without a burst of throttling. */
const WRITE_CONCURRENCY = 8;

export function offeringKey(offering: Offering): string {
  for (const field of ['instanceType', 'zone'] as const) {
    const value = offering[field];
    if (typeof value !== 'string' || value.length === 0 || value.includes(':')) {
      throw new InvalidInputError(`offering ${field} ${JSON.stringify(value)} must be a non-empty string without ':'`);
    }
  }
  if (offering.capacityType !== 'spot' && offering.capacityType !== 'on-demand') {
    throw new InvalidInputError(`offering capacityType ${JSON.stringify(offering.capacityType)} is not spot or on-demand`);
  }
  return `${offering.capacityType}:${offering.instanceType}:${offering.zone}`;
}

/** The offering a key names; undefined for an item nodewright did not write. */
export function parseOfferingKey(key: string): Offering | undefined {
  const [capacityType, instanceType, zone, ...rest] = key.split(':');
  if (rest.length > 0 || !instanceType || !zone) return undefined;
  if (capacityType !== 'spot' && capacityType !== 'on-demand') return undefined;
  return { capacityType: capacityType as CapacityType, instanceType, zone };
}

export class DynamoOfferingAvailability implements OfferingAvailabilityPort {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async markUnavailable(offerings: Offering[], until: Date, reason: string): Promise<void> {
    if (Number.isNaN(until.getTime())) throw new InvalidInputError('markUnavailable until is not a valid date');
    const keys = [...new Set(offerings.map(offeringKey))];
    const untilIso = until.toISOString();
    const expiresAt = String(Math.ceil(until.getTime() / 1000));
    for (let start = 0; start < keys.length; start += WRITE_CONCURRENCY) {
      await Promise.all(keys.slice(start, start + WRITE_CONCURRENCY).map((key) => this.put(key, untilIso, expiresAt, reason)));
    }
  }

  async listUnavailable(now: Date): Promise<UnavailableOffering[]> {
    const nowIso = now.toISOString();
    const found: UnavailableOffering[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const output = await callAws('Scan', () =>
        this.dynamodb.send(
          new ScanCommand({
            TableName: this.tableName,
            FilterExpression: 'expiresAt > :now',
            ExpressionAttributeValues: { ':now': { N: String(Math.floor(now.getTime() / 1000)) } },
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        ),
      );
      for (const item of output.Items ?? []) {
        const offering = parseOfferingKey(item.offering?.S ?? '');
        const until = item.until?.S;
        // TTL deletion lags by up to days, and expiresAt is rounded to seconds: `until` decides.
        if (!offering || !until || !(until > nowIso)) continue;
        found.push({ ...offering, until, reason: item.reason?.S ?? '' });
      }
      startKey = output.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  private async put(key: string, untilIso: string, expiresAt: string, reason: string): Promise<void> {
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            offering: { S: key },
            until: { S: untilIso },
            reason: { S: reason },
            expiresAt: { N: expiresAt },
          },
          // Never shorten an entry: a later expiry recorded by another execution stands.
          ConditionExpression: 'attribute_not_exists(offering) OR #until < :until',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':until': { S: untilIso } },
        }),
      );
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) return;
      rethrowAwsError(error, 'PutItem');
    }
  }
}
