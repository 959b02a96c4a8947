import { GetParameterCommand, ParameterNotFound, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { imageAliasParameterName } from '../../shared/aws/image-alias.ts';
import { SsmParameters } from '../../shared/aws/ssm-parameters.ts';
import { ConfigurationNotFoundError, InvalidInputError, TransientError } from '../../shared/errors.ts';
import { TEST_CLIENT_CONFIG, awsError } from './helpers.ts';

describe('imageAliasParameterName', () => {
  it.each([
    ['al2023@latest', '1.31', 'amd64', '/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/image_id'],
    ['al2023@latest', '1.31', 'arm64', '/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/arm64/standard/recommended/image_id'],
    ['al2023@v20240807', '1.30', 'amd64', '/aws/service/eks/optimized-ami/1.30/amazon-linux-2023/x86_64/standard/amazon-eks-node-al2023-x86_64-standard-1.30-v20240807/image_id'],
    ['al2023@v20240807', '1.30', 'arm64', '/aws/service/eks/optimized-ami/1.30/amazon-linux-2023/arm64/standard/amazon-eks-node-al2023-arm64-standard-1.30-v20240807/image_id'],
    ['al2@latest', '1.29', 'amd64', '/aws/service/eks/optimized-ami/1.29/amazon-linux-2/recommended/image_id'],
    ['al2@latest', '1.29', 'arm64', '/aws/service/eks/optimized-ami/1.29/amazon-linux-2-arm64/recommended/image_id'],
    ['al2@v20240807', '1.29', 'amd64', '/aws/service/eks/optimized-ami/1.29/amazon-linux-2/amazon-eks-node-1.29-v20240807/image_id'],
    ['al2@v20240807', '1.29', 'arm64', '/aws/service/eks/optimized-ami/1.29/amazon-linux-2-arm64/amazon-eks-arm64-node-1.29-v20240807/image_id'],
    ['bottlerocket@latest', '1.31', 'amd64', '/aws/service/bottlerocket/aws-k8s-1.31/x86_64/latest/image_id'],
    ['bottlerocket@latest', '1.31', 'arm64', '/aws/service/bottlerocket/aws-k8s-1.31/arm64/latest/image_id'],
    ['bottlerocket@v1.20.0', '1.30', 'amd64', '/aws/service/bottlerocket/aws-k8s-1.30/x86_64/1.20.0/image_id'],
    ['bottlerocket@1.20.0', '1.30', 'arm64', '/aws/service/bottlerocket/aws-k8s-1.30/arm64/1.20.0/image_id'],
  ])('%s on %s/%s -> %s', (alias, version, arch, path) => {
    expect(imageAliasParameterName(alias, version, arch)).toBe(path);
  });

  it.each([
    ['ubuntu@latest', '1.31', 'amd64', 'alias "ubuntu@latest"'],
    ['al2023', '1.31', 'amd64', 'alias "al2023"'],
    ['al2023@latest@x', '1.31', 'amd64', 'alias "al2023@latest@x"'],
    ['al2023@../../etc', '1.31', 'amd64', 'version "../../etc"'],
    ['al2023@latest', 'v1.31', 'amd64', 'kubernetesVersion "v1.31"'],
    ['al2023@latest', '1.31', 'x86', 'arch "x86"'],
  ])('refuses %s / %s / %s naming %s', (alias, version, arch, named) => {
    expect(() => imageAliasParameterName(alias, version, arch)).toThrow(InvalidInputError);
    expect(() => imageAliasParameterName(alias, version, arch)).toThrow(named);
  });
});

describe('SsmParameters.resolveImageAlias', () => {
  let client: SSMClient;
  let ssm: AwsClientStub<SSMClient>;

  beforeEach(() => {
    client = new SSMClient(TEST_CLIENT_CONFIG);
    ssm = mockClient(client);
  });

  it('reads the public parameter and returns the image id', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-0a1b2c3d4e5f67890' } });
    expect(await new SsmParameters(client).resolveImageAlias('al2023@latest', '1.31', 'arm64')).toBe('ami-0a1b2c3d4e5f67890');
    expect(ssm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({
      Name: '/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/arm64/standard/recommended/image_id',
    });
  });

  it('throws ConfigurationNotFoundError naming the alias when the parameter does not exist', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: '', $metadata: {} }));
    const error = await new SsmParameters(client).resolveImageAlias('bottlerocket@v1.99.0', '1.31', 'amd64').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationNotFoundError);
    expect((error as Error).message).toContain('bottlerocket@v1.99.0');
    expect((error as Error).message).toContain('/aws/service/bottlerocket/aws-k8s-1.31/x86_64/1.99.0/image_id');
  });

  it('retries on throttling via TransientError', async () => {
    ssm.on(GetParameterCommand).rejects(awsError(SSMServiceException, 'ThrottlingException', 'Rate exceeded'));
    await expect(new SsmParameters(client).resolveImageAlias('al2@latest', '1.29', 'amd64')).rejects.toBeInstanceOf(TransientError);
  });

  it('refuses a bad alias without calling SSM', async () => {
    await expect(new SsmParameters(client).resolveImageAlias('windows2022@latest', '1.31', 'amd64')).rejects.toBeInstanceOf(InvalidInputError);
    expect(ssm.calls()).toHaveLength(0);
  });
});
