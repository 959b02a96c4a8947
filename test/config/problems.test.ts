import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors.ts';
import { parseNodeConfig } from '../../shared/config/index.ts';
import { MINIMAL_CLASS, pool, problemsOf } from './helpers.ts';

const REQ = 'spec.template.spec.requirements[0]';
const at = (path: string) => `nodepools.yaml: NodePool "p" ${path}`;

describe('parseNodeConfig: each kind of NodePool problem names the path and the value', () => {
  it.each<[string, string[], string]>([
    ['unknown operator', ['{ key: team, operator: Equals, values: [a] }'],
      `${at(`${REQ}.operator`)}: must be one of In, NotIn, Exists, DoesNotExist, Gt, Lt, Gte, Lte; got "Equals"`],
    ['In without values', ['{ key: team, operator: In }'], `${at(`${REQ}.values`)}: operator In needs at least one value`],
    ['NotIn with empty values', ['{ key: team, operator: NotIn, values: [] }'], `${at(`${REQ}.values`)}: operator NotIn needs at least one value; got []`],
    ['Exists with values', ['{ key: team, operator: Exists, values: [a] }'], `${at(`${REQ}.values`)}: operator Exists takes no values; got ["a"]`],
    ['DoesNotExist with values', ['{ key: team, operator: DoesNotExist, values: [a] }'], `${at(`${REQ}.values`)}: operator DoesNotExist takes no values; got ["a"]`],
    ['Gt with two values', ['{ key: karpenter.k8s.aws/instance-cpu, operator: Gt, values: ["4", "8"] }'],
      `${at(`${REQ}.values`)}: operator Gt needs exactly one value, a whole number such as "4"; got ["4","8"]`],
    ['Lt with a non-integer', ['{ key: karpenter.k8s.aws/instance-cpu, operator: Lt, values: ["4.5"] }'],
      `${at(`${REQ}.values`)}: operator Lt needs exactly one value, a whole number such as "4"; got ["4.5"]`],
    ['Gte without values', ['{ key: karpenter.k8s.aws/instance-cpu, operator: Gte }'], `${at(`${REQ}.values`)}: operator Gte needs exactly one value, a whole number such as "4"`],
    ['Lte with a negative number', ['{ key: karpenter.k8s.aws/instance-cpu, operator: Lte, values: ["-1"] }'],
      `${at(`${REQ}.values`)}: operator Lte needs exactly one value, a whole number such as "4"; got ["-1"]`],
    ['minValues above the values given', ['{ key: team, operator: In, values: [a], minValues: 2 }'], `${at(`${REQ}.minValues`)}: needs at least 2 values in "values" (has 1); got 2`],
    ['minValues of 0', ['{ key: team, operator: Exists, minValues: 0 }'], `${at(`${REQ}.minValues`)}: must be at least 1; got 0`],
    ['unquoted number value', ['{ key: team, operator: In, values: [5] }'], `${at(`${REQ}.values[0]`)}: must be a string (put it in quotes); got 5`],
    ['wrong capacity type', ['{ key: karpenter.sh/capacity-type, operator: In, values: [reserved] }'],
      `${at(`${REQ}.values[0]`)}: must be one of spot, on-demand for karpenter.sh/capacity-type (reserved capacity is not supported by nodewright); got "reserved"`],
    ['Auto Mode capacity type alias checked as the Karpenter key', ['{ key: eks.amazonaws.com/capacity-type, operator: In, values: [Spot] }'],
      `${at(`${REQ}.values[0]`)}: must be one of spot, on-demand for karpenter.sh/capacity-type (reserved capacity is not supported by nodewright); got "Spot"`],
    ['x86_64 instead of amd64', ['{ key: kubernetes.io/arch, operator: In, values: [x86_64] }'], `${at(`${REQ}.values[0]`)}: must be one of amd64, arm64 for kubernetes.io/arch; got "x86_64"`],
    ['restricted nodepool label', ['{ key: karpenter.sh/nodepool, operator: In, values: [x] }'],
      `${at(`${REQ}.key`)}: label "karpenter.sh/nodepool" is restricted: nodewright sets it to the NodePool name; got "karpenter.sh/nodepool"`],
    ['misspelt instance label', ['{ key: karpenter.k8s.aws/instance-categroy, operator: In, values: [c] }'],
      `${at(`${REQ}.key`)}: unknown instance label "karpenter.k8s.aws/instance-categroy"; got "karpenter.k8s.aws/instance-categroy"`],
    ['restricted kubernetes.io domain', ['{ key: kubernetes.io/hostname, operator: Exists }'], `${at(`${REQ}.key`)}: label "kubernetes.io/hostname" is restricted; got "kubernetes.io/hostname"`],
  ])('%s', (_title, requirements, expected) => {
    const problems = problemsOf(pool('p', requirements) + '---' + MINIMAL_CLASS);
    expect(problems).toEqual([expected]);
  });

  it.each<[string, string, string, string]>([
    ['expireAfter in days', '      expireAfter: 30d', '', `${at('spec.template.spec.expireAfter')}: must be a duration such as 720h, 30m or 1h30m, or Never; got "30d"`],
    ['terminationGracePeriod Never', '      terminationGracePeriod: Never', '', `${at('spec.template.spec.terminationGracePeriod')}: must be a duration such as 720h, 30m or 1h30m; got "Never"`],
    ['taint effect', '      taints: [{ key: dedicated, effect: NoRun }]', '', `${at('spec.template.spec.taints[0].effect')}: must be one of NoSchedule, PreferNoSchedule, NoExecute; got "NoRun"`],
    ['startup taint without key', '      startupTaints: [{ effect: NoSchedule }]', '', `${at('spec.template.spec.startupTaints[0].key')}: required`],
    ['kubelet in the NodePool (v1beta1 habit)', '      kubelet: { maxPods: 10 }', '',
      `${at('spec.template.spec.kubelet')}: not supported by nodewright: kubelet settings moved to the EC2NodeClass (spec.kubelet) in Karpenter v1; got {"maxPods":10}`],
    ['misspelt field', '      expireAftr: 1h', '', `${at('spec.template.spec.expireAftr')}: unknown field; got "1h"`],
    ['weight 0', '', '  weight: 0', `${at('spec.weight')}: must be at least 1; got 0`],
    ['weight 101', '', '  weight: 101', `${at('spec.weight')}: must be at most 100; got 101`],
    ['old consolidation policy', '', '  disruption: { consolidationPolicy: WhenUnderutilized }',
      `${at('spec.disruption.consolidationPolicy')}: must be one of WhenEmpty, WhenEmptyOrUnderutilized; got "WhenUnderutilized"`],
    ['consolidateAfter in ms', '', '  disruption: { consolidateAfter: 500ms }', `${at('spec.disruption.consolidateAfter')}: must be a duration such as 720h, 30m or 1h30m, or Never; got "500ms"`],
    ['budget above 100%', '', '  disruption: { budgets: [{ nodes: "110%" }] }',
      `${at('spec.disruption.budgets[0].nodes')}: must be a number of nodes such as "5" or a percentage from 0% to 100% such as "10%"; got "110%"`],
    ['budget schedule without duration', '', '  disruption: { budgets: [{ nodes: "0", schedule: "@daily" }] }',
      `${at('spec.disruption.budgets[0].duration')}: 'schedule' and 'duration' must be set together`],
    ['budget duration without schedule', '', '  disruption: { budgets: [{ nodes: "0", duration: 1h }] }',
      `${at('spec.disruption.budgets[0].schedule')}: 'schedule' and 'duration' must be set together`],
    ['budget schedule with a bad minute', '', '  disruption: { budgets: [{ nodes: "0", schedule: "61 * * * *", duration: 1h }] }',
      `${at('spec.disruption.budgets[0].schedule')}: must be a cron schedule: minute field: "61" is outside 0-59; got "61 * * * *"`],
    ['budget schedule with four fields', '', '  disruption: { budgets: [{ nodes: "0", schedule: "0 9 * *", duration: 1h }] }',
      `${at('spec.disruption.budgets[0].schedule')}: must be a cron schedule: must have 5 fields (minute hour day-of-month month day-of-week); found 4; got "0 9 * *"`],
    ['budget duration in seconds', '', '  disruption: { budgets: [{ nodes: "0", schedule: "@daily", duration: 30s }] }',
      `${at('spec.disruption.budgets[0].duration')}: must be hours and/or minutes such as 8h, 30m or 1h30m; got "30s"`],
    ['budget reason', '', '  disruption: { budgets: [{ nodes: "1", reasons: [Expired] }] }',
      `${at('spec.disruption.budgets[0].reasons[0]')}: must be one of Underutilized, Empty, Drifted; got "Expired"`],
    ['limit that is no quantity', '', '  limits: { memory: 1 TB }', `${at('spec.limits.memory')}: must be a quantity such as 1000, 500m or 1000Gi; got "1 TB"`],
  ])('%s', (_title, templateSpec, spec, expected) => {
    expect(problemsOf(pool('p', [], templateSpec, spec) + '---' + MINIMAL_CLASS)).toEqual([expected]);
  });

  it('refuses restricted and malformed template labels', () => {
    const text = `
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: { name: p }
spec:
  template:
    metadata:
      labels:
        karpenter.sh/nodepool: x
        karpenter.k8s.aws/instance-family: m5
        team: "two words"
    spec:
      nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default }
      requirements: []
`;
    expect(problemsOf(text)).toEqual([
      `${at('spec.template.metadata.labels["karpenter.sh/nodepool"]')}: label "karpenter.sh/nodepool" is restricted: nodewright sets it to the NodePool name; got "x"`,
      `${at('spec.template.metadata.labels["karpenter.k8s.aws/instance-family"]')}: label domain "karpenter.k8s.aws" is restricted: it describes the instance, require it instead; got "m5"`,
      `${at('spec.template.metadata.labels.team')}: label value must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit; got "two words"`,
    ]);
  });
});

