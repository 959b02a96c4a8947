// The CDK app: `npx cdk synth` / `npx cdk deploy -c clusterName=<name> -c nodeRoleArn=<arn>`.
// Settings and their defaults are described in infra/README.md.
import { Annotations, App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readAppConfig } from './app-config.ts';
import { NodewrightStack } from './stack.ts';

const app = new App();
const config = readAppConfig(
  (contextKey, environmentVariable) => app.node.tryGetContext(contextKey) ?? process.env[environmentVariable],
  process.cwd(),
);

const stack = new NodewrightStack(app, 'NodewrightStack', {
  ...(config.env ? { env: config.env } : {}),
  spotInterruption: {
    clusterName: config.clusterName,
    nodeRoleArn: config.nodeRoleArn,
    nodeConfigFiles: config.nodeConfigFiles,
    ...(config.autoScalingGroupNames ? { autoScalingGroupNames: config.autoScalingGroupNames } : {}),
    ...(config.createNodeInstanceProfile !== undefined ? { createNodeInstanceProfile: config.createNodeInstanceProfile } : {}),
  },
});
if (config.nodeRoleArnIsPlaceholder) {
  Annotations.of(stack).addWarningV2('nodewright:placeholder-node-role',
    `nodeRoleArn is not set; using the placeholder ${config.nodeRoleArn}. Launches will fail: deploy with -c nodeRoleArn=<role of your nodes>.`);
}

// Every finding of the AWS Solutions rules either is fixed or is acknowledged where it arises, with its reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
