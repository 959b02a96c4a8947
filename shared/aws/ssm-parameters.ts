// ParameterPort on SSM Parameter Store: AMI aliases through AWS's public parameters.

import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ConfigurationNotFoundError } from '../errors.ts';
import type { ParameterPort } from '../ports.ts';
import { isAwsError, rethrowAwsError } from './errors.ts';
import { imageAliasParameterName } from './image-alias.ts';

export class SsmParameters implements ParameterPort {
  constructor(private readonly ssm: SSMClient) {}

  async resolveImageAlias(alias: string, kubernetesVersion: string, arch: string): Promise<string> {
    const name = imageAliasParameterName(alias, kubernetesVersion, arch);
    try {
      const output = await this.ssm.send(new GetParameterCommand({ Name: name }));
      const imageId = output.Parameter?.Value;
      if (!imageId) throw new ConfigurationNotFoundError(`AMI alias ${alias} (Kubernetes ${kubernetesVersion}, ${arch}): parameter ${name} is empty`);
      return imageId;
    } catch (error) {
      if (isAwsError(error, 'ParameterNotFound')) {
        throw new ConfigurationNotFoundError(
          `AMI alias ${alias} has no image for Kubernetes ${kubernetesVersion} on ${arch}: SSM parameter ${name} does not exist`,
          { cause: error },
        );
      }
      if (error instanceof ConfigurationNotFoundError) throw error;
      rethrowAwsError(error, 'GetParameter');
    }
  }
}