describe('parseNodeConfig: EC2NodeClass problems', () => {
  const cls = (spec: string) => `
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: { name: c }
spec:
${spec}
`;
  const base = {
    role: '  role: r',
    ami: '  amiSelectorTerms: [{ alias: al2023@latest }]',
    subnets: '  subnetSelectorTerms: [{ tags: { a: b } }]',
    groups: '  securityGroupSelectorTerms: [{ tags: { a: b } }]',
  };
  const spec = (overrides: Partial<typeof base>, extra = '') => Object.values({ ...base, ...overrides }).filter(Boolean).join('\n') + (extra ? `\n${extra}` : '');
  const c = (path: string) => `nodepools.yaml: EC2NodeClass "c" ${path}`;

  it.each<[string, string, string[]]>([
    ['neither role nor instanceProfile', spec({ role: '' }), [`${c('spec')}: must specify exactly one of 'role' or 'instanceProfile'`]],
    ['both role and instanceProfile', spec({}, '  instanceProfile: p'), [`${c('spec')}: set only one of 'role' and 'instanceProfile'`]],
    ['alias with another term', spec({ ami: '  amiSelectorTerms: [{ alias: al2023@latest }, { id: ami-0abc }]' }), [`${c('spec.amiSelectorTerms')}: a term with 'alias' must be the only amiSelectorTerm`]],
    ['alias with tags in one term', spec({ ami: '  amiSelectorTerms: [{ alias: al2023@latest, tags: { a: b } }]' }),
      [`${c('spec.amiSelectorTerms[0].alias')}: 'alias' cannot be combined with other fields in the same term; got "al2023@latest"`]],
    ['unknown alias family', spec({ ami: '  amiSelectorTerms: [{ alias: ubuntu@latest }]' }), [`${c('spec.amiSelectorTerms[0].alias')}: family must be one of al2023, bottlerocket, al2; got "ubuntu@latest"`]],
    ['alias without version', spec({ ami: '  amiSelectorTerms: [{ alias: al2023 }]' }), [`${c('spec.amiSelectorTerms[0].alias')}: must have the form 'family@version', such as al2023@latest; got "al2023"`]],
    ['Windows alias', spec({ ami: '  amiSelectorTerms: [{ alias: windows2022@latest }]' }),
      [`${c('spec.amiSelectorTerms[0].alias')}: not supported by nodewright: Windows nodes (nodewright writes Linux user data only); got "windows2022@latest"`]],
    ['amiFamily missing without alias', spec({ ami: '  amiSelectorTerms: [{ id: ami-0abc }]' }),
      [`${c('spec.amiFamily')}: required when no amiSelectorTerm has an alias (one of AL2, AL2023, Bottlerocket, Custom)`]],
    ['amiFamily contradicting the alias', spec({}, '  amiFamily: AL2'), [`${c('spec.amiFamily')}: must be AL2023 or Custom with the al2023 alias; got "AL2"`]],
    ['empty subnet selector', spec({ subnets: '  subnetSelectorTerms: []' }), [`${c('spec.subnetSelectorTerms')}: must have at least 1 item(s); got []`]],
    ['subnet id with tags', spec({ subnets: '  subnetSelectorTerms: [{ id: subnet-0abc, tags: { a: b } }]' }),
      [`${c('spec.subnetSelectorTerms[0].id')}: 'id' cannot be combined with 'tags' in the same term; got "subnet-0abc"`]],
    ['empty security group term', spec({ groups: '  securityGroupSelectorTerms: [{}]' }), [`${c('spec.securityGroupSelectorTerms[0]')}: needs one of id, name or tags; got {}`]],
    ['malformed security group id', spec({ groups: '  securityGroupSelectorTerms: [{ id: group-1 }]' }),
      [`${c('spec.securityGroupSelectorTerms[0].id')}: must be a security group id such as sg-0123456789abcdef0; got "group-1"`]],
    ['empty tag value in a selector', spec({ subnets: '  subnetSelectorTerms: [{ tags: { a: "" } }]' }), [`${c('spec.subnetSelectorTerms[0].tags.a')}: empty tag keys or values aren't supported; got ""`]],
    ['restricted tag', spec({}, '  tags: { karpenter.sh/nodepool: x }'), [`${c('spec.tags["karpenter.sh/nodepool"]')}: tag "karpenter.sh/nodepool" is restricted: nodewright sets it; got "x"`]],
    ['kubeReserved key', spec({}, '  kubelet: { kubeReserved: { gpu: "1" } }'), [`${c('spec.kubelet.kubeReserved.gpu')}: valid keys for kubeReserved are cpu, memory, ephemeral-storage, pid; got "1"`]],
    ['evictionHard value', spec({}, '  kubelet: { evictionHard: { memory.available: lots } }'),
      [`${c('spec.kubelet.evictionHard["memory.available"]')}: must be a percentage such as 10% or a quantity such as 500Mi; got "lots"`]],
    ['clusterDNS not an IP', spec({}, '  kubelet: { clusterDNS: [kube-dns] }'), [`${c('spec.kubelet.clusterDNS[0]')}: must be an IP address; got "kube-dns"`]],
    ['unknown kubelet field', spec({}, '  kubelet: { imageGCHighThreshold: 85 }'),
      [`${c('spec.kubelet.imageGCHighThreshold')}: unknown field; got 85`]],
    ['two root volumes', spec({}, '  blockDeviceMappings: [{ deviceName: /dev/xvda, rootVolume: true, ebs: { volumeSize: 20Gi } }, { deviceName: /dev/xvdb, rootVolume: true, ebs: { volumeSize: 20Gi } }]'),
      [`${c('spec.blockDeviceMappings')}: at most one mapping may have rootVolume: true`]],
    ['volume size without unit', spec({}, '  blockDeviceMappings: [{ deviceName: /dev/xvda, ebs: { volumeSize: "20" } }]'),
      [`${c('spec.blockDeviceMappings[0].ebs.volumeSize')}: must be a size in Gi, G, Ti or T such as 20Gi; got "20"`]],
    ['hop limit above 64', spec({}, '  metadataOptions: { httpPutResponseHopLimit: 65 }'), [`${c('spec.metadataOptions.httpPutResponseHopLimit')}: must be at most 64; got 65`]],
    ['IMDS disabled', spec({}, '  metadataOptions: { httpEndpoint: disabled }'),
      [`${c('spec.metadataOptions.httpEndpoint')}: only "enabled" is supported by nodewright: nodes need the instance metadata service; got "disabled"`]],
  ])('%s', (_title, specText, expected) => {
    expect(problemsOf(cls(specText))).toEqual(expected);
  });
});

