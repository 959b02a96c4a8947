// The composition root for AWS Lambda: builds the ports a function uses from its environment, once
// per container. Each Lambda entry names the factories it needs, so esbuild bundles only those SDK
// clients (an entry that never talks to Kubernetes does not carry @kubernetes/client-node). A port
// the entry did not ask for fails on first use, naming itself.

import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { PricingClient } from '@aws-sdk/client-pricing';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AutoScalingLifecycle } from '../aws/autoscaling-lifecycle.ts';
import { DynamoOfferingAvailability } from '../aws/dynamo-offering-availability.ts';
import { Ec2Compute } from '../aws/ec2-compute.ts';
import { EksClusterInfo } from '../aws/eks-cluster-info.ts';
import { AwsPricing, PRICING_ENDPOINT_REGION } from '../aws/pricing.ts';
import { SqsDeadLetters } from '../aws/sqs-dead-letters.ts';
import { SsmNodeConfig } from '../aws/ssm-node-config.ts';
import { SsmParameters } from '../aws/ssm-parameters.ts';
import { StepFunctionsWorkflows } from '../aws/step-functions-workflows.ts';
import { EksTokenSource } from '../k8s/eks-token.ts';
import { KubernetesCluster } from '../k8s/cluster.ts';
import { kubeConfigFor } from '../k8s/kubeconfig.ts';
import type { ClusterInfoPort, ClusterPort, ComputePort, Ports } from '../ports.ts';

/** What every factory is given: the function's settings and the ports built before it. */
export interface Environment {
  region: string;
  clusterName: string;
  setting(name: string): string;
  optionalSetting(name: string): string | undefined;
  clusterInfo(): ClusterInfoPort;
}

type PortName = Exclude<keyof Ports, 'region' | 'clock'>;
export type PortFactories = { [K in PortName]?: (env: Environment) => Ports[K] };

// Shared by computePort and pricingPort: one EC2 client per container. Kept out of Environment so
// that entries using neither do not bundle the EC2 client.
const ec2Computes = new WeakMap<Environment, ComputePort>();
const ec2Compute = (env: Environment): ComputePort => {
  let compute = ec2Computes.get(env);
  if (!compute) ec2Computes.set(env, (compute = new Ec2Compute(new EC2Client({ region: env.region }))));
  return compute;
};

export const computePort = (env: Environment) => ec2Compute(env);
/**
 * Live prices: on-demand from the Price List API (its endpoint region, whatever the function's),
 * spot through the compute port. Built once per container like every port, so its caches (12 h
 * on-demand, 5 min spot) carry over between invocations of a warm function.
 */
export const pricingPort = (env: Environment) =>
  new AwsPricing(new PricingClient({ region: PRICING_ENDPOINT_REGION }), ec2Compute(env), { region: env.region });
export const parametersPort = (env: Environment) => new SsmParameters(new SSMClient({ region: env.region }));
export const nodeConfigPort = (env: Environment) =>
  new SsmNodeConfig(new SSMClient({ region: env.region }), {
    prefix: env.optionalSetting('NODEWRIGHT_CONFIG_PREFIX') ?? `/nodewright/${env.clusterName}/config`,
  });
export const clusterInfoPort = (env: Environment) => env.clusterInfo();
export const availabilityPort = (env: Environment) =>
  new DynamoOfferingAvailability(new DynamoDBClient({ region: env.region }), env.setting('NODEWRIGHT_AVAILABILITY_TABLE'));
export const workflowsPort = (env: Environment) =>
  new StepFunctionsWorkflows(new SFNClient({ region: env.region }), {
    'spot-interruption': env.setting('NODEWRIGHT_SPOT_INTERRUPTION_STATE_MACHINE_ARN'),
  });
export const lifecyclePort = (env: Environment) => new AutoScalingLifecycle(new AutoScalingClient({ region: env.region }));
export const deadLettersPort = (env: Environment) =>
  new SqsDeadLetters(new SQSClient({ region: env.region }), env.setting('NODEWRIGHT_DEAD_LETTER_QUEUE_URL'));

/** The Kubernetes API of the cluster, reached with an EKS token; connects on first use. */
export const clusterPort = (env: Environment): ClusterPort => {
  const tokens = new EksTokenSource({ clusterName: env.clusterName, region: env.region });
  let cluster: Promise<ClusterPort> | undefined;
  const connected = (): Promise<ClusterPort> => {
    if (!cluster) {
      const created = env
        .clusterInfo()
        .describeCluster()
        .then((info) => new KubernetesCluster(kubeConfigFor(info, () => tokens.token())));
      // A failed DescribeCluster is tried again on the next call instead of being remembered.
      created.catch(() => {
        if (cluster === created) cluster = undefined;
      });
      cluster = created;
    }
    return cluster;
  };
  return {
    findNodeByInstanceId: async (id) => (await connected()).findNodeByInstanceId(id),
    getNode: async (name) => (await connected()).getNode(name),
    listNodes: async () => (await connected()).listNodes(),
    cordonNode: async (name, taint) => (await connected()).cordonNode(name, taint),
    listPodsOnNode: async (name) => (await connected()).listPodsOnNode(name),
    listPodsMatching: async (namespace, selector) => (await connected()).listPodsMatching(namespace, selector),
    listScheduledPods: async () => (await connected()).listScheduledPods(),
    listPodDisruptionBudgets: async () => (await connected()).listPodDisruptionBudgets(),
    evictPod: async (namespace, name) => (await connected()).evictPod(namespace, name),
    deletePod: async (namespace, name) => (await connected()).deletePod(namespace, name),
    deleteNode: async (name) => (await connected()).deleteNode(name),
  };
};

/** The ports for one Lambda: those `factories` names, built from `env` (process.env by default). */
export function awsPorts(factories: PortFactories, variables: NodeJS.ProcessEnv = process.env): Ports {
  const setting = (name: string): string => {
    const value = variables[name];
    if (!value) throw new Error(`environment variable ${name} is not set; the function's deployment must provide it`);
    return value;
  };
  let clusterInfo: ClusterInfoPort | undefined;
  const env: Environment = {
    region: setting('AWS_REGION'),
    clusterName: setting('NODEWRIGHT_CLUSTER_NAME'),
    setting,
    optionalSetting: (name) => variables[name] || undefined,
    // Shared by clusterInfoPort and clusterPort: one DescribeCluster per container.
    clusterInfo: () => (clusterInfo ??= new EksClusterInfo(new EKSClient({ region: env.region }), env.clusterName)),
  };
  const ports: Partial<Ports> = { region: env.region, clock: { now: () => new Date() } };
  for (const [name, build] of Object.entries(factories) as Array<[PortName, (env: Environment) => never]>) {
    ports[name] = build(env);
  }
  return new Proxy(ports as Ports, {
    get(target, key) {
      if (typeof key === 'string' && !(key in target) && key !== 'then') {
        throw new Error(`this function was deployed without the ${key} port; add it to its entry in functions/`);
      }
      return target[key as keyof Ports];
    },
  });
}
