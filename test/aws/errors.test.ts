import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { callAws, isAwsError, isTransientAwsError } from '../../shared/aws/errors.ts';
import { TransientError } from '../../shared/errors.ts';
import { awsError } from './helpers.ts';

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 52.94.0.1:443`), { code });
}

describe('isTransientAwsError', () => {
  it.each<[string, unknown, boolean]>([
    ['EC2 RequestLimitExceeded', awsError(EC2ServiceException, 'RequestLimitExceeded', 'Request limit exceeded.', { status: 503 }), true],
    ['ThrottlingException', awsError(EC2ServiceException, 'ThrottlingException'), true],
    ['TooManyRequestsException', awsError(EC2ServiceException, 'TooManyRequestsException', 'Rate exceeded', { status: 429 }), true],
    ['DynamoDB ProvisionedThroughputExceededException', awsError(DynamoDBServiceException, 'ProvisionedThroughputExceededException'), true],
    ['ProvisionedThroughputExceeded', awsError(DynamoDBServiceException, 'ProvisionedThroughputExceeded'), true],
    ['Auto Scaling Throttling', awsError(EC2ServiceException, 'Throttling', 'Rate exceeded'), true],
    ['any 500', awsError(EC2ServiceException, 'SomethingBroke', 'boom', { status: 500 }), true],
    ['503 ServiceUnavailable', awsError(EC2ServiceException, 'ServiceUnavailable', 'unavailable', { status: 503 }), true],
    ['EC2 InternalError', awsError(EC2ServiceException, 'InternalError'), true],
    ['SDK TimeoutError', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }), true],
    ['ECONNRESET', networkError('ECONNRESET'), true],
    ['ETIMEDOUT', networkError('ETIMEDOUT'), true],
    ['UnauthorizedOperation', awsError(EC2ServiceException, 'UnauthorizedOperation', 'not authorized', { status: 403 }), false],
    ['AccessDeniedException', awsError(DynamoDBServiceException, 'AccessDeniedException'), false],
    ['InvalidParameterValue', awsError(EC2ServiceException, 'InvalidParameterValue'), false],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'x')"), false],
    ['a string', 'oops', false],
    ['undefined', undefined, false],
  ])('%s -> %s', (_label, error, transient) => {
    expect(isTransientAwsError(error)).toBe(transient);
  });
});

describe('isAwsError', () => {
  it('matches on the AWS error code the SDK puts in name', () => {
    const error = awsError(EC2ServiceException, 'InvalidInstanceID.NotFound');
    expect(isAwsError(error, 'InvalidInstanceID.Malformed', 'InvalidInstanceID.NotFound')).toBe(true);
    expect(isAwsError(error, 'InvalidInstanceID.Malformed')).toBe(false);
    expect(isAwsError(new Error('x'), 'Error')).toBe(false);
  });
});

describe('callAws', () => {
  it('wraps a transient failure with the operation name and keeps the original as cause', async () => {
    const original = awsError(EC2ServiceException, 'RequestLimitExceeded', 'Request limit exceeded.', { status: 503 });
    const error = await callAws('DescribeSubnets', () => Promise.reject(original)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).name).toBe('TransientError');
    expect((error as TransientError).message).toContain('DescribeSubnets');
    expect((error as TransientError).cause).toBe(original);
  });

  it('rethrows any other failure as it is and passes results through', async () => {
    const original = awsError(EC2ServiceException, 'UnauthorizedOperation', 'denied', { status: 403 });
    await expect(callAws('DescribeSubnets', () => Promise.reject(original))).rejects.toBe(original);
    expect(await callAws('DescribeSubnets', () => Promise.resolve(42))).toBe(42);
  });
});
