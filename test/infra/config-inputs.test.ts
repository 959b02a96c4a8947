// The inputs the CDK app accepts before anything is synthesized: its settings, the node
// configuration files, the workflow file and the construct's props. Bad input fails with the
// field and the value named.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_NAME, PLACEHOLDER_NODE_ROLE_ARN, readAppConfig } from '../../infra/app-config.ts';
import { SPOT_INTERRUPTION_FUNCTIONS, functionEntry, missingFunctionEntries, pascalName, workflowPlaceholder } from '../../infra/function-catalog.ts';
import { loadNodeConfigParameters, tierFor } from '../../infra/node-config-parameters.ts';
import { NodewrightSpotInterruption } from '../../infra/spot-interruption-construct.ts';
import { loadWorkflowDefinition, placeholdersIn } from '../../infra/workflow-definition.ts';
import { baseProps } from './synth-helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'nodewright-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
function file(name: string, content: string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

describe('readAppConfig', () => {
  const from = (values: Record<string, unknown>) => (key: string) => values[key];

  it.each([
    ['defaults', {}, { clusterName: DEFAULT_CLUSTER_NAME, nodeRoleArn: PLACEHOLDER_NODE_ROLE_ARN, nodeRoleArnIsPlaceholder: true, nodeConfigFiles: ['/repo/examples/nodepools/default.yaml'] }],
    ['explicit values', { clusterName: 'prod', nodeRoleArn: 'arn:aws:iam::123456789012:role/nodes' },
      { clusterName: 'prod', nodeRoleArn: 'arn:aws:iam::123456789012:role/nodes', nodeRoleArnIsPlaceholder: false }],
    ['comma-separated files, relative to cwd, blanks dropped', { nodeConfigFiles: 'a.yaml, /abs/b.yaml,' }, { nodeConfigFiles: ['/repo/a.yaml', '/abs/b.yaml'] }],
    ['files as a cdk.json array', { nodeConfigFiles: ['x.yaml'] }, { nodeConfigFiles: ['/repo/x.yaml'] }],
    ['Auto Scaling groups', { autoScalingGroupNames: 'ng-a,ng-b' }, { autoScalingGroupNames: ['ng-a', 'ng-b'] }],
    ['account and region together', { account: '123456789012', region: 'eu-west-1' }, { env: { account: '123456789012', region: 'eu-west-1' } }],
  ])('%s', (_case, values, expected) => {
    expect(readAppConfig(from(values), '/repo')).toMatchObject(expected);
  });

  it('looks in the environment variable when the context has nothing', () => {
    const config = readAppConfig((key, variable) => ({ NODEWRIGHT_CLUSTER_NAME: 'from-env' } as Record<string, string>)[variable], '/repo');
    expect(config.clusterName).toBe('from-env');
  });

  it.each([
    ['account without region', { account: '123456789012' }, /account\/region: set both or neither \(got account=123456789012, region=unset\)/],
    ['a number for files', { nodeConfigFiles: 42 }, /nodeConfigFiles: expected a list of strings or comma-separated text, got 42/],
    ['a list for the cluster name', { clusterName: ['a'] }, /clusterName: expected text, got \["a"\]/],
  ])('rejects %s', (_case, values, message) => {
    expect(() => readAppConfig(from(values), '/repo')).toThrow(message);
  });
});

describe('loadNodeConfigParameters', () => {
  const pool = 'apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: default\n';

  it('names each parameter after its file under the cluster prefix', () => {
    const [parameter] = loadNodeConfigParameters('prod', [file('pools.yaml', pool)]);
    expect(parameter).toMatchObject({ name: '/nodewright/prod/config/pools.yaml', value: pool, tier: 'standard' });
  });

  it.each([
    [4096, 'standard'],
    [4097, 'advanced'],
    [8192, 'advanced'],
  ])('a %i-byte file is a %s parameter', (bytes, tier) => {
    expect(tierFor(bytes)).toBe(tier);
    const padded = `${pool}#`.padEnd(bytes, 'x');
    expect(loadNodeConfigParameters('c', [file(`p${bytes}.yaml`, padded)])[0]!.tier).toBe(tier);
  });

  it.each([
    ['no files', () => [], /at least one NodePool\/EC2NodeClass YAML file is required/],
    ['a missing file', () => [join(scratch, 'absent.yaml')], /cannot read ".*absent\.yaml"/],
    ['an empty file', () => [file('empty.yaml', '  \n')], /"\S*empty\.yaml" is empty/],
    ['broken YAML', () => [file('broken.yaml', 'a: [1, 2\n')], /"\S*broken\.yaml" is not valid YAML/],
    ['a file over 8 KB', () => [file('huge.yaml', `${pool}#`.padEnd(8193, 'x'))], /"\S*huge\.yaml" is 8193 bytes; an SSM parameter holds at most 8192/],
    ['two files with one name', () => [file('same.yaml', pool), join(scratch, 'other', 'same.yaml')], /have the same file name "same\.yaml"/],
    ['a name SSM refuses', () => [file('my pools.yaml', pool)], /file name "my pools\.yaml".*may only contain/],
  ])('rejects %s', (_case, files, message) => {
    expect(() => loadNodeConfigParameters('c', files())).toThrow(message);
  });
});

describe('loadWorkflowDefinition', () => {
  const asl = (resource: string) => JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: resource, End: true } } });

  it('returns the text untouched when every placeholder is substituted', () => {
    const text = asl('${DrainNodeFunctionArn}');
    expect(loadWorkflowDefinition(file('ok.asl.json', text), ['DrainNodeFunctionArn', 'CordonNodeFunctionArn'])).toBe(text);
    expect(placeholdersIn(`${text} \${B} \${B}`)).toEqual(['B', 'DrainNodeFunctionArn']);
  });

  it.each([
    ['an unknown placeholder', asl('${DrainNodeFnArn}'), /placeholders nothing substitutes: \$\{DrainNodeFnArn\}; known: DrainNodeFunctionArn/],
    ['text that is not JSON', '{ "States": ', /is not valid JSON/],
    ['JSON without States', '{"StartAt": "A"}', /has no "States" object/],
  ])('rejects %s', (_case, text, message) => {
    expect(() => loadWorkflowDefinition(file('bad.asl.json', text), ['DrainNodeFunctionArn'])).toThrow(message);
  });
});

