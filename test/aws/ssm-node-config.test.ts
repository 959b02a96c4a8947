import { GetParametersByPathCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SsmNodeConfig } from '../../shared/aws/ssm-node-config.ts';
import { InvalidInputError, TransientError } from '../../shared/errors.ts';
import { TEST_CLIENT_CONFIG, awsError } from './helpers.ts';

const NODE_POOL_YAML = `
apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: batch
spec:
  template:
    spec:
      nodeClassRef:
        group: karpenter.k8s.aws
        kind: EC2NodeClass
        name: batch
      requirements:
        - key: karpenter.sh/capacity-type
          operator: In
          values: ["spot"]
      expireAfter: 168h
  disruption:
    consolidationPolicy: WhenEmpty
    consolidateAfter: 5m
`;

const NODE_CLASS_YAML = `
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: batch
spec:
  role: KarpenterNodeRole-my-cluster
  amiSelectorTerms:
    - alias: bottlerocket@latest
  subnetSelectorTerms:
    - tags:
        karpenter.sh/discovery: my-cluster
  securityGroupSelectorTerms:
    - tags:
        karpenter.sh/discovery: my-cluster
`;

let nowMs = Date.parse('2025-03-01T12:00:00Z');
const clock = { now: () => new Date(nowMs) };

let client: SSMClient;
let ssm: AwsClientStub<SSMClient>;
let config: SsmNodeConfig;

beforeEach(() => {
  nowMs = Date.parse('2025-03-01T12:00:00Z');
  client = new SSMClient(TEST_CLIENT_CONFIG);
  ssm = mockClient(client);
  config = new SsmNodeConfig(client, { prefix: '/nodewright/my-cluster/', clock });
});

function serveParameters(): void {
  // Two pages: the pool and its class live in different parameters.
  ssm.on(GetParametersByPathCommand)
    .resolvesOnce({ Parameters: [{ Name: '/nodewright/my-cluster/pools/batch', Value: NODE_POOL_YAML }], NextToken: 'next' })
    .resolvesOnce({ Parameters: [{ Name: '/nodewright/my-cluster/classes/batch', Value: NODE_CLASS_YAML }] })
    .resolves({ Parameters: [{ Name: '/nodewright/my-cluster/pools/batch', Value: NODE_POOL_YAML }, { Name: '/nodewright/my-cluster/classes/batch', Value: NODE_CLASS_YAML }] });
}

describe('SsmNodeConfig', () => {
  it('reads every page under the prefix, decrypted, and parses pools and classes across parameters', async () => {
    serveParameters();
    const pool = await config.nodePool('batch');
    expect(pool).toMatchObject({ name: 'batch', expireAfter: '168h', nodeClassRef: { name: 'batch' } });
    expect(await config.nodeClass('batch')).toMatchObject({ name: 'batch', amiSelectorTerms: [{ alias: 'bottlerocket@latest' }] });
    const inputs = ssm.commandCalls(GetParametersByPathCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { Path: '/nodewright/my-cluster/', Recursive: true, WithDecryption: true },
      { Path: '/nodewright/my-cluster/', Recursive: true, WithDecryption: true, NextToken: 'next' },
    ]);
  });

  it('adds the built-in pools and answers undefined for names nobody configured', async () => {
    serveParameters();
    const names = (await config.nodePools()).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['batch', 'general-purpose', 'system']));
    expect(await config.nodePool('gpu')).toBeUndefined();
    expect(await config.nodeClass('gpu')).toBeUndefined();
  });

  it('serves the parsed config for 60 seconds, then reads SSM again', async () => {
    serveParameters();
    await config.nodePools();
    expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(2);

    nowMs += 59_999;
    await config.nodePool('batch');
    await config.nodeClass('batch');
    expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(2);

    nowMs += 1;
    await config.nodePool('batch');
    expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(3);
  });

  it('does not keep a failed read: the next call tries again', async () => {
    ssm.on(GetParametersByPathCommand)
      .rejectsOnce(awsError(SSMServiceException, 'ThrottlingException', 'Rate exceeded'))
      .resolves({ Parameters: [{ Name: '/nodewright/my-cluster/a', Value: NODE_POOL_YAML + '---\n' + NODE_CLASS_YAML }] });
    await expect(config.nodePools()).rejects.toBeInstanceOf(TransientError);
    expect((await config.nodePool('batch'))?.name).toBe('batch');
  });

  it('fails with InvalidInputError naming the parameter when the YAML is not valid Karpenter config', async () => {
    ssm.on(GetParametersByPathCommand).resolves({
      Parameters: [{ Name: '/nodewright/my-cluster/pools/broken', Value: NODE_POOL_YAML.replace('expireAfter: 168h', 'expireAfter: soon') }],
    });
    const error = await config.nodePools().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toContain('/nodewright/my-cluster/pools/broken');
  });

  it('with no parameters at all still offers the built-in pools', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    expect((await config.nodePools()).map((p) => p.name).sort()).toEqual(['general-purpose', 'system']);
  });

  it('refuses a prefix that is not a parameter path', () => {
    expect(() => new SsmNodeConfig(client, { prefix: 'nodewright' })).toThrow('prefix "nodewright"');
  });
});
