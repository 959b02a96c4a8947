// ClusterInfoPort on EKS DescribeCluster. A cluster's endpoint and CA do not change while a Lambda
// instance lives, so the first answer is kept (a failure is not).

import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import { ConfigurationNotFoundError } from '../errors.ts';
import type { ClusterInfoPort } from '../ports.ts';
import type { ClusterInfo } from '../types.ts';
import { isAwsError, rethrowAwsError } from './errors.ts';

export class EksClusterInfo implements ClusterInfoPort {
  private cached?: Promise<ClusterInfo>;

  constructor(
    private readonly eks: EKSClient,
    private readonly clusterName: string,
  ) {}

  describeCluster(): Promise<ClusterInfo> {
    if (!this.cached) {
      const loading = this.load();
      this.cached = loading;
      loading.catch(() => {
        if (this.cached === loading) this.cached = undefined;
      });
    }
    return this.cached;
  }

  private async load(): Promise<ClusterInfo> {
    let cluster;
    try {
      cluster = (await this.eks.send(new DescribeClusterCommand({ name: this.clusterName }))).cluster;
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) {
        throw new ConfigurationNotFoundError(`EKS cluster ${this.clusterName} does not exist in this account and region`, { cause: error });
      }
      rethrowAwsError(error, 'DescribeCluster');
    }
    if (!cluster) throw new ConfigurationNotFoundError(`EKS cluster ${this.clusterName} does not exist in this account and region`);
    const endpoint = cluster.endpoint;
    const certificateAuthority = cluster.certificateAuthority?.data;
    const kubernetesVersion = cluster.version;
    if (!endpoint || !certificateAuthority || !kubernetesVersion) {
      // A cluster still being created has no endpoint yet; nothing can be done with it.
      throw new Error(`EKS cluster ${this.clusterName} (status ${cluster.status ?? 'unknown'}) has no endpoint, certificate authority or version yet`);
    }
    const serviceIpv4Cidr = cluster.kubernetesNetworkConfig?.serviceIpv4Cidr;
    return {
      name: cluster.name ?? this.clusterName,
      endpoint,
      certificateAuthority,
      kubernetesVersion,
      ...(serviceIpv4Cidr ? { serviceIpv4Cidr } : {}),
    };
  }
}
