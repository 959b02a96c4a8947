// Least-privilege IAM for each task function: what it may do and on what, nothing more.
// route-event's permissions (start this workflow, write the dead-letter queue) are granted by the
// construct, which owns those resources.
import { Aws } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Acknowledgment } from 'aws-cdk-lib';
import type { TaskFunctionName } from './function-catalog.ts';

export interface PermissionContext {
  clusterName: string;
  /** Role of the nodes nodewright launches; the only role it may pass to EC2. */
  nodeRoleArn: string;
  /** The config path itself (for GetParametersByPath) and each of its parameters. */
  configPathArn: string;
  configParameterArns: string[];
  availabilityTableArn: string;
  /** Limits CompleteLifecycleAction to these groups; any group of the account when empty. */
  autoScalingGroupNames: readonly string[];
}

/**
 * The tag every instance of the cluster carries (Karpenter, managed node groups and nodewright
 * alike); termination is allowed only on instances that have it.
 */
export function clusterOwnershipTagKey(clusterName: string): string {
  return `kubernetes.io/cluster/${clusterName}`;
}
export const CLUSTER_OWNERSHIP_TAG_VALUE = 'owned';
/** Second tag nodewright puts on what it launches, as Karpenter v1 does. */
export const EKS_CLUSTER_NAME_TAG_KEY = 'eks:eks-cluster-name';

const region = Aws.REGION;
const partition = Aws.PARTITION;
const ec2Arn = (resource: string): string => `arn:${partition}:ec2:${region}:*:${resource}`;

/** EC2 Describe* calls do not support resource-level permissions; pin them to this region instead. */
function ec2Describe(...actions: string[]): PolicyStatement {
  return new PolicyStatement({
    sid: 'DescribeEc2InThisRegion',
    actions: actions.map((action) => `ec2:${action}`),
    resources: ['*'],
    conditions: { StringEquals: { 'aws:RequestedRegion': region } },
  });
}

/**
 * Live on-demand prices. The Price List API has no resources to name (AWS requires Resource "*")
 * and is served from its own endpoint region (us-east-1), so aws:RequestedRegion cannot narrow it.
 */
function readPriceList(): PolicyStatement {
  return new PolicyStatement({
    sid: 'ReadOnDemandPrices',
    actions: ['pricing:GetProducts'],
    resources: ['*'],
  });
}

function describeCluster(ctx: PermissionContext): PolicyStatement {
  return new PolicyStatement({
    sid: 'DescribeThisCluster',
    actions: ['eks:DescribeCluster'],
    resources: [`arn:${partition}:eks:${region}:${Aws.ACCOUNT_ID}:cluster/${ctx.clusterName}`],
  });
}

function readNodeConfig(ctx: PermissionContext): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'ReadNodeConfigParameters',
      actions: ['ssm:GetParameter', 'ssm:GetParameters'],
      resources: ctx.configParameterArns,
    }),
    new PolicyStatement({
      sid: 'ListNodeConfigParameters',
      actions: ['ssm:GetParametersByPath'],
      resources: [ctx.configPathArn],
    }),
  ];
}

/** AMI ids published by AWS (`/aws/service/eks/optimized-ami/...`, `/aws/service/bottlerocket/...`). */
function readPublicAmiParameters(): PolicyStatement {
  return new PolicyStatement({
    sid: 'ReadPublicAmiParameters',
    actions: ['ssm:GetParameter'],
    resources: [`arn:${partition}:ssm:${region}::parameter/aws/service/*`],
  });
}

