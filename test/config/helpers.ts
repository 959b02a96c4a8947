// Shared fixtures for the config tests: a minimal valid pool and class, and a way to catch the
// InvalidInputError's problem list.
import { expect } from 'vitest';
import { InvalidInputError } from '../../shared/errors.ts';
import { parseNodeConfig } from '../../shared/config/index.ts';

export const MINIMAL_CLASS = `
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: workers
spec:
  role: KarpenterNodeRole-test
  amiSelectorTerms: [{ alias: al2023@latest }]
  subnetSelectorTerms: [{ tags: { karpenter.sh/discovery: test } }]
  securityGroupSelectorTerms: [{ tags: { karpenter.sh/discovery: test } }]
`;

/** A NodePool named `name` with the given requirement lines (YAML flow mappings) and extra spec.template.spec lines. */
export function pool(name: string, requirements: string[], extraTemplateSpec = '', extraSpec = ''): string {
  return `
apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: ${name}
spec:
  template:
    spec:
      nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: workers }
      requirements:
${requirements.map((r) => `        - ${r}`).join('\n') || '        []'}
${extraTemplateSpec}
${extraSpec}
`;
}

/** The problems parseNodeConfig reports for these sources; fails the test when it succeeds. */
export function problemsOf(...texts: Array<string | { name: string; text: string }>): string[] {
  const sources = texts.map((t, i) => (typeof t === 'string' ? { name: i === 0 ? 'nodepools.yaml' : `file${i + 1}.yaml`, text: t } : t));
  try {
    parseNodeConfig(sources);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).problems;
  }
  throw new Error('expected parseNodeConfig to refuse the input');
}
