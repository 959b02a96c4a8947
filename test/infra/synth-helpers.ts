// Builds the nodewright stack for assertions, with inline stand-in code so the template can be
// checked without bundling the handlers (real bundling is covered in bundling.test.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code } from 'aws-cdk-lib/aws-lambda';
import type { NodewrightSpotInterruptionProps } from '../../infra/spot-interruption-construct.ts';
import { NodewrightStack } from '../../infra/stack.ts';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const REAL_WORKFLOW = fileURLToPath(new URL('../../workflows/spot-interruption.asl.json', import.meta.url));

/** The lead's workflow once it exists, so its placeholders are checked against the construct; the fixture until then. */
export const WORKFLOW_FILE = existsSync(REAL_WORKFLOW) ? REAL_WORKFLOW : `${FIXTURES}spot-interruption.asl.json`;
export const NODE_ROLE_ARN = 'arn:aws:iam::123456789012:role/KarpenterNodeRole-my-cluster';

export function baseProps(overrides: Partial<NodewrightSpotInterruptionProps> = {}): NodewrightSpotInterruptionProps {
  return {
    clusterName: 'my-cluster',
    nodeRoleArn: NODE_ROLE_ARN,
    nodeConfigFiles: [`${FIXTURES}nodepools.yaml`],
    workflowDefinitionFile: WORKFLOW_FILE,
    code: () => Code.fromInline('export const handler = async () => ({});'),
    ...overrides,
  };
}

export interface Synthesized {
  app: App;
  stack: NodewrightStack;
  template: Template;
  /** The logical id CloudFormation knows a construct's resource by. */
  logicalId(resource: { node: { defaultChild?: unknown } }): string;
}

export function synthesize(overrides: Partial<NodewrightSpotInterruptionProps> = {}): Synthesized {
  const app = new App();
  const stack = new NodewrightStack(app, 'NodewrightStack', { spotInterruption: baseProps(overrides) });
  return {
    app,
    stack,
    template: Template.fromStack(stack),
    logicalId: (resource) => Stack.of(stack).getLogicalId(resource.node.defaultChild as CfnResource),
  };
}

type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>>; Effect: string; Sid?: string };

/** Every statement of the inline policies attached to the role with this logical id. */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) => (policy.Properties.Roles as Array<{ Ref?: string }>).some((role) => role.Ref === roleLogicalId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

export function actionsOf(statements: Statement[]): string[] {
  return [...new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))].sort();
}
