import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors.ts';
import { VirtualClock } from '../../shared/sim/clock.ts';
import { createWorld } from '../../shared/sim/create-world.ts';
import { loadScenario, parseScenario } from '../../shared/sim/scenario.ts';

const NODE_CONFIG = `
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: { name: default }
spec:
  template:
    spec:
      nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default }
      requirements:
        - { key: karpenter.sh/capacity-type, operator: In, values: [spot, on-demand] }
`;

function scenarioText(overrides = ''): string {
  return `
name: test
seed: 1
region: us-east-1
durationMinutes: 30
cluster: { name: demo, kubernetesVersion: "1.33" }
nodeConfigYaml: |
${NODE_CONFIG.split('\n').map((l) => `  ${l}`).join('\n')}
zones: [us-east-1a, us-east-1b]
nodes:
  - { nodePool: default, instanceType: m5.xlarge, capacityType: spot, zone: us-east-1a, count: 2 }
workloads:
  - { name: web, namespace: shop, replicas: 4, cpu: 250m, memory: 256Mi, pdb: { maxUnavailable: 1 } }
${overrides}`;
}

const parse = (text: string) => parseScenario(text, { source: 'test.yaml', baseDir: '/nonexistent' });

function problemsOf(text: string): string[] {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).problems;
  }
  throw new Error('expected the scenario to be refused');
}

let clock: VirtualClock | undefined;
afterEach(() => {
  clock?.uninstall();
  clock = undefined;
});

