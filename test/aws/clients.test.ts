import { EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { awsClients } from '../../shared/aws/index.ts';

describe('awsClients', () => {
  it('creates each client once per region and configures the region', async () => {
    const first = awsClients('eu-west-1');
    expect(awsClients('eu-west-1')).toBe(first);
    expect(first.ec2).toBeInstanceOf(EC2Client);
    expect(await first.ec2.config.region()).toBe('eu-west-1');
    expect(await first.dynamodb.config.region()).toBe('eu-west-1');
    const other = awsClients('us-gov-west-1');
    expect(other).not.toBe(first);
    expect(await other.sfn.config.region()).toBe('us-gov-west-1');
  });

  it('refuses something that is not a region name', () => {
    expect(() => awsClients('')).toThrow('AWS region ""');
    expect(() => awsClients('us-east-1a')).toThrow('AWS region "us-east-1a"');
  });
});
