// Reads the CDK app's settings from context (`cdk synth -c clusterName=prod`) or the environment,
// with defaults that let `cdk synth` run anywhere, offline and without credentials.
import { resolve } from 'node:path';

export interface AppConfig {
  clusterName: string;
  nodeRoleArn: string;
  /** True when nodeRoleArn is the synth-only placeholder: fine for a look at the template, not to deploy. */
  nodeRoleArnIsPlaceholder: boolean;
  nodeConfigFiles: string[];
  autoScalingGroupNames?: string[];
  createNodeInstanceProfile?: boolean;
  /** Both set, or neither (an environment-agnostic stack). */
  env?: { account: string; region: string };
}

export const DEFAULT_CLUSTER_NAME = 'my-cluster';
export const PLACEHOLDER_NODE_ROLE_ARN = 'arn:aws:iam::111111111111:role/nodewright-placeholder-node-role';
export const DEFAULT_NODE_CONFIG_FILES = ['examples/nodepools/default.yaml'];

/** Looks a setting up; context first (`-c key=value`), then the environment variable. */
export type SettingSource = (contextKey: string, environmentVariable: string) => unknown;

/** A list given as an array (cdk.json) or as comma-separated text (`-c nodeConfigFiles=a.yaml,b.yaml`). */
function listSetting(key: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (!items || items.some((item) => typeof item !== 'string')) {
    throw new Error(`${key}: expected a list of strings or comma-separated text, got ${JSON.stringify(value)}`);
  }
  const trimmed = (items as string[]).map((item) => item.trim()).filter((item) => item !== '');
  return trimmed.length > 0 ? trimmed : undefined;
}

function textSetting(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`${key}: expected text, got ${JSON.stringify(value)}`);
  return value.trim();
}

/** The app's configuration; relative config file paths are taken from `cwd`. */
export function readAppConfig(setting: SettingSource, cwd: string): AppConfig {
  const clusterName = textSetting('clusterName', setting('clusterName', 'NODEWRIGHT_CLUSTER_NAME')) ?? DEFAULT_CLUSTER_NAME;
  const nodeRoleArn = textSetting('nodeRoleArn', setting('nodeRoleArn', 'NODEWRIGHT_NODE_ROLE_ARN'));
  const files = listSetting('nodeConfigFiles', setting('nodeConfigFiles', 'NODEWRIGHT_NODE_CONFIG_FILES')) ?? DEFAULT_NODE_CONFIG_FILES;
  const autoScalingGroupNames = listSetting('autoScalingGroupNames', setting('autoScalingGroupNames', 'NODEWRIGHT_AUTO_SCALING_GROUP_NAMES'));
  const createProfile = textSetting('createNodeInstanceProfile', setting('createNodeInstanceProfile', 'NODEWRIGHT_CREATE_NODE_INSTANCE_PROFILE'));
  if (createProfile !== undefined && createProfile !== 'true' && createProfile !== 'false') {
    throw new Error(`createNodeInstanceProfile: expected true or false; got ${JSON.stringify(createProfile)}`);
  }
  const account = textSetting('account', setting('account', 'NODEWRIGHT_ACCOUNT'));
  const region = textSetting('region', setting('region', 'NODEWRIGHT_REGION'));
  if ((account === undefined) !== (region === undefined)) {
    throw new Error(`account/region: set both or neither (got account=${account ?? 'unset'}, region=${region ?? 'unset'})`);
  }
  return {
    clusterName,
    nodeRoleArn: nodeRoleArn ?? PLACEHOLDER_NODE_ROLE_ARN,
    nodeRoleArnIsPlaceholder: nodeRoleArn === undefined,
    nodeConfigFiles: files.map((file) => resolve(cwd, file)),
    ...(autoScalingGroupNames ? { autoScalingGroupNames } : {}),
    ...(createProfile !== undefined ? { createNodeInstanceProfile: createProfile === 'true' } : {}),
    ...(account && region ? { env: { account, region } } : {}),
  };
}