describe('scenario validation', () => {
  it('accepts a valid scenario and fills the defaults', () => {
    const scenario = parse(scenarioText());
    expect(scenario.ec2.bootSeconds).toEqual([40, 75]);
    expect(scenario.workloads[0]?.requests).toEqual({ cpuMillis: 250, memoryBytes: 256 * 2 ** 20 });
    expect(scenario.workloads[0]?.pdb).toEqual({ namespace: 'shop', name: 'web', selector: { app: 'web' }, maxUnavailable: 1 });
    expect(scenario.nodeConfig.nodePools.map((p) => p.name)).toEqual(expect.arrayContaining(['default', 'general-purpose', 'system']));
  });

  it('reads topology spread and anti-affinity on a workload, defaulting maxSkew 1 and DoNotSchedule', () => {
    const scenario = parse(scenarioText().replace(
      'pdb: { maxUnavailable: 1 } }',
      'pdb: { maxUnavailable: 1 }, topologySpread: [{ topologyKey: topology.kubernetes.io/zone }], podAntiAffinity: [{ topologyKey: kubernetes.io/hostname }] }',
    ));
    expect(scenario.workloads[0]?.topologySpread).toEqual([{ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' }]);
    expect(scenario.workloads[0]?.podAntiAffinity).toEqual([{ topologyKey: 'kubernetes.io/hostname' }]);
    const problems = problemsOf(scenarioText().replace('pdb: { maxUnavailable: 1 } }', 'topologySpread: [{ topologyKey: topology.kubernetes.io/zone, maxSkew: 0 }] }'));
    expect(problems).toEqual(['test.yaml workloads[0].topologySpread[0].maxSkew: must be at least 1; got 0']);
  });

  it('lists every shape problem at once, each with its path and value', () => {
    const problems = problemsOf(`
name: ""
seed: -1
region: us-east-1
durationMinutes: 0
cluster: { name: demo, kubernetesVersion: "1.33", extra: 1 }
zones: []
nodes: [ { nodePool: default, instanceType: m5.xlarge, capacityType: reserved, zone: us-east-1a } ]
ec2:
  images: [ { id: ami-xyz, name: golden, architecture: amd64, created: "2026-01-01T00:00:00Z" } ]
`);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^test\.yaml name: must not be empty/),
      expect.stringMatching(/^test\.yaml seed: must be at least 0; got -1/),
      expect.stringMatching(/^test\.yaml durationMinutes: .*; got 0/),
      expect.stringMatching(/^test\.yaml cluster\.extra: unknown field; got 1/),
      expect.stringMatching(/^test\.yaml zones: must have at least 1 item/),
      expect.stringMatching(/^test\.yaml nodes\[0\]\.capacityType: must be one of spot, on-demand; got "reserved"/),
      expect.stringMatching(/^test\.yaml ec2\.images\[0\]\.id: must look like ami-0123456789abcdef0; got "ami-xyz"/),
    ]));
    expect(problems).toHaveLength(7);
  });

  it('lists every cross-check problem at once', () => {
    const problems = problemsOf(scenarioText(`
daemonSets:
  - { name: aws-node, cpu: lots, memory: 64Mi }
interruptions:
  - { at: soon, kind: spot-interruption }
  - { at: 2h, kind: rebalance-recommendation, where: { nodePool: missing, zone: us-east-1z } }
  - { at: 1m, kind: spot-interruption, where: { capacityType: on-demand } }
ec2:
  capacity: [ { instanceType: m5.nope, available: 0 } ]
`).replace('zone: us-east-1a, count: 2', 'zone: us-east-1c, count: 2').replace('maxUnavailable: 1', 'maxUnavailable: "half"'));
    const expected = [
      /nodes\[0\]\.zone: is not one of the scenario zones; got "us-east-1c"/,
      /ec2\.capacity\[0\]\.instanceType: is not in the instance catalog; got "m5\.nope"/,
      /daemonSets\[0\]\.cpu: invalid quantity "lots".*; got "lots"/,
      /workloads\[0\]\.pdb\.maxUnavailable: must be a whole number or a percentage such as 80%; got "half"/,
      /interruptions\[0\]\.at: invalid duration "soon".*; got "soon"/,
      /interruptions\[1\]\.at: is after the end of the simulation.*; got "2h"/,
      /interruptions\[1\]\.where\.nodePool: no NodePool of that name; got "missing"/,
      /interruptions\[1\]\.where\.zone: is not one of the scenario zones; got "us-east-1z"/,
      /interruptions\[2\]\.where\.capacityType: spot-interruption only happens to spot instances; got "on-demand"/,
    ];
    for (const pattern of expected) expect(problems).toContainEqual(expect.stringMatching(pattern));
    expect(problems).toHaveLength(expected.length);
  });

  it('reports node configuration problems and unknown pools and types by path', () => {
    const problems = problemsOf(scenarioText().replace('nodePool: default, instanceType: m5.xlarge', 'nodePool: gpu, instanceType: p9.mega'));
    expect(problems).toContainEqual(expect.stringMatching(/nodes\[0\]\.nodePool: no NodePool of that name .*; got "gpu"/));
    expect(problems).toContainEqual(expect.stringMatching(/nodes\[0\]\.instanceType: is not in the instance catalog; got "p9\.mega"/));
    const configProblems = problemsOf(scenarioText().replace('operator: In, values: [spot, on-demand]', 'operator: Maybe, values: [spot]'));
    expect(configProblems.some((p) => p.startsWith('nodeConfig: ') && p.includes('Maybe'))).toBe(true);
  });

  it('names the file when a node configuration path cannot be read', () => {
    const problems = problemsOf(scenarioText().replace('nodeConfigYaml: |', 'nodeConfig: missing.yaml\nunused: |'));
    expect(problems).toContainEqual(expect.stringMatching(/unused: unknown field/));
    const readable = problemsOf(scenarioText().replace(/nodeConfigYaml: \|[\s\S]*?zones:/, 'nodeConfig: missing.yaml\nzones:'));
    expect(readable).toContainEqual(expect.stringMatching(/nodeConfig: cannot read \/nonexistent\/missing\.yaml.*; got "missing\.yaml"/));
  });
});

describe('the default scenario', () => {
  it('loads, and its world starts with every node Ready and every pod Running', () => {
    const scenario = loadScenario('examples/scenarios/default.yaml');
    expect(scenario.nodeConfig.nodePools.some((p) => p.name === 'default')).toBe(true);
    clock = VirtualClock.install(scenario.start);
    const world = createWorld(scenario, clock);
    const nodes = world.cluster.listNodes();
    expect(nodes.length).toBeGreaterThanOrEqual(12);
    expect(nodes.length).toBeLessThanOrEqual(20);
    expect(new Set(nodes.map((n) => n.labels['topology.kubernetes.io/zone'])).size).toBe(3);
    expect(new Set(nodes.map((n) => n.labels['karpenter.sh/capacity-type']))).toEqual(new Set(['spot', 'on-demand']));
    const pods = world.cluster.listPods();
    expect(pods.length).toBeGreaterThan(200);
    expect(pods.every((p) => p.phase === 'Running' && p.nodeName)).toBe(true);
    expect(pods.some((p) => p.annotations['karpenter.sh/do-not-disrupt'] === 'true')).toBe(true);
    expect(world.cluster.listPodDisruptionBudgets().length).toBeGreaterThanOrEqual(4);
    expect(world.warnings).toEqual([]);
  });
});