describe('function catalog', () => {
  it.each([
    ['route-event', 'RouteEvent'],
    ['complete-lifecycle-action', 'CompleteLifecycleAction'],
  ])('%s is %s in resource names', (name, pascal) => {
    expect(pascalName(name)).toBe(pascal);
  });

  it('uses the workflow placeholders of the contract', () => {
    expect(workflowPlaceholder('prepare-interruption')).toBe('PrepareInterruptionFunctionArn');
  });

  it('finds an entry file for every function of the path in functions/', () => {
    const root = new URL('../../functions', import.meta.url).pathname;
    expect(missingFunctionEntries(root)).toEqual([]);
    expect(functionEntry(root, 'drain-node')).toBe(`${root}/drain-node/index.ts`);
    expect(SPOT_INTERRUPTION_FUNCTIONS).toHaveLength(9);
  });
});

describe('NodewrightSpotInterruption props', () => {
  it.each([
    ['clusterName', { clusterName: '-bad' }, /clusterName: "-bad" is not an EKS cluster name/],
    ['nodeRoleArn', { nodeRoleArn: 'KarpenterNodeRole' }, /nodeRoleArn: "KarpenterNodeRole" is not an IAM role ARN/],
    ['autoScalingGroupNames', { autoScalingGroupNames: [''] }, /autoScalingGroupNames: "" is not an Auto Scaling group name/],
  ])('rejects a bad %s', (_field, overrides, message) => {
    const stack = new Stack(new App(), 'PropsStack');
    expect(() => new NodewrightSpotInterruption(stack, 'SpotInterruption', baseProps(overrides))).toThrow(message);
  });
});
