// Everything the spot-interruption path needs in one account and region: the EventBridge rules
// and the queue they feed, the router, the workflow and its task functions, the table of offerings
// refused for capacity, the user's node configuration in SSM, and the cluster access the
// functions need. Add it to any stack next to (or apart from) the EKS cluster it serves.
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { InstanceProfile, PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing, type Code, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { lambdaBundlingOptions } from './bundling.ts';
import { interruptionRuleSpecs } from './event-patterns.ts';
import {
  ROUTER_DEAD_LETTER_QUEUE_URL_VARIABLE, ROUTER_STATE_MACHINE_ARN_VARIABLE, commonFunctionEnvironment,
} from './function-environment.ts';
import {
  FUNCTION_TIMEOUT_SECONDS, KUBERNETES_API_FUNCTIONS, ROUTER_FUNCTION, SPOT_INTERRUPTION_FUNCTIONS, TASK_FUNCTIONS,
  functionEntry, pascalName, workflowPlaceholder,
  type SpotInterruptionFunctionName,
} from './function-catalog.ts';
import { configParameterPrefix, loadNodeConfigParameters } from './node-config-parameters.ts';
import { taskFunctionAcknowledgements, taskFunctionStatements, type PermissionContext } from './permissions.ts';
import { loadWorkflowDefinition } from './workflow-definition.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The Kubernetes group the access entries map the function roles to; infra/rbac.yaml binds it. */
export const KUBERNETES_GROUP = 'nodewright-controller';

const XRAY_ONLY_REASON = 'X-Ray PutTraceSegments/PutTelemetryRecords (added by active tracing) support no resource-level permissions; they only write trace data.';

export interface NodewrightSpotInterruptionProps {
  /** Name of the EKS cluster nodewright serves (in this account and region). */
  clusterName: string;
  /** Role of the nodes nodewright launches; the functions may pass it to EC2 and nothing else. */
  nodeRoleArn: string;
  /** NodePool / EC2NodeClass YAML files; each becomes `/nodewright/<cluster>/config/<file name>`. */
  nodeConfigFiles: string[];
  /** Handle only these groups' instance-terminate lifecycle actions. Default: every group's. */
  autoScalingGroupNames?: string[];
  /**
   * What happens to the table, queues, parameters and log groups when the stack is deleted.
   * Default: DESTROY for the table, queues and parameters (they only hold minutes-old, re-creatable
   * state), RETAIN for log groups (the record of which nodes were drained and terminated).
   */
  removalPolicy?: RemovalPolicy;
  /**
   * An EC2NodeClass that gives `role` launches its nodes with the instance profile of the same name
   * (the convention of the IAM console). By default that profile is created here for `nodeRoleArn`;
   * set false when one of that name exists already.
   */
  createNodeInstanceProfile?: boolean;
  /** How long function and workflow logs are kept. Default: one month. */
  logRetention?: RetentionDays;
  /** Folder holding `<function name>/index.ts`. Default: the repository's `functions/`. */
  functionsRoot?: string;
  /** The spot-interruption ASL file. Default: the repository's `workflows/spot-interruption.asl.json`. */
  workflowDefinitionFile?: string;
  /**
   * Ready-made code per function instead of bundling the entry files (prebuilt artifacts, or
   * tests that must not depend on the handlers). Default: esbuild bundles `functionsRoot/<name>/index.ts`.
   */
  code?: (functionName: SpotInterruptionFunctionName) => Code;
}

// EKS: 1-100 characters, starts alphanumeric, then alphanumerics, '-' and '_'.
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/;

function validateProps(props: NodewrightSpotInterruptionProps): void {
  if (!CLUSTER_NAME.test(props.clusterName)) {
    throw new Error(`clusterName: "${props.clusterName}" is not an EKS cluster name (1-100 letters, digits, '-' or '_', starting with a letter or digit)`);
  }
  if (!Token.isUnresolved(props.nodeRoleArn) && !ROLE_ARN.test(props.nodeRoleArn)) {
    throw new Error(`nodeRoleArn: "${props.nodeRoleArn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
  }
  for (const group of props.autoScalingGroupNames ?? []) {
    if (group.trim() === '' || group.length > 255) {
      throw new Error(`autoScalingGroupNames: "${group}" is not an Auto Scaling group name (1-255 characters)`);
    }
  }
}

export class NodewrightSpotInterruption extends Construct {
  /** Receives every interruption event; route-event consumes it. */
  readonly queue: Queue;
  /** Messages route-event refused or failed three times. */
  readonly deadLetterQueue: Queue;
  readonly stateMachine: StateMachine;
  /** Offerings refused for capacity, keyed by `offering`, expiring at `expiresAt` (epoch seconds). */
  readonly availabilityTable: Table;
  readonly rules: Rule[];
  readonly functions: Readonly<Record<SpotInterruptionFunctionName, IFunction>>;
  /** Roles of the functions, by function name. */
  readonly roles: Readonly<Record<SpotInterruptionFunctionName, IRole>>;
  readonly configParameters: StringParameter[];

  constructor(scope: Construct, id: string, props: NodewrightSpotInterruptionProps) {
    super(scope, id);
    validateProps(props);
    const stack = Stack.of(this);
    const transientRemoval = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const logRemoval = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const functionsRoot = props.functionsRoot ?? `${REPO_ROOT}functions`;
    const workflowFile = props.workflowDefinitionFile ?? `${REPO_ROOT}workflows/spot-interruption.asl.json`;

    // ------------------------------------------------------------ node configuration
    const configPrefix = configParameterPrefix(props.clusterName);
    this.configParameters = loadNodeConfigParameters(props.clusterName, props.nodeConfigFiles).map((parameter) => {
      const fileName = parameter.name.slice(configPrefix.length + 1);
      const resource = new StringParameter(this, `Config${pascalName(fileName.replace(/[^A-Za-z0-9-]/g, '-'))}`, {
        parameterName: parameter.name,
        stringValue: parameter.value,
        tier: parameter.tier === 'advanced' ? ParameterTier.ADVANCED : ParameterTier.STANDARD,
        description: `nodewright node configuration from ${fileName}`,
      });
      resource.applyRemovalPolicy(transientRemoval);
      return resource;
    });

    // ------------------------------------------------------------ state
    this.availabilityTable = new Table(this, 'UnavailableOfferings', {
      partitionKey: { name: 'offering', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: transientRemoval,
    });

    // ------------------------------------------------------------ queues
    const routerTimeout = Duration.seconds(FUNCTION_TIMEOUT_SECONDS[ROUTER_FUNCTION]);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: transientRemoval,
    });
    this.queue = new Queue(this, 'InterruptionQueue', {
      // SQS-managed keys, because EventBridge cannot send to a queue under the AWS-managed KMS key.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Lambda's guidance: at least six times the consumer's timeout, so a slow batch is not redelivered mid-flight.
      visibilityTimeout: Duration.seconds(routerTimeout.toSeconds() * 6),
      // A spot notice is worthless after its 2 minutes, but rebalance and scheduled-change notices
      // stay actionable for hours; one hour also outlives the 3 receives before dead-lettering.
      retentionPeriod: Duration.hours(1),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 3 },
      removalPolicy: transientRemoval,
    });

    // ------------------------------------------------------------ functions
    if (props.createNodeInstanceProfile !== false) {
      const nodeRole = Role.fromRoleArn(this, 'NodeRole', props.nodeRoleArn, { mutable: false });
      new InstanceProfile(this, 'NodeInstanceProfile', { role: nodeRole, instanceProfileName: nodeRole.roleName });
    }

    const commonEnvironment = commonFunctionEnvironment({
      clusterName: props.clusterName,
      configPrefix,
      availabilityTableName: this.availabilityTable.tableName,
    });

    const functions = {} as Record<SpotInterruptionFunctionName, NodejsFunction>;
    const roles = {} as Record<SpotInterruptionFunctionName, Role>;
    for (const name of SPOT_INTERRUPTION_FUNCTIONS) {
      const pascal = pascalName(name);
      const logGroup = new LogGroup(this, `${pascal}Logs`, { retention: logRetention, removalPolicy: logRemoval });
      // One role per function, with inline statements only: no AWS-managed policy grants more than the function uses.
      const role = new Role(this, `${pascal}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `nodewright ${name} (${props.clusterName})`,
      });
      logGroup.grantWrite(role);
      const code = props.code?.(name);
      const fn = new NodejsFunction(this, `${pascal}Function`, {
        description: `nodewright ${name} for cluster ${props.clusterName}`,
        ...(code ? { code, handler: 'index.handler' } : { entry: functionEntry(functionsRoot, name), handler: 'handler' }),
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: 512,
        timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS[name]),
        tracing: Tracing.ACTIVE,
        role,
        logGroup,
        environment: { ...commonEnvironment },
        bundling: lambdaBundlingOptions(),
        projectRoot: REPO_ROOT,
        depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      });
      functions[name] = fn;
      roles[name] = role;
    }
    this.functions = functions;
    this.roles = roles;

    const permissionContext: PermissionContext = {
      clusterName: props.clusterName,
      nodeRoleArn: props.nodeRoleArn,
      configPathArn: stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: configPrefix.slice(1) }),
      configParameterArns: this.configParameters.map((p) => p.parameterArn),
      availabilityTableArn: this.availabilityTable.tableArn,
      autoScalingGroupNames: props.autoScalingGroupNames ?? [],
    };
    for (const name of TASK_FUNCTIONS) {
      for (const statement of taskFunctionStatements(name, permissionContext)) roles[name].addToPolicy(statement);
    }

    // ------------------------------------------------------------ workflow
    const substitutions = Object.fromEntries(
      TASK_FUNCTIONS.map((name) => [workflowPlaceholder(name), functions[name].functionArn]),
    ) as Record<string, string>;
    const workflowLogs = new LogGroup(this, 'SpotInterruptionWorkflowLogs', { retention: logRetention, removalPolicy: logRemoval });
    this.stateMachine = new StateMachine(this, 'SpotInterruptionWorkflow', {
      stateMachineType: StateMachineType.STANDARD,
      // Inlined rather than uploaded as an asset: `cdk diff` then shows workflow changes line by line.
      definitionBody: DefinitionBody.fromString(loadWorkflowDefinition(workflowFile, Object.keys(substitutions))),
      definitionSubstitutions: substitutions,
      tracingEnabled: true,
      // Execution data (notices, node and pod names, chosen offerings; never credentials) is what
      // reconstructs an interruption after the fact, so it is logged.
      logs: { destination: workflowLogs, level: LogLevel.ALL, includeExecutionData: true },
    });
    this.stateMachine.addToRolePolicy(new PolicyStatement({
      sid: 'InvokeTaskFunctions',
      actions: ['lambda:InvokeFunction'],
      resources: TASK_FUNCTIONS.map((name) => functions[name].functionArn),
    }));

    // ------------------------------------------------------------ router
    const router = functions[ROUTER_FUNCTION];
    router.addEnvironment(ROUTER_STATE_MACHINE_ARN_VARIABLE, this.stateMachine.stateMachineArn);
    router.addEnvironment(ROUTER_DEAD_LETTER_QUEUE_URL_VARIABLE, this.deadLetterQueue.queueUrl);
    this.stateMachine.grantStartExecution(router);
    this.deadLetterQueue.grantSendMessages(router);
    router.addEventSource(new SqsEventSource(this.queue, {
      batchSize: 10,
      reportBatchItemFailures: true,
    }));

    // ------------------------------------------------------------ events
    const queueTarget = new SqsQueue(this.queue);
    this.rules = interruptionRuleSpecs(props.autoScalingGroupNames).map((spec) =>
      new Rule(this, spec.id, { description: spec.description, eventPattern: spec.pattern, targets: [queueTarget] }));

    // ------------------------------------------------------------ cluster access
    for (const name of SPOT_INTERRUPTION_FUNCTIONS.filter((n) => KUBERNETES_API_FUNCTIONS.has(n))) {
      new CfnAccessEntry(this, `${pascalName(name)}AccessEntry`, {
        clusterName: props.clusterName,
        principalArn: roles[name].roleArn,
        type: 'STANDARD',
        kubernetesGroups: [KUBERNETES_GROUP],
      });
    }

    this.acknowledgeNagFindings(props);
  }

  /** Each cdk-nag finding that is a deliberate choice, acknowledged where it arises, with why. */
  private acknowledgeNagFindings(props: NodewrightSpotInterruptionProps): void {
    for (const name of TASK_FUNCTIONS) {
      Validations.of(this.roles[name]).acknowledge(...taskFunctionAcknowledgements(name, props.autoScalingGroupNames ?? []));
    }
    Validations.of(this.roles[ROUTER_FUNCTION]).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: XRAY_ONLY_REASON });
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'CloudWatch Logs delivery actions (logs:CreateLogDelivery and friends) and X-Ray PutTraceSegments support no resource-level permissions; Step Functions needs them to log and trace executions.',
    });
    for (const name of SPOT_INTERRUPTION_FUNCTIONS) {
      Validations.of(this.functions[name]).acknowledge({
        id: 'AwsSolutions-L1',
        reason: 'nodejs22.x is chosen on purpose: the code is tested on Node 20 and 22, the bundle targets node22, and the runtime is supported until 2027; moving to nodejs24.x is a tested upgrade, not a default.',
      });
    }
  }
}

