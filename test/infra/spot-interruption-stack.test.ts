// The synthesized template of the spot-interruption stack: what a user deploys, resource by resource.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TASK_FUNCTIONS, type SpotInterruptionFunctionName } from '../../infra/function-catalog.ts';
import { FIXTURES, NODE_ROLE_ARN, WORKFLOW_FILE, actionsOf, roleStatements, synthesize, type Synthesized } from './synth-helpers.ts';

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize();
});

// A second variant, built once on first use: lifecycle handling limited to two Auto Scaling groups.
let limitedSynth: Synthesized | undefined;
// and a node configuration file too large for a standard SSM parameter.
const limited = (): Synthesized => (limitedSynth ??= synthesize({
  autoScalingGroupNames: ['eks-ng-a', 'eks-ng-b'],
  nodeConfigFiles: [`${FIXTURES}nodepools.yaml`, largeConfigFile()],
}));

function largeConfigFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'nodewright-stack-')), 'many-pools.yaml');
  const pool = (i: number) => `apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: pool-${i}\n  labels:\n    team: team-${i}\n`;
  writeFileSync(path, Array.from({ length: 60 }, (_, i) => pool(i)).join('---\n'));
  return path;
}

const fnId = (name: SpotInterruptionFunctionName) => synth.logicalId(synth.stack.spotInterruption.functions[name]);
const roleId = (name: SpotInterruptionFunctionName) => synth.logicalId(synth.stack.spotInterruption.roles[name]);
const queueId = () => synth.logicalId(synth.stack.spotInterruption.queue);
const dlqId = () => synth.logicalId(synth.stack.spotInterruption.deadLetterQueue);
const stateMachineId = () => synth.logicalId(synth.stack.spotInterruption.stateMachine);

describe('EventBridge rules', () => {
  // Written out by hand from the AWS event references, not derived from infra/event-patterns.ts.
  const expectedPatterns = [
    { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
    { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
    { source: ['aws.ec2'], 'detail-type': ['EC2 Capacity Reservation Instance Interruption Warning'] },
    {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['stopping', 'stopped', 'shutting-down', 'terminated'] },
    },
    {
      source: ['aws.health'],
      'detail-type': ['AWS Health Event'],
      detail: { service: ['EC2'], eventTypeCategory: ['scheduledChange'] },
    },
    { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance-terminate Lifecycle Action'] },
  ];

  it('has exactly one rule per interruption event, with the exact pattern, each targeting the queue', () => {
    const rules = Object.values(synth.template.findResources('AWS::Events::Rule'));
    expect(rules.map((rule) => rule.Properties.EventPattern)).toEqual(expect.arrayContaining(expectedPatterns));
    expect(rules).toHaveLength(expectedPatterns.length);
    for (const rule of rules) {
      expect(rule.Properties.State).toBe('ENABLED');
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({ Arn: { 'Fn::GetAtt': [queueId(), 'Arn'] } }),
      ]);
    }
  });

  it('limits the lifecycle rule to the given Auto Scaling groups when there are some', () => {
    limited().template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.autoscaling'],
        'detail-type': ['EC2 Instance-terminate Lifecycle Action'],
        detail: { AutoScalingGroupName: ['eks-ng-a', 'eks-ng-b'] },
      },
    });
  });
});

describe('interruption queue', () => {
  it('is encrypted, dead-letters after 3 receives, and waits 6x the router timeout before redelivery', () => {
    const queue = synth.template.findResources('AWS::SQS::Queue')[queueId()]!.Properties;
    const router = synth.template.findResources('AWS::Lambda::Function')[fnId('route-event')]!.Properties;
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlqId(), 'Arn'] }, maxReceiveCount: 3 });
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * router.Timeout);
    // Long enough for 3 receives before the dead-letter queue, short enough not to act on stale notices.
    expect(queue.MessageRetentionPeriod).toBeGreaterThanOrEqual(3 * queue.VisibilityTimeout);
    expect(queue.MessageRetentionPeriod).toBeLessThanOrEqual(24 * 3600);
  });

  it('keeps dead letters encrypted for 14 days', () => {
    const dlq = synth.template.findResources('AWS::SQS::Queue')[dlqId()]!.Properties;
    expect(dlq.SqsManagedSseEnabled).toBe(true);
    expect(dlq.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('refuses plain HTTP on both queues', () => {
    for (const id of [queueId(), dlqId()]) {
      synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([{
            Action: 'sqs:*',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: { 'Fn::GetAtt': [id, 'Arn'] },
          }]),
        },
      });
    }
  });

  it('lets only the interruption rules send, each by its own ARN', () => {
    const policy = Object.values(synth.template.findResources('AWS::SQS::QueuePolicy'))
      .find((p) => p.Properties.Queues[0].Ref === queueId())!;
    const allows = (policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>).filter((s) => s.Effect === 'Allow');
    const ruleIds = Object.keys(synth.template.findResources('AWS::Events::Rule')).sort();
    expect(allows.every((s) => s.Principal?.Service === 'events.amazonaws.com')).toBe(true);
    expect(allows.map((s) => s.Condition.ArnEquals['aws:SourceArn']['Fn::GetAtt'][0]).sort()).toEqual(ruleIds);
  });

  it('feeds route-event in batches of 10 with partial batch failures', () => {
    synth.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId(), 'Arn'] },
      FunctionName: { Ref: fnId('route-event') },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });
});

