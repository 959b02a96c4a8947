import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors.ts';
import { podFitsLabels, requirementsMatch, toleratesAll } from '../../shared/provisioning/index.ts';
import type { Requirement, Taint, Toleration } from '../../shared/types.ts';
import { pod } from './fixtures.ts';

const labels = {
  'kubernetes.io/arch': 'amd64',
  'karpenter.k8s.aws/instance-family': 'm5',
  'karpenter.k8s.aws/instance-cpu': '8',
  'karpenter.k8s.aws/instance-generation': '5',
  'karpenter.sh/capacity-type': 'spot',
  'topology.kubernetes.io/zone': 'us-east-1a',
};

describe('requirementsMatch operators', () => {
  it.each<[string, Requirement, boolean]>([
    ['In, value listed', { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64', 'amd64'] }, true],
    ['In, value not listed', { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }, false],
    ['In, label absent', { key: 'team', operator: 'In', values: ['a'] }, false],
    ['NotIn, value listed', { key: 'karpenter.k8s.aws/instance-family', operator: 'NotIn', values: ['m5'] }, false],
    ['NotIn, value not listed', { key: 'karpenter.k8s.aws/instance-family', operator: 'NotIn', values: ['c5'] }, true],
    ['NotIn, label absent', { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'NotIn', values: ['1'] }, true],
    ['Exists, present', { key: 'topology.kubernetes.io/zone', operator: 'Exists' }, true],
    ['Exists, absent', { key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'Exists' }, false],
    ['DoesNotExist, absent', { key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'DoesNotExist' }, true],
    ['DoesNotExist, present', { key: 'kubernetes.io/arch', operator: 'DoesNotExist' }, false],
    ['Gt, greater', { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['4'] }, true],
    ['Gt, equal', { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['8'] }, false],
    ['Gt, label absent', { key: 'karpenter.k8s.aws/instance-memory', operator: 'Gt', values: ['1'] }, false],
    ['Gt, label not a number', { key: 'kubernetes.io/arch', operator: 'Gt', values: ['1'] }, false],
    ['Lt, smaller', { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Lt', values: ['16'] }, true],
    ['Lt, equal', { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Lt', values: ['8'] }, false],
    ['Gte, equal', { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gte', values: ['8'] }, true],
    ['Gte, smaller', { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gte', values: ['9'] }, false],
    ['Lte, equal', { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Lte', values: ['8'] }, true],
    ['Lte, greater', { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Lte', values: ['7'] }, false],
    // numbers compare as numbers, not strings: "8" > "10" as text
    ['Gt compares numerically', { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['10'] }, false],
  ])('%s', (_, req, expected) => {
    expect(requirementsMatch([req], labels)).toBe(expected);
  });

  it('ANDs requirements, and an empty list matches anything', () => {
    const arch: Requirement = { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] };
    const family: Requirement = { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['c5'] };
    expect(requirementsMatch([arch], labels)).toBe(true);
    expect(requirementsMatch([arch, family], labels)).toBe(false);
    expect(requirementsMatch([], {})).toBe(true);
  });

  it.each<[string, Requirement, boolean]>([
    ['eks.amazonaws.com/instance-family', { key: 'eks.amazonaws.com/instance-family', operator: 'In', values: ['m5'] }, true],
    ['eks.amazonaws.com/instance-cpu', { key: 'eks.amazonaws.com/instance-cpu', operator: 'Gt', values: ['4'] }, true],
    ['eks.amazonaws.com/instance-generation', { key: 'eks.amazonaws.com/instance-generation', operator: 'Gt', values: ['5'] }, false],
    ['eks.amazonaws.com/capacity-type', { key: 'eks.amazonaws.com/capacity-type', operator: 'In', values: ['on-demand'] }, false],
    ['eks.amazonaws.com/instance-gpu-name', { key: 'eks.amazonaws.com/instance-gpu-name', operator: 'DoesNotExist' }, true],
    ['beta.kubernetes.io/arch', { key: 'beta.kubernetes.io/arch', operator: 'In', values: ['amd64'] }, true],
    ['failure-domain.beta.kubernetes.io/zone', { key: 'failure-domain.beta.kubernetes.io/zone', operator: 'In', values: ['us-east-1a'] }, true],
  ])('reads the alias %s as the label nodewright sets', (_, req, expected) => {
    expect(requirementsMatch([req], labels)).toBe(expected);
  });

  it('reads a Karpenter key against labels an Auto Mode node carries under eks.amazonaws.com', () => {
    const autoModeNode = { 'eks.amazonaws.com/instance-category': 'c' };
    expect(requirementsMatch([{ key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c'] }], autoModeNode)).toBe(true);
  });

  it.each<[Requirement, RegExp]>([
    [{ key: 'k', operator: 'In', values: [] }, /k In.*at least one value/],
    [{ key: 'k', operator: 'Gt', values: ['1', '2'] }, /k Gt \[1, 2\].*exactly one integer/],
    [{ key: 'k', operator: 'Lt', values: ['ten'] }, /k Lt \[ten\].*exactly one integer/],
    [{ key: 'k', operator: 'Like' as never, values: ['x'] }, /unknown operator "Like"/],
    [{ key: 'k', operator: 'Exists', minValues: 0 }, /minValues must be a positive integer/],
  ])('refuses a malformed requirement %j', (req, message) => {
    expect(() => requirementsMatch([req], labels)).toThrow(InvalidInputError);
    expect(() => requirementsMatch([req], labels)).toThrow(message);
  });
});

describe('podFitsLabels', () => {
  it.each([
    ['no constraints', pod('p'), true],
    ['matching nodeSelector', pod('p', { nodeSelector: { 'kubernetes.io/arch': 'amd64' } }), true],
    ['nodeSelector on a missing label', pod('p', { nodeSelector: { team: 'a' } }), false],
    ['nodeSelector through an alias', pod('p', { nodeSelector: { 'eks.amazonaws.com/instance-family': 'm5' } }), true],
    [
      'affinity: second OR term matches',
      pod('p', {
        requiredNodeAffinity: [
          [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }],
          [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m5'] }],
        ],
      }),
      true,
    ],
    [
      'affinity: a term is an AND',
      pod('p', {
        requiredNodeAffinity: [[
          { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
        ]],
      }),
      false,
    ],
    ['affinity: an empty term matches nothing', pod('p', { requiredNodeAffinity: [[]] }), false],
    [
      'selector and affinity must both hold',
      pod('p', {
        nodeSelector: { team: 'a' },
        requiredNodeAffinity: [[{ key: 'kubernetes.io/arch', operator: 'Exists' }]],
      }),
      false,
    ],
  ])('%s', (_, p, expected) => {
    expect(podFitsLabels(p, labels)).toBe(expected);
  });
});

describe('toleratesAll', () => {
  const gpu: Taint = { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' };
  const dedicated: Taint = { key: 'dedicated', value: 'batch', effect: 'NoExecute' };
  const soft: Taint = { key: 'soft', effect: 'PreferNoSchedule' };

  it.each<[string, Toleration[], Taint[], boolean]>([
    ['no taints', [], [], true],
    ['untolerated NoSchedule', [], [gpu], false],
    ['untolerated NoExecute', [], [dedicated], false],
    ['PreferNoSchedule never blocks', [], [soft], true],
    ['Equal with key, value and effect', [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }], [gpu], true],
    ['Equal is the default operator', [{ key: 'nvidia.com/gpu', value: 'true' }], [gpu], true],
    ['Equal with the wrong value', [{ key: 'nvidia.com/gpu', value: 'false' }], [gpu], false],
    ['Exists on the key', [{ key: 'nvidia.com/gpu', operator: 'Exists' }], [gpu], true],
    ['Exists with no key tolerates everything', [{ operator: 'Exists' }], [gpu, dedicated], true],
    ['effect must match when given', [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }], [dedicated], false],
    ['every taint needs a toleration', [{ key: 'nvidia.com/gpu', operator: 'Exists' }], [gpu, dedicated], false],
  ])('%s', (_, tolerations, taints, expected) => {
    expect(toleratesAll(tolerations, taints)).toBe(expected);
  });
});
