import { ConditionalCheckFailedException, DynamoDBClient, DynamoDBServiceException, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoOfferingAvailability, offeringKey, parseOfferingKey } from '../../shared/aws/dynamo-offering-availability.ts';
import { InvalidInputError, TransientError } from '../../shared/errors.ts';
import type { Offering } from '../../shared/types.ts';
import { TEST_CLIENT_CONFIG, awsError } from './helpers.ts';

const TABLE = 'nodewright-unavailable-offerings';
const NOW = new Date('2025-03-01T12:00:00.000Z');
const UNTIL = new Date('2025-03-01T12:03:00.500Z');

let client: DynamoDBClient;
let dynamodb: AwsClientStub<DynamoDBClient>;
let availability: DynamoOfferingAvailability;

beforeEach(() => {
  client = new DynamoDBClient(TEST_CLIENT_CONFIG);
  dynamodb = mockClient(client);
  availability = new DynamoOfferingAvailability(client, TABLE);
});

const spotM5a: Offering = { capacityType: 'spot', instanceType: 'm5.large', zone: 'us-east-1a' };
const odC6g: Offering = { capacityType: 'on-demand', instanceType: 'c6g.xlarge', zone: 'us-east-1b' };

describe('markUnavailable', () => {
  it('puts one item per offering, never shortening a later expiry', async () => {
    dynamodb.on(PutItemCommand).resolves({});
    await availability.markUnavailable([spotM5a, odC6g, { ...spotM5a }], UNTIL, 'InsufficientInstanceCapacity');
    const inputs = dynamodb.commandCalls(PutItemCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(2);
    expect(inputs[0]).toEqual({
      TableName: TABLE,
      Item: {
        offering: { S: 'spot:m5.large:us-east-1a' },
        until: { S: '2025-03-01T12:03:00.500Z' },
        reason: { S: 'InsufficientInstanceCapacity' },
        // TTL in whole seconds, rounded up so the item outlives `until`.
        expiresAt: { N: String(Math.ceil(UNTIL.getTime() / 1000)) },
      },
      ConditionExpression: 'attribute_not_exists(offering) OR #until < :until',
      ExpressionAttributeNames: { '#until': 'until' },
      ExpressionAttributeValues: { ':until': { S: '2025-03-01T12:03:00.500Z' } },
    });
    expect(inputs[1]!.Item!.offering).toEqual({ S: 'on-demand:c6g.xlarge:us-east-1b' });
  });

  it('accepts the refusal of an earlier expiry as success', async () => {
    dynamodb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await expect(availability.markUnavailable([spotM5a], UNTIL, 'InsufficientInstanceCapacity')).resolves.toBeUndefined();
  });

  it('turns throttling into TransientError', async () => {
    dynamodb.on(PutItemCommand).rejects(awsError(DynamoDBServiceException, 'ProvisionedThroughputExceededException', 'slow down'));
    await expect(availability.markUnavailable([spotM5a], UNTIL, 'x')).rejects.toBeInstanceOf(TransientError);
  });

  it('writes nothing for an empty list', async () => {
    await availability.markUnavailable([], UNTIL, 'x');
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it.each([
    [{ ...spotM5a, capacityType: 'reserved' as never }, 'capacityType "reserved"'],
    [{ ...spotM5a, zone: '' }, 'zone ""'],
    [{ ...spotM5a, instanceType: 'm5:large' }, 'instanceType "m5:large"'],
  ])('refuses %j naming the field', async (offering, named) => {
    const error = await availability.markUnavailable([offering], UNTIL, 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toContain(named);
    expect(dynamodb.calls()).toHaveLength(0);
  });
});

describe('listUnavailable', () => {
  it('scans every page for unexpired items and drops those whose until has passed', async () => {
    dynamodb.on(ScanCommand)
      .resolvesOnce({
        Items: [
          { offering: { S: 'spot:m5.large:us-east-1a' }, until: { S: '2025-03-01T12:02:00.000Z' }, reason: { S: 'InsufficientInstanceCapacity' }, expiresAt: { N: '1740830520' } },
          // Same second as now by expiresAt, but `until` already passed: TTL and rounding lag.
          { offering: { S: 'spot:c5.large:us-east-1a' }, until: { S: '2025-03-01T11:59:59.999Z' }, reason: { S: 'x' }, expiresAt: { N: '1740830401' } },
        ],
        LastEvaluatedKey: { offering: { S: 'spot:c5.large:us-east-1a' } },
      })
      .resolvesOnce({
        Items: [
          { offering: { S: 'on-demand:c6g.xlarge:us-east-1b' }, until: { S: '2025-03-01T12:10:00.000Z' }, reason: { S: 'MaxSpotInstanceCountExceeded' }, expiresAt: { N: '1740831000' } },
          { offering: { S: 'garbage' }, until: { S: '2099-01-01T00:00:00.000Z' } },
        ],
      });

    expect(await availability.listUnavailable(NOW)).toEqual([
      { capacityType: 'spot', instanceType: 'm5.large', zone: 'us-east-1a', until: '2025-03-01T12:02:00.000Z', reason: 'InsufficientInstanceCapacity' },
      { capacityType: 'on-demand', instanceType: 'c6g.xlarge', zone: 'us-east-1b', until: '2025-03-01T12:10:00.000Z', reason: 'MaxSpotInstanceCountExceeded' },
    ]);
    const inputs = dynamodb.commandCalls(ScanCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toEqual({
      TableName: TABLE,
      FilterExpression: 'expiresAt > :now',
      ExpressionAttributeValues: { ':now': { N: String(NOW.getTime() / 1000) } },
    });
    expect(inputs[1]!.ExclusiveStartKey).toEqual({ offering: { S: 'spot:c5.large:us-east-1a' } });
  });
});

describe('offering keys', () => {
  it('round-trip', () => {
    for (const offering of [spotM5a, odC6g]) expect(parseOfferingKey(offeringKey(offering))).toEqual(offering);
  });

  it.each(['', 'spot:m5.large', 'reserved:m5.large:us-east-1a', 'spot:m5.large:us-east-1a:extra'])('%j is not a key', (key) => {
    expect(parseOfferingKey(key)).toBeUndefined();
  });
});
