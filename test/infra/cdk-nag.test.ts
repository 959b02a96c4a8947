// The AWS Solutions checks of cdk-nag v3 pass on the stack: every finding is either fixed or
// acknowledged on the construct it concerns, with its reason.
import { Validations } from 'aws-cdk-lib';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { synthesize } from './synth-helpers.ts';

function violationsOf(scope: IConstruct) {
  return new AwsSolutionsChecks().validateScope(scope).violations
    .map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
}

function acknowledgements(scope: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return scope.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>)
      .map(([id, reason]) => ({ path: construct.node.path, id, reason }))));
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding, and synthesis with the plugin succeeds', () => {
    const { app } = synthesize({ autoScalingGroupNames: ['eks-ng-a'] });
    expect(violationsOf(app)).toEqual([]);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth({ force: true })).not.toThrow();
  });

  it('acknowledges findings one by one, on the construct concerned, each with a specific reason', () => {
    const { app } = synthesize();
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(10);
    for (const ack of acks) {
      expect(ack.id).toMatch(/^(Annotation::)?AwsSolutions-(IAM5\[Resource::.+\]|L1)$/);
      expect(ack.reason.length).toBeGreaterThan(60);
      expect(ack.path).not.toBe('NodewrightStack'); // never a blanket acknowledgement on the whole stack
    }
  });

  it('still catches a finding nobody acknowledged', () => {
    const { app, stack } = synthesize();
    new Role(stack, 'CarelessRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });
    expect(violationsOf(app)).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] at NodewrightStack/CarelessRole/Resource',
    ]);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth({ force: true })).toThrow();
  });
});