describe('parseNodeConfig: whole-file refusal', () => {
  it('reports every problem of a file, across documents, and returns nothing', () => {
    const text = `
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: { name: p }
spec:
  template:
    spec:
      nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: c }
      requirements:
        - { key: team, operator: In, values: [a] }
        - { key: team, operator: In, values: [b] }
        - { key: team, operator: Equals, values: [c] }
      expireAfter: 2w
  weight: 1000
---
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: { name: c }
spec:
  amiSelectorTerms: [{ alias: al2023@latest }]
  subnetSelectorTerms: []
  securityGroupSelectorTerms: [{ tags: { a: b } }]
`;
    let thrown: unknown;
    try {
      parseNodeConfig([{ name: 'nodepools.yaml', text }]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidInputError);
    const error = thrown as InvalidInputError;
    expect(error.problems).toEqual([
      'nodepools.yaml: NodePool "p" spec.template.spec.requirements[2].operator: must be one of In, NotIn, Exists, DoesNotExist, Gt, Lt, Gte, Lte; got "Equals"',
      'nodepools.yaml: NodePool "p" spec.template.spec.expireAfter: must be a duration such as 720h, 30m or 1h30m, or Never; got "2w"',
      'nodepools.yaml: NodePool "p" spec.weight: must be at most 100; got 1000',
      'nodepools.yaml: EC2NodeClass "c" spec.subnetSelectorTerms: must have at least 1 item(s); got []',
      `nodepools.yaml: EC2NodeClass "c" spec: must specify exactly one of 'role' or 'instanceProfile'`,
    ]);
    expect(error.message).toContain('5 problems in the node configuration');
    expect(error.message).toContain('spec.weight');
  });

  it('reports a NodePool whose nodeClassRef names no loaded class, but accepts the built-in default', () => {
    const refTo = (name: string, className: string) => pool(name, []).replace('name: workers', `name: ${className}`);
    expect(problemsOf(refTo('p', 'gpu-nodes') + '---' + refTo('q', 'default') + '---' + MINIMAL_CLASS)).toEqual([
      'nodepools.yaml: NodePool "p" spec.template.spec.nodeClassRef.name: no EC2NodeClass of that name is loaded (nor is it the built-in "default"); got "gpu-nodes"',
    ]);
  });

  it('reports a missing class even when the pool has other problems', () => {
    const text = pool('p', ['{ key: team, operator: Equals }']).replace('name: workers', 'name: ghost');
    expect(problemsOf(text)).toEqual([
      `${at(`${REQ}.operator`)}: must be one of In, NotIn, Exists, DoesNotExist, Gt, Lt, Gte, Lte; got "Equals"`,
      `${at('spec.template.spec.nodeClassRef.name')}: no EC2NodeClass of that name is loaded (nor is it the built-in "default"); got "ghost"`,
    ]);
  });

  it('reports duplicate names across files, naming where the first one is', () => {
    expect(problemsOf(pool('p', []) + '---' + MINIMAL_CLASS, { name: 'more.yaml', text: `${MINIMAL_CLASS}---${pool('p', [])}` })).toEqual([
      'more.yaml: EC2NodeClass "workers": duplicate EC2NodeClass name; first defined in nodepools.yaml (document 2)',
      'more.yaml: NodePool "p": duplicate NodePool name; first defined in nodepools.yaml (document 1)',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const [problem, ...rest] = problemsOf('apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: { name: p\n');
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^nodepools\.yaml: line \d+, column \d+: invalid YAML: /);
  });

  it('refuses other API versions and kinds without field noise', () => {
    const text = `
apiVersion: karpenter.sh/v1beta1
kind: NodePool
metadata: { name: old }
spec: { disruption: { consolidationPolicy: WhenUnderutilized } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
---
apiVersion: karpenter.sh/v1
metadata: { name: nokind }
---
- just a list
`;
    expect(problemsOf(text)).toEqual([
      'nodepools.yaml: NodePool "old" apiVersion: must be karpenter.sh/v1 (convert the manifest to v1); got "karpenter.sh/v1beta1"',
      'nodepools.yaml: document 2 kind: must be NodePool or EC2NodeClass (or a List of them); got "Deployment"',
      'nodepools.yaml: document 3 kind: required (NodePool or EC2NodeClass)',
      'nodepools.yaml: document 4: must be a mapping with apiVersion, kind, metadata and spec',
    ]);
  });

  it('names unnamed manifests by position, inside Lists too', () => {
    const text = `
kind: List
items:
  - apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata: {}
    spec: { template: { spec: { requirements: [], nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default } } } }
`;
    expect(problemsOf(text)).toEqual(['nodepools.yaml: NodePool (document 1, items[0]) metadata.name: required']);
  });
});
