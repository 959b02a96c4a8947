import { DescribeClusterCommand, EKSClient, EKSServiceException, ResourceNotFoundException } from '@aws-sdk/client-eks';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EksClusterInfo } from '../../shared/aws/eks-cluster-info.ts';
import { ConfigurationNotFoundError, TransientError } from '../../shared/errors.ts';
import { TEST_CLIENT_CONFIG, awsError } from './helpers.ts';

let client: EKSClient;
let eks: AwsClientStub<EKSClient>;

beforeEach(() => {
  client = new EKSClient(TEST_CLIENT_CONFIG);
  eks = mockClient(client);
});

const ACTIVE = {
  cluster: {
    name: 'my-cluster',
    status: 'ACTIVE' as const,
    endpoint: 'https://ABCDEF.gr7.us-east-1.eks.amazonaws.com',
    certificateAuthority: { data: 'LS0tLS1CRUdJTi...' },
    version: '1.31',
    kubernetesNetworkConfig: { serviceIpv4Cidr: '172.20.0.0/16' },
  },
};

describe('EksClusterInfo', () => {
  it('describes the named cluster once and keeps the answer', async () => {
    eks.on(DescribeClusterCommand, { name: 'my-cluster' }).resolves(ACTIVE);
    const info = new EksClusterInfo(client, 'my-cluster');
    const expected = {
      name: 'my-cluster',
      endpoint: 'https://ABCDEF.gr7.us-east-1.eks.amazonaws.com',
      certificateAuthority: 'LS0tLS1CRUdJTi...',
      kubernetesVersion: '1.31',
      serviceIpv4Cidr: '172.20.0.0/16',
    };
    expect(await info.describeCluster()).toEqual(expected);
    expect(await info.describeCluster()).toEqual(expected);
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(1);
  });

  it('throws ConfigurationNotFoundError naming the cluster when EKS does not know it', async () => {
    eks.on(DescribeClusterCommand).rejects(new ResourceNotFoundException({ message: 'No cluster found for name: nope.', $metadata: {} }));
    const error = await new EksClusterInfo(client, 'nope').describeCluster().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationNotFoundError);
    expect((error as Error).message).toContain('nope');
  });

  it('does not keep a failure: a throttled first call is followed by a real one', async () => {
    eks.on(DescribeClusterCommand).rejectsOnce(awsError(EKSServiceException, 'TooManyRequestsException', 'Rate exceeded', { status: 429 })).resolves(ACTIVE);
    const info = new EksClusterInfo(client, 'my-cluster');
    await expect(info.describeCluster()).rejects.toBeInstanceOf(TransientError);
    expect((await info.describeCluster()).kubernetesVersion).toBe('1.31');
  });

  it('refuses a cluster that has no endpoint yet, saying its status', async () => {
    eks.on(DescribeClusterCommand).resolves({ cluster: { name: 'my-cluster', status: 'CREATING', version: '1.31' } });
    await expect(new EksClusterInfo(client, 'my-cluster').describeCluster()).rejects.toThrow('status CREATING');
  });
});
