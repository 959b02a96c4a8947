import { describe, expect, it } from 'vitest';
import {
  builtinNodeClass,
  builtinNodeClassForCluster,
  builtinNodePools,
  parseDuration,
  parseNodeConfig,
  withBuiltins,
} from '../../shared/config/index.ts';
import { MINIMAL_CLASS, pool } from './helpers.ts';

const byName = (name: string) => builtinNodePools.find((p) => p.name === name)!;
const requirement = (poolName: string, key: string) => byName(poolName).requirements.find((r) => r.key === key);

describe('built-in NodePools (EKS Auto Mode settings)', () => {
  it('are general-purpose and system, both on the built-in default class', () => {
    expect(builtinNodePools.map((p) => p.name)).toEqual(['general-purpose', 'system']);
    for (const builtin of builtinNodePools) {
      expect(builtin.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' });
    }
  });

  it.each(['general-purpose', 'system'])('%s: on-demand C/M/R of generation 5 or newer, Linux, 336h, 10%% budget, consolidation after 30s', (name) => {
    expect(requirement(name, 'karpenter.sh/capacity-type')).toEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] });
    expect(requirement(name, 'karpenter.k8s.aws/instance-category')?.values).toEqual(['c', 'm', 'r']);
    expect(requirement(name, 'karpenter.k8s.aws/instance-generation')).toEqual({ key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['4'] });
    expect(requirement(name, 'kubernetes.io/os')?.values).toEqual(['linux']);
    expect(byName(name).expireAfter).toBe('336h');
    expect(parseDuration(byName(name).expireAfter)).toBeLessThanOrEqual(21 * 24 * 3_600_000);
    expect(byName(name).disruption).toEqual({ consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '30s', budgets: [{ nodes: '10%' }] });
  });

  it('general-purpose is amd64 only and untainted; system adds arm64 and the CriticalAddonsOnly taint', () => {
    expect(requirement('general-purpose', 'kubernetes.io/arch')?.values).toEqual(['amd64']);
    expect(byName('general-purpose').taints).toEqual([]);
    expect(requirement('system', 'kubernetes.io/arch')?.values).toEqual(['amd64', 'arm64']);
    expect(byName('system').taints).toEqual([{ key: 'CriticalAddonsOnly', effect: 'NoSchedule' }]);
  });

  it('would pass the loader if written as YAML (they obey the same rules as user pools)', () => {
    for (const builtin of builtinNodePools) {
      const requirements = builtin.requirements.map((r) => `{ key: ${r.key}, operator: ${r.operator}, values: ${JSON.stringify(r.values)} }`);
      const taints = builtin.taints.length > 0 ? `      taints: ${JSON.stringify(builtin.taints)}\n` : '';
      const text =
        pool(builtin.name, requirements, `${taints}      expireAfter: 336h\n      terminationGracePeriod: 24h`, '  disruption: { consolidateAfter: 30s }').replace(
          'name: workers',
          'name: default',
        );
      expect(parseNodeConfig([{ name: 'builtin.yaml', text }]).nodePools[0]).toEqual(builtin);
    }
  });
});

describe('built-in node class', () => {
  it('is default: al2023@latest, discovery-tagged subnets and security groups, IMDSv2', () => {
    expect(builtinNodeClass).toMatchObject({
      name: 'default',
      amiSelectorTerms: [{ alias: 'al2023@latest' }],
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': '*' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': '*' } }],
      metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
    });
    expect(builtinNodeClass.role).toBeTruthy();
    expect(builtinNodeClassForCluster('prod').subnetSelectorTerms).toEqual([{ tags: { 'karpenter.sh/discovery': 'prod' } }]);
  });
});

describe('withBuiltins', () => {
  it('adds both pools and the default class to a configuration that has none of them', () => {
    const config = parseNodeConfig([{ name: 'a.yaml', text: pool('web', []) + '---' + MINIMAL_CLASS }]);
    const full = withBuiltins(config);
    expect(full.nodePools.map((p) => p.name)).toEqual(['web', 'general-purpose', 'system']);
    expect(full.nodeClasses.map((c) => c.name)).toEqual(['workers', 'default']);
    expect(full.nodePools[1]).toEqual(byName('general-purpose'));
  });

  it("keeps the user's definition when the user defines a built-in's name", () => {
    const userSystem = pool('system', ['{ key: kubernetes.io/arch, operator: In, values: [arm64] }']).replace('name: workers', 'name: default');
    const userDefault = MINIMAL_CLASS.replace('name: workers', 'name: default');
    const full = withBuiltins(parseNodeConfig([{ name: 'a.yaml', text: `${userSystem}---${userDefault}` }]));
    expect(full.nodePools.map((p) => p.name)).toEqual(['system', 'general-purpose']);
    expect(full.nodePools[0]!.requirements).toEqual([{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }]);
    expect(full.nodeClasses).toHaveLength(1);
    expect(full.nodeClasses[0]!.role).toBe('KarpenterNodeRole-test');
  });

  it('hands out copies: changing the result never changes the built-ins', () => {
    const full = withBuiltins({ nodePools: [], nodeClasses: [] });
    full.nodePools[0]!.requirements.push({ key: 'team', operator: 'Exists' });
    full.nodeClasses[0]!.tags.team = 'x';
    expect(byName('general-purpose').requirements).toHaveLength(5);
    expect(builtinNodeClass.tags).toEqual({});
    expect(Object.isFrozen(builtinNodePools[0])).toBe(true);
  });
});
