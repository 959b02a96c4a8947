// The AWS adapter: the ports of shared/ports.ts on SDK v3. Composition roots (the Lambda entries)
// (shared/runtime/aws-ports.ts) build one SDK client per port a function uses and hand it to these classes.

export { Ec2Compute, type Ec2ComputeSettings } from './ec2-compute.ts';
export { SsmParameters } from './ssm-parameters.ts';
export { SsmNodeConfig, type SsmNodeConfigSettings, type NodeConfigSet, type ConfigSource } from './ssm-node-config.ts';
export { EksClusterInfo } from './eks-cluster-info.ts';
export { StepFunctionsWorkflows } from './step-functions-workflows.ts';
export { DynamoOfferingAvailability } from './dynamo-offering-availability.ts';
export { AutoScalingLifecycle } from './autoscaling-lifecycle.ts';
export { SqsDeadLetters } from './sqs-dead-letters.ts';
export { awsErrorName, isAwsError, isTransientAwsError, rethrowAwsError, callAws } from './errors.ts';
export { imageAliasParameterName, parseImageAlias } from './image-alias.ts';