describe('spot-interruption workflow', () => {
  it('is a STANDARD state machine whose placeholders become the task functions ARNs', () => {
    const machine = synth.template.findResources('AWS::StepFunctions::StateMachine')[stateMachineId()]!.Properties;
    expect(machine.StateMachineType).toBe('STANDARD');
    expect(machine.DefinitionString).toBe(readFileSync(WORKFLOW_FILE, 'utf8'));
    expect(machine.DefinitionSubstitutions).toEqual({
      PrepareInterruptionFunctionArn: { 'Fn::GetAtt': [fnId('prepare-interruption'), 'Arn'] },
      CordonNodeFunctionArn: { 'Fn::GetAtt': [fnId('cordon-node'), 'Arn'] },
      PlanReplacementFunctionArn: { 'Fn::GetAtt': [fnId('plan-replacement'), 'Arn'] },
      LaunchReplacementFunctionArn: { 'Fn::GetAtt': [fnId('launch-replacement'), 'Arn'] },
      CheckReplacementFunctionArn: { 'Fn::GetAtt': [fnId('check-replacement'), 'Arn'] },
      DrainNodeFunctionArn: { 'Fn::GetAtt': [fnId('drain-node'), 'Arn'] },
      TerminateInstanceFunctionArn: { 'Fn::GetAtt': [fnId('terminate-instance'), 'Arn'] },
      CompleteLifecycleActionFunctionArn: { 'Fn::GetAtt': [fnId('complete-lifecycle-action'), 'Arn'] },
    });
    for (const placeholder of machine.DefinitionString.match(/\$\{[A-Za-z]+\}/g) ?? []) {
      expect(Object.keys(machine.DefinitionSubstitutions)).toContain(placeholder.slice(2, -1));
    }
  });

  it('logs every event with execution data and traces with X-Ray', () => {
    const machine = synth.template.findResources('AWS::StepFunctions::StateMachine')[stateMachineId()]!.Properties;
    expect(machine.TracingConfiguration).toEqual({ Enabled: true });
    expect(machine.LoggingConfiguration).toEqual({
      Level: 'ALL',
      IncludeExecutionData: true,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } }],
    });
  });

  it('may invoke exactly the eight task functions, not the router', () => {
    const machine = synth.template.findResources('AWS::StepFunctions::StateMachine')[stateMachineId()]!;
    const machineRoleId = machine.Properties.RoleArn['Fn::GetAtt'][0];
    const invoke = roleStatements(synth.template, machineRoleId).filter((s) => actionsOf([s]).includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(invoke[0]!.Resource).toEqual(TASK_FUNCTIONS.map((name) => ({ 'Fn::GetAtt': [fnId(name), 'Arn'] })));
  });
});

describe('table of offerings refused for capacity', () => {
  it('is keyed by offering, expires entries at expiresAt, on demand, recoverable and encrypted', () => {
    synth.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    synth.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'offering', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'offering', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });
});