function launchCapacity(ctx: PermissionContext): PolicyStatement[] {
  const clusterTags = {
    [`aws:RequestTag/${clusterOwnershipTagKey(ctx.clusterName)}`]: CLUSTER_OWNERSHIP_TAG_VALUE,
    [`aws:RequestTag/${EKS_CLUSTER_NAME_TAG_KEY}`]: ctx.clusterName,
  };
  // What a launch creates that outlives the call, and so must carry the cluster's tags from the
  // start: the instance, its volumes, and the launch template.
  const taggedResources = ['instance/*', 'volume/*', 'launch-template/*'].map(ec2Arn);
  return [
    new PolicyStatement({
      sid: 'UseSupportingResourcesForLaunch',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet'],
      resources: [
        `arn:${partition}:ec2:${region}::image/*`,
        `arn:${partition}:ec2:${region}::snapshot/*`,
        // An instant fleet, its spot request and the instance's network interface are created by the
        // same call and are not tagged by nodewright; they live and die with the instance.
        ...['fleet/*', 'spot-instances-request/*', 'network-interface/*', 'security-group/*', 'subnet/*', 'launch-template/*'].map(ec2Arn),
      ],
    }),
    new PolicyStatement({
      sid: 'CreateOnlyClusterTaggedResources',
      actions: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      resources: taggedResources,
      conditions: { StringEquals: clusterTags },
    }),
    new PolicyStatement({
      sid: 'TagOnlyWhileCreating',
      actions: ['ec2:CreateTags'],
      resources: taggedResources,
      conditions: {
        StringEquals: { ...clusterTags, 'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'] },
      },
    }),
    new PolicyStatement({
      sid: 'PassNodeRoleToEc2Only',
      actions: ['iam:PassRole'],
      resources: [ctx.nodeRoleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    }),
  ];
}

function terminateClusterInstances(ctx: PermissionContext): PolicyStatement {
  return new PolicyStatement({
    sid: 'TerminateOnlyThisClustersInstances',
    actions: ['ec2:TerminateInstances'],
    resources: [ec2Arn('instance/*')],
    conditions: { StringEquals: { [`aws:ResourceTag/${clusterOwnershipTagKey(ctx.clusterName)}`]: CLUSTER_OWNERSHIP_TAG_VALUE } },
  });
}

function completeLifecycleActions(ctx: PermissionContext): PolicyStatement {
  const groups = ctx.autoScalingGroupNames.length > 0 ? ctx.autoScalingGroupNames : ['*'];
  return new PolicyStatement({
    sid: 'CompleteLifecycleActions',
    actions: ['autoscaling:CompleteLifecycleAction'],
    resources: groups.map((group) =>
      `arn:${partition}:autoscaling:${region}:${Aws.ACCOUNT_ID}:autoScalingGroup:*:autoScalingGroupName/${group}`),
  });
}

function readAvailability(ctx: PermissionContext): PolicyStatement {
  return new PolicyStatement({
    sid: 'ReadUnavailableOfferings',
    actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan'],
    resources: [ctx.availabilityTableArn],
  });
}

function recordAvailability(ctx: PermissionContext): PolicyStatement {
  return new PolicyStatement({
    sid: 'RecordUnavailableOfferings',
    actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'],
    resources: [ctx.availabilityTableArn],
  });
}

/** Every statement each task function needs. */
export function taskFunctionStatements(name: TaskFunctionName, ctx: PermissionContext): PolicyStatement[] {
  switch (name) {
    case 'prepare-interruption':
      return [describeCluster(ctx), ec2Describe('DescribeInstances')];
    case 'cordon-node':
      return [describeCluster(ctx)];
    case 'plan-replacement':
      return [
        describeCluster(ctx),
        ...readNodeConfig(ctx),
        ec2Describe('DescribeSpotPriceHistory', 'DescribeSubnets'),
        readPriceList(),
        readAvailability(ctx),
      ];
    case 'launch-replacement':
      return [
        describeCluster(ctx),
        ...readNodeConfig(ctx),
        readPublicAmiParameters(),
        ec2Describe('DescribeImages', 'DescribeInstances', 'DescribeSecurityGroups'),
        ...launchCapacity(ctx),
        recordAvailability(ctx),
      ];
    case 'check-replacement':
      return [describeCluster(ctx), ec2Describe('DescribeInstances')];
    case 'drain-node':
      return [describeCluster(ctx)];
    case 'terminate-instance':
      return [describeCluster(ctx), terminateClusterInstances(ctx)];
    case 'complete-lifecycle-action':
      return [completeLifecycleActions(ctx)];
  }
}


// ---------------------------------------------------------------- cdk-nag acknowledgements
// Every wildcard above is deliberate; these say why, finding by finding, in cdk-nag's own terms
// (`<AWS::Region>` stands for the region token in the rendered ARN).

const XRAY_REASON = 'X-Ray PutTraceSegments/PutTelemetryRecords (added by active tracing) support no resource-level permissions; they only write trace data.';
const PRICE_LIST_REASON = 'pricing:GetProducts (live on-demand prices) supports no resource-level permissions (AWS requires Resource "*") and is called in the Price List endpoint region, not this one; it is read-only and returns public prices, no data of this account.';
const EC2_DESCRIBE_REASON = 'EC2 Describe* actions support no resource-level permissions (AWS requires Resource "*"); the statement is limited to this region by aws:RequestedRegion and is read-only.';

