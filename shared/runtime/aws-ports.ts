// The composition root for AWS Lambda: builds every port from the function's environment, once
// per container. The Kubernetes client needs the cluster's endpoint and CA, so it is created on
// first use from DescribeCluster.

import {
  AutoScalingLifecycle,
  awsClients,
  DynamoOfferingAvailability,
  Ec2Compute,
  EksClusterInfo,
  SqsDeadLetters,
  SsmNodeConfig,
  SsmParameters,
  StepFunctionsWorkflows,
} from '../aws/index.ts';
import { EksTokenSource, KubernetesCluster, kubeConfigFor } from '../k8s/index.ts';
import type { ClusterInfoPort, ClusterPort, DeadLetterPort, Ports, WorkflowPort } from '../ports.ts';

const SYSTEM_CLOCK = { now: () => new Date() };

/** Reads NODEWRIGHT_* settings; a missing one fails only the port that needs it, with its name. */
export function awsPorts(env: NodeJS.ProcessEnv = process.env): Ports {
  const region = required(env, 'AWS_REGION');
  const clusterName = required(env, 'NODEWRIGHT_CLUSTER_NAME');
  const clients = awsClients(region);
  const clusterInfo = new EksClusterInfo(clients.eks, clusterName);
  const tokens = new EksTokenSource({ clusterName, region });
  return {
    region,
    clock: SYSTEM_CLOCK,
    compute: new Ec2Compute(clients.ec2),
    parameters: new SsmParameters(clients.ssm),
    nodeConfig: new SsmNodeConfig(clients.ssm, { prefix: env.NODEWRIGHT_CONFIG_PREFIX ?? `/nodewright/${clusterName}/config` }),
    clusterInfo,
    cluster: lazyCluster(clusterInfo, () => tokens.token()),
    availability: new DynamoOfferingAvailability(clients.dynamodb, env.NODEWRIGHT_AVAILABILITY_TABLE ?? missing('NODEWRIGHT_AVAILABILITY_TABLE')),
    workflows: optional(env.NODEWRIGHT_SPOT_INTERRUPTION_STATE_MACHINE_ARN, 'NODEWRIGHT_SPOT_INTERRUPTION_STATE_MACHINE_ARN', (arn) =>
      new StepFunctionsWorkflows(clients.sfn, { 'spot-interruption': arn }),
    ) as WorkflowPort,
    lifecycle: new AutoScalingLifecycle(clients.autoScaling),
    deadLetters: optional(env.NODEWRIGHT_DEAD_LETTER_QUEUE_URL, 'NODEWRIGHT_DEAD_LETTER_QUEUE_URL', (url) =>
      new SqsDeadLetters(clients.sqs, url),
    ) as DeadLetterPort,
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  return env[name] || missing(name);
}

function missing(name: string): never {
  throw new Error(`environment variable ${name} is not set; the function's deployment must provide it`);
}

/**
 * Only some functions get some settings (only route-event starts executions): the port is built
 * when its setting is there, and otherwise throws on use, naming the setting.
 */
function optional<T extends object>(value: string | undefined, name: string, build: (value: string) => T): T {
  if (value) return build(value);
  return new Proxy({} as T, {
    get: () => () => Promise.reject(new Error(`environment variable ${name} is not set for this function`)),
  });
}

function lazyCluster(clusterInfo: ClusterInfoPort, token: () => Promise<string>): ClusterPort {
  let cluster: Promise<ClusterPort> | undefined;
  const get = (): Promise<ClusterPort> => {
    if (!cluster) {
      const created = clusterInfo.describeCluster().then((info) => new KubernetesCluster(kubeConfigFor(info, token)));
      // A failed DescribeCluster is retried on the next call instead of being remembered.
      created.catch(() => {
        if (cluster === created) cluster = undefined;
      });
      cluster = created;
    }
    return cluster;
  };
  return {
    findNodeByInstanceId: async (id) => (await get()).findNodeByInstanceId(id),
    getNode: async (name) => (await get()).getNode(name),
    listNodes: async () => (await get()).listNodes(),
    cordonNode: async (name, taint) => (await get()).cordonNode(name, taint),
    listPodsOnNode: async (name) => (await get()).listPodsOnNode(name),
    listPodDisruptionBudgets: async () => (await get()).listPodDisruptionBudgets(),
    evictPod: async (namespace, name) => (await get()).evictPod(namespace, name),
    deletePod: async (namespace, name) => (await get()).deletePod(namespace, name),
    deleteNode: async (name) => (await get()).deleteNode(name),
  };
}