describe('functions', () => {
  const functionProps = (name: SpotInterruptionFunctionName) =>
    synth.template.findResources('AWS::Lambda::Function')[fnId(name)]!.Properties;

  it.each(['route-event', ...TASK_FUNCTIONS] as SpotInterruptionFunctionName[])('%s runs on nodejs22.x arm64, traced, logging to its own group', (name) => {
    const props = functionProps(name);
    expect(props.Runtime).toBe('nodejs22.x');
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.TracingConfig).toEqual({ Mode: 'Active' });
    expect(props.LoggingConfig.LogGroup.Ref).toMatch(/Logs/);
    expect(props.Environment.Variables).toMatchObject({
      NODEWRIGHT_CLUSTER_NAME: 'my-cluster',
      NODEWRIGHT_CONFIG_PREFIX: '/nodewright/my-cluster/config',
      NODEWRIGHT_AVAILABILITY_TABLE: { Ref: synth.logicalId(synth.stack.spotInterruption.availabilityTable) },
      POWERTOOLS_SERVICE_NAME: 'nodewright',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
  });

  it('gives every log group a retention', () => {
    for (const group of Object.values(synth.template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(30);
    }
  });

  it('tells route-event where the workflow and the dead-letter queue are', () => {
    expect(functionProps('route-event').Environment.Variables).toMatchObject({
      NODEWRIGHT_SPOT_INTERRUPTION_STATE_MACHINE_ARN: { Ref: stateMachineId() },
      NODEWRIGHT_DEAD_LETTER_QUEUE_URL: { Ref: dlqId() },
    });
    expect(functionProps('plan-replacement').Environment.Variables.NODEWRIGHT_SPOT_INTERRUPTION_STATE_MACHINE_ARN).toBeUndefined();
  });

  it('creates the instance profile named like the node role, which role-based node classes launch with', () => {
    synth.template.hasResourceProperties('AWS::IAM::InstanceProfile', {
      Roles: ['KarpenterNodeRole-my-cluster'],
      InstanceProfileName: 'KarpenterNodeRole-my-cluster',
    });
    expect(functionProps('launch-replacement').Environment.Variables.NODEWRIGHT_NODE_INSTANCE_PROFILE).toBeUndefined();

    const existing = synthesize({ createNodeInstanceProfile: false });
    existing.template.resourceCountIs('AWS::IAM::InstanceProfile', 0);
  });
});

describe('IAM, least privilege per function', () => {
  const baseline = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
  const expectedActions: Record<SpotInterruptionFunctionName, string[]> = {
    'route-event': ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage', 'states:StartExecution'],
    'prepare-interruption': ['ec2:DescribeInstances', 'eks:DescribeCluster'],
    'cordon-node': ['eks:DescribeCluster'],
    'plan-replacement': ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'ec2:DescribeSpotPriceHistory', 'ec2:DescribeSubnets', 'eks:DescribeCluster', 'pricing:GetProducts', 'ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
    'launch-replacement': ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate', 'ec2:CreateTags', 'ec2:DescribeImages', 'ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:RunInstances', 'eks:DescribeCluster', 'iam:PassRole', 'ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
    'check-replacement': ['ec2:DescribeInstances', 'eks:DescribeCluster'],
    'drain-node': ['eks:DescribeCluster'],
    'terminate-instance': ['ec2:TerminateInstances', 'eks:DescribeCluster'],
    'complete-lifecycle-action': ['autoscaling:CompleteLifecycleAction'],
  };

  it.each(Object.entries(expectedActions))('%s may do exactly what its step needs', (name, actions) => {
    expect(actionsOf(roleStatements(synth.template, roleId(name as SpotInterruptionFunctionName))))
      .toEqual([...baseline, ...actions].sort());
  });

  it('lets no function use an AWS-managed policy', () => {
    for (const role of Object.values(synth.template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('terminates only instances tagged as owned by this cluster', () => {
    const [terminate, ...others] = roleStatements(synth.template, roleId('terminate-instance')).filter((s) => s.Action === 'ec2:TerminateInstances');
    expect(others).toEqual([]);
    expect(terminate!.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/kubernetes.io/cluster/my-cluster': 'owned' } });
    expect(JSON.stringify(terminate!.Resource)).toContain(':instance/*');
  });

  it('route-event starts executions of this state machine only', () => {
    const start = roleStatements(synth.template, roleId('route-event')).filter((s) => actionsOf([s]).includes('states:StartExecution'));
    expect(start).toEqual([expect.objectContaining({ Action: 'states:StartExecution', Resource: { Ref: stateMachineId() } })]);
  });

  it('launch-replacement creates instances, volumes and launch templates only with both cluster tags', () => {
    const statements = roleStatements(synth.template, roleId('launch-replacement'));
    const create = statements.find((s) => s.Sid === 'CreateOnlyClusterTaggedResources')!;
    expect(create.Condition).toEqual({
      StringEquals: {
        'aws:RequestTag/kubernetes.io/cluster/my-cluster': 'owned',
        'aws:RequestTag/eks:eks-cluster-name': 'my-cluster',
      },
    });
    const tag = statements.find((s) => s.Action === 'ec2:CreateTags')!;
    expect(tag.Condition!.StringEquals!['ec2:CreateAction']).toEqual(['RunInstances', 'CreateFleet', 'CreateLaunchTemplate']);
    // Without a tag condition, only resources that cannot be an instance, volume or template.
    const untagged = statements.filter((s) => actionsOf([s]).includes('ec2:RunInstances') && !s.Condition);
    expect(JSON.stringify(untagged)).not.toMatch(/:(instance|volume)\/\*/);
  });

  it('lets only plan-replacement read the Price List, which has no resources to name', () => {
    const readers = TASK_FUNCTIONS.filter((name) => actionsOf(roleStatements(synth.template, roleId(name))).includes('pricing:GetProducts'));
    expect(readers).toEqual(['plan-replacement']);
    const [statement] = roleStatements(synth.template, roleId('plan-replacement')).filter((s) => s.Action === 'pricing:GetProducts');
    // No aws:RequestedRegion pin as on EC2 Describe*: the call goes to the Price List endpoint region.
    expect(statement).toMatchObject({ Effect: 'Allow', Resource: '*' });
    expect(statement!.Condition).toBeUndefined();
  });

  it('passes only the node role, and only to EC2', () => {
    const passRole = Object.entries(TASK_FUNCTIONS).flatMap(([, name]) =>
      roleStatements(synth.template, roleId(name)).filter((s) => s.Action === 'iam:PassRole').map((s) => ({ name, s })));
    expect(passRole.map(({ name }) => name)).toEqual(['launch-replacement']);
    expect(passRole[0]!.s.Resource).toBe(NODE_ROLE_ARN);
    expect(passRole[0]!.s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
  });

  it('reads node configuration by its path and public AMI parameters, nothing else in SSM', () => {
    const ssm = roleStatements(synth.template, roleId('launch-replacement')).filter((s) => actionsOf([s]).some((a) => a.startsWith('ssm:')));
    const resources = JSON.stringify(ssm.map((s) => s.Resource));
    expect(resources).toContain('parameter/nodewright/my-cluster/config');
    expect(resources).toContain('::parameter/aws/service/*');
    expect(ssm.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))).toHaveLength(3);
  });

  it('limits CompleteLifecycleAction to the named groups when given', () => {
    const { template, logicalId, stack } = limited();
    const statements = roleStatements(template, logicalId(stack.spotInterruption.roles['complete-lifecycle-action']));
    const complete = statements.find((s) => s.Action === 'autoscaling:CompleteLifecycleAction')!;
    const resources = JSON.stringify(complete.Resource);
    expect(resources).toMatch(/autoScalingGroupName\/eks-ng-a"/);
    expect(resources).toMatch(/autoScalingGroupName\/eks-ng-b"/);
    expect(resources).not.toMatch(/autoScalingGroupName\/\*/);
  });
});

describe('cluster access', () => {
  it('maps the roles that call the Kubernetes API to the nodewright-controller group, and no other', () => {
    const entries = Object.values(synth.template.findResources('AWS::EKS::AccessEntry')).map((e) => e.Properties);
    expect(entries.map((e) => e.PrincipalArn['Fn::GetAtt'][0]).sort()).toEqual(
      (['prepare-interruption', 'cordon-node', 'plan-replacement', 'check-replacement', 'drain-node', 'terminate-instance'] as const)
        .map(roleId).sort(),
    );
    for (const entry of entries) {
      expect(entry).toMatchObject({ ClusterName: 'my-cluster', Type: 'STANDARD', KubernetesGroups: ['nodewright-controller'] });
    }
  });
});

describe('node configuration parameters', () => {
  it('stores each YAML file as a String parameter under the cluster prefix', () => {
    synth.template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/nodewright/my-cluster/config/nodepools.yaml',
      Type: 'String',
      Tier: 'Standard',
      Value: Match.stringLikeRegexp('kind: NodePool'),
    });
  });

  it('puts a file over 4 KB in an advanced parameter', () => {
    limited().template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/nodewright/my-cluster/config/many-pools.yaml',
      Type: 'String',
      Tier: 'Advanced',
    });
  });
});