function nagResource(arnTemplate: string): string {
  return `AwsSolutions-IAM5[Resource::${arnTemplate}]`;
}

const NAG_EC2 = 'arn:<AWS::Partition>:ec2:<AWS::Region>';

/** The cdk-nag findings each task function's statements raise, each with the reason it is accepted. */
export function taskFunctionAcknowledgements(name: TaskFunctionName, autoScalingGroupNames: readonly string[]): Acknowledgment[] {
  const usesEc2Describe = ['prepare-interruption', 'plan-replacement', 'launch-replacement', 'check-replacement'].includes(name);
  const wildcardReasons = [
    ...(usesEc2Describe ? [EC2_DESCRIBE_REASON] : []),
    ...(name === 'plan-replacement' ? [PRICE_LIST_REASON] : []),
    XRAY_REASON,
  ];
  const acknowledgements: Acknowledgment[] = [{ id: nagResource('*'), reason: wildcardReasons.join(' ') }];
  if (name === 'launch-replacement') {
    acknowledgements.push(
      { id: nagResource('arn:<AWS::Partition>:ssm:<AWS::Region>::parameter/aws/service/*'), reason: 'Public AMI parameters published by AWS; which one is read (AMI family, Kubernetes version, architecture) is decided per node class at run time. Read-only, and holds no data of this account.' },
      { id: nagResource(`${NAG_EC2}::image/*`), reason: 'A launch may use any AMI the node class selects (by alias, id, name or tags), so RunInstances/CreateFleet must be allowed on images in general; the instance itself is only created with the cluster tags.' },
      { id: nagResource(`${NAG_EC2}::snapshot/*`), reason: 'The selected AMI\'s root snapshot is not known before run time; RunInstances/CreateFleet only read it.' },
      { id: nagResource(`${NAG_EC2}:*:spot-instances-request/*`), reason: 'A spot launch through CreateFleet creates a spot request whose id does not exist before the call.' },
      { id: nagResource(`${NAG_EC2}:*:security-group/*`), reason: 'Security groups come from the node class\'s selector terms at run time; RunInstances/CreateFleet only attach them.' },
      { id: nagResource(`${NAG_EC2}:*:subnet/*`), reason: 'Subnets come from the node class\'s selector terms at run time; RunInstances/CreateFleet only place instances in them.' },
      { id: nagResource(`${NAG_EC2}:*:launch-template/*`), reason: 'Launch template names derive from the node class and AMI at run time; creating one requires the cluster tags (aws:RequestTag condition).' },
      { id: nagResource(`${NAG_EC2}:*:fleet/*`), reason: 'An instant fleet is created and finished by the same CreateFleet call and its id does not exist before it; what it launches must carry the cluster tags (aws:RequestTag condition on instance and volume).' },
      { id: nagResource(`${NAG_EC2}:*:instance/*`), reason: 'Instance ids do not exist before the launch; creation and creation-time tagging require the cluster tags (aws:RequestTag condition).' },
      { id: nagResource(`${NAG_EC2}:*:volume/*`), reason: 'Volume ids do not exist before the launch; creation and creation-time tagging require the cluster tags (aws:RequestTag condition).' },
      { id: nagResource(`${NAG_EC2}:*:network-interface/*`), reason: 'The primary network interface is created with the instance by the same call and deleted with it; its id does not exist before the launch.' },
    );
  }
  if (name === 'terminate-instance') {
    acknowledgements.push({
      id: nagResource(`${NAG_EC2}:*:instance/*`),
      reason: 'Which instance an interruption hits is only known at run time; TerminateInstances is limited to instances tagged as owned by this cluster (aws:ResourceTag condition).',
    });
  }
  if (name === 'complete-lifecycle-action') {
    const groups = autoScalingGroupNames.length > 0 ? autoScalingGroupNames : ['*'];
    for (const group of groups) {
      acknowledgements.push({
        id: nagResource(`arn:<AWS::Partition>:autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/${group}`),
        reason: group === '*'
          ? 'No Auto Scaling group names were configured, so lifecycle actions of any group in this account and region may be completed; the action only lets a terminating instance proceed.'
          : `The group id segment of an Auto Scaling group ARN is a generated UUID; the statement is limited to the group named ${group}.`,
      });
    }
  }
  return acknowledgements;
}
