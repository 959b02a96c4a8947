// The spot-interruption workflow, run from its real ASL file with its Task states bound to the real
// handlers, against the simulator. Each test drives the world the way AWS would and asserts what a
// platform engineer would see: nodes, instances, pods, budgets.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../shared/provisioning/index.ts';
import { REPLACES_TAG } from '../../shared/well-known.ts';
import { BASE_SCENARIO, executionsFor, instanceWithNode, withSimulation } from './harness.ts';

describe('spot-interruption workflow (real ASL on the simulator)', () => {
  it('cordons, replaces, drains within the notice and terminates', async () => {
    await withSimulation(BASE_SCENARIO, async ({ world, system, settle, report }) => {
      const victim = instanceWithNode(world, 'spot');
      const nodeName = world.cluster.findNodeByInstanceId(victim)!.name;
      const podsBefore = world.cluster.listPodsOnNode(nodeName).filter((p) => p.ownerKind !== 'DaemonSet').length;
      expect(podsBefore).toBeGreaterThan(0);

      const notice = world.interrupt(victim, 'spot-interruption');
      await settle(5);

      const [execution, ...others] = executionsFor(system, victim).filter((e) => e.name.includes('-spot-'));
      expect(others).toHaveLength(0);
      expect(execution!.status).toBe('SUCCEEDED');
      expect(execution!.statesEntered).toEqual(
        expect.arrayContaining(['Prepare', 'Cordon', 'PlanReplacement', 'LaunchReplacement', 'CheckReplacement', 'DrainNode', 'Drained', 'TerminateInstance', 'Done']),
      );

      const row = report().interruptions.find((r) => r.instanceId === victim)!;
      expect(row.timeToCordonSeconds).toBeLessThanOrEqual(2);
      expect(row.podsEvicted).toBe(podsBefore);
      // Only DaemonSet pods die with the node; every workload pod was evicted first.
      const killed = world.cluster
        .history()
        .filter((r) => r.type === 'pod-stopped' && (r as { node?: string }).node === nodeName && (r as { cause: string }).cause !== 'eviction');
      expect(killed.map((r) => (r as { pod: string }).pod)).toEqual(killed.map(() => expect.stringMatching(/^kube-system\/aws-node-/)));
      expect(row.pdbViolations).toBe(0);
      expect(row.replacement).not.toBeNull();
      expect(row.timeToReplacementReadySeconds).toBeGreaterThan(0);

      // The drain finished before AWS's two minutes were up, and nodewright terminated the instance.
      const terminate = execution!.statesEntered.indexOf('TerminateInstance');
      expect(terminate).toBeGreaterThan(0);
      expect(world.ec2.instance(victim)!.state).toBe('terminated');
      expect(Date.parse(world.ec2.instance(victim)!.terminatedAt!) - notice.at).toBeLessThan(120_000);
      expect(world.cluster.getNode(nodeName)).toBeUndefined();
      expect(world.cluster.pendingPods()).toHaveLength(0);

      const replacement = world.ec2.instance(row.replacement!.instanceId)!;
      expect(replacement.tags[REPLACES_TAG]).toBe(victim);
      expect(replacement.state).toBe('running');
      expect(world.cluster.findNodeByInstanceId(replacement.instanceId)?.labels['karpenter.sh/nodepool']).toBe('default');
    });
  });

  it('boots the replacement from the newest AMI of its architecture that the node class selects by tags', async () => {
    // The example NodePool and EC2NodeClass, the class choosing the account's golden images by tag.
    const nodeConfig = readFileSync(new URL('../../examples/nodepools/default.yaml', import.meta.url), 'utf8')
      .replace('  amiSelectorTerms:\n    - alias: al2023@latest\n', '  amiFamily: AL2023\n  amiSelectorTerms:\n    - tags: { golden: "true" }\n');
    expect(nodeConfig).toContain('golden');
    const scenario = `${BASE_SCENARIO.replace('nodeConfig: ../nodepools/default.yaml\n', '')}
nodeConfigYaml: |
${nodeConfig.split('\n').map((line) => `  ${line}`).join('\n')}
ec2:
  images:
    - { id: ami-0aaaaaaaaaaaaaaa1, name: golden-amd64-1, architecture: amd64, created: "2026-01-01T00:00:00Z", tags: { golden: "true" } }
    - { id: ami-0aaaaaaaaaaaaaaa2, name: golden-amd64-2, architecture: amd64, created: "2026-02-01T00:00:00Z", tags: { golden: "true" } }
    - { id: ami-0bbbbbbbbbbbbbbb1, name: golden-arm64-1, architecture: arm64, created: "2026-01-15T00:00:00Z", tags: { golden: "true" } }
    - { id: ami-0ccccccccccccccc1, name: other-amd64, architecture: amd64, created: "2026-06-01T00:00:00Z", tags: { golden: "false" } }
`;
    await withSimulation(scenario, async ({ world, settle, report }) => {
      const victim = instanceWithNode(world, 'spot');
      world.interrupt(victim, 'spot-interruption');
      await settle(5);

      const replacement = world.ec2.instance(report().interruptions.find((r) => r.instanceId === victim)!.replacement!.instanceId)!;
      const arch = catalog().get(replacement.instanceType)!.architecture;
      expect(replacement.imageId).toBe(arch === 'amd64' ? 'ami-0aaaaaaaaaaaaaaa2' : 'ami-0bbbbbbbbbbbbbbb1');
      expect(replacement.state).toBe('running');
    });
  });

  it('marks offerings refused for capacity and falls back to on-demand', async () => {
    const scenario = `${BASE_SCENARIO}
ec2:
  capacity:
    - { capacityType: spot, available: 0 }
`;
    await withSimulation(scenario, async ({ world, system, settle, report }) => {
      const victim = instanceWithNode(world, 'spot');
      world.interrupt(victim, 'spot-interruption');
      await settle(5);

      const [execution] = executionsFor(system, victim).filter((e) => e.name.includes('-spot-'));
      expect(execution!.status).toBe('SUCCEEDED');
      const refusals = execution!.stateErrors.filter((e) => e.state === 'LaunchReplacement');
      expect(refusals.length).toBeGreaterThan(0);
      expect(refusals.every((e) => e.error === 'CapacityUnavailableError')).toBe(true);
      expect(execution!.statesEntered.filter((s) => s === 'PlanReplacement').length).toBe(refusals.length + 1);

      // Every spot offering tried is remembered as unavailable, so later plans skip it too.
      const unavailable = [...world.unavailableOfferings.values()];
      expect(unavailable.length).toBeGreaterThan(0);
      expect(unavailable.every((o) => o.capacityType === 'spot')).toBe(true);

      const row = report().interruptions.find((r) => r.instanceId === victim)!;
      expect(row.replacement?.capacityType).toBe('on-demand');
      expect(row.timeToReplacementReadySeconds).not.toBeNull();
      expect(row.pdbViolations).toBe(0);
    });
  });

  it('remembers offerings refused on the way even when the fleet launched elsewhere', async () => {
    const scenario = `${BASE_SCENARIO}
ec2:
  capacity:
    - { zone: us-east-1a, capacityType: spot, available: 0 }
    - { zone: us-east-1b, capacityType: spot, available: 0 }
`;
    await withSimulation(scenario, async ({ world, system, settle, report }) => {
      const victim = instanceWithNode(world, 'spot');
      world.interrupt(victim, 'spot-interruption');
      await settle(5);

      const [execution] = executionsFor(system, victim).filter((e) => e.name.includes('-spot-'));
      expect(execution!.statesEntered.filter((s) => s === 'LaunchReplacement')).toHaveLength(1);
      const row = report().interruptions.find((r) => r.instanceId === victim)!;
      expect(row.replacement).toMatchObject({ zone: 'us-east-1c', capacityType: 'spot' });
      expect(row.launchErrors.length).toBeGreaterThan(0);
      const unavailable = [...world.unavailableOfferings.values()];
      for (const error of row.launchErrors) {
        expect(unavailable).toContainEqual(expect.objectContaining({ instanceType: error.instanceType, zone: error.zone, capacityType: 'spot' }));
      }
    });
  });

  it('stops evicting at the deadline when a PDB never allows it, then terminates', async () => {
    const scenario = `${BASE_SCENARIO}
  - { name: ledger, namespace: payments, replicas: 4, cpu: 100m, memory: 128Mi, pdb: { minAvailable: 4 } }
`;
    await withSimulation(scenario, async ({ world, system, settle }) => {
      const victim = world.ec2
        .allInstances()
        .find((i) => {
          const node = world.cluster.findNodeByInstanceId(i.instanceId);
          return i.capacityType === 'spot' && node && world.cluster.listPodsOnNode(node.name).some((p) => p.labels.app === 'ledger');
        })!.instanceId;
      const nodeName = world.cluster.findNodeByInstanceId(victim)!.name;
      const ledgerOnNode = world.cluster.listPodsOnNode(nodeName).filter((p) => p.labels.app === 'ledger').map((p) => p.name);

      const notice = world.interrupt(victim, 'spot-interruption');
      await settle(5);

      const [execution] = executionsFor(system, victim).filter((e) => e.name.includes('-spot-'));
      expect(execution!.status).toBe('SUCCEEDED');
      expect(execution!.statesEntered).toContain('DrainDeadlineReached');
      expect(execution!.statesEntered).not.toContain('Drained');
      const passes = execution!.statesEntered.filter((s) => s === 'DrainNode').length;
      expect(passes).toBeGreaterThan(10); // retried with backoff for the whole notice

      // The ledger pods were never evicted: the budget held until the instance went at the deadline.
      const stops = world.cluster.history().filter((r) => r.type === 'pod-stopped' && ledgerOnNode.includes((r as { pod: string }).pod.split('/')[1]!));
      expect(stops.every((r) => (r as { cause: string }).cause !== 'eviction')).toBe(true);
      const terminatedAt = Date.parse(world.ec2.instance(victim)!.terminatedAt!);
      expect(terminatedAt - notice.at).toBeGreaterThanOrEqual(100_000);
      expect(terminatedAt - notice.at).toBeLessThanOrEqual(125_000);
    });
  });

  it('ends normally when the instance never registered a node', async () => {
    await withSimulation(BASE_SCENARIO, async ({ world, system, settle }) => {
      const stranger = world.ec2.addRunningInstance({
        instanceType: 'm6i.large',
        zone: 'us-east-1c',
        capacityType: 'spot',
        tags: { 'karpenter.sh/nodepool': 'default' },
      });
      world.interrupt(stranger.instanceId, 'spot-interruption');
      await settle(4);

      const [execution] = executionsFor(system, stranger.instanceId).filter((e) => e.name.includes('-spot-'));
      expect(execution!.status).toBe('SUCCEEDED');
      expect(execution!.statesEntered).toEqual(['Prepare', 'NodeRegistered?', 'NoNodeForInstance']);
      expect(world.ec2.findInstancesByTag(REPLACES_TAG, stranger.instanceId)).toHaveLength(0);
      expect(system.invocations['launch-replacement'] ?? 0).toBe(0);
    });
  });

  it('does no harm when the same event is delivered twice', async () => {
    await withSimulation(BASE_SCENARIO, async ({ world, system, settle, report }) => {
      const victim = instanceWithNode(world, 'spot');
      const { event } = world.interrupt(victim, 'spot-interruption');
      system.bus.publish(event); // EventBridge delivers at least once
      await settle(1);
      system.bus.publish(structuredClone(event)); // and again, later, while the workflow runs
      await settle(5);

      const spotExecutions = executionsFor(system, victim).filter((e) => e.name.includes('-spot-'));
      expect(spotExecutions).toHaveLength(1);
      expect(spotExecutions[0]!.status).toBe('SUCCEEDED');
      const launched = world.ec2.allInstances().filter((i) => i.tags[REPLACES_TAG] === victim);
      expect(launched).toHaveLength(1);
      expect(report().totals.pdbViolations).toBe(0);
    });
  });

  it('replaces first and drains after the replacement is Ready on a rebalance recommendation', async () => {
    await withSimulation(BASE_SCENARIO, async ({ world, system, settle }) => {
      const victim = instanceWithNode(world, 'spot');
      world.interrupt(victim, 'rebalance-recommendation');
      await settle(10);

      const [execution] = executionsFor(system, victim).filter((e) => e.name.includes('-rebalance-'));
      expect(execution!.status).toBe('SUCCEEDED');
      const replacement = world.ec2.allInstances().find((i) => i.tags[REPLACES_TAG] === victim)!;
      const ready = world.cluster.history().find((r) => r.type === 'node-ready' && (r as { instanceId?: string }).instanceId === replacement.instanceId)!;
      const firstEviction = world.cluster.history().find((r) => r.type === 'pod-stopped' && (r as { cause: string }).cause === 'eviction')!;
      expect(firstEviction.at).toBeGreaterThanOrEqual(ready.at);
      expect(world.ec2.instance(victim)!.state).toBe('terminated');
    });
  });

  it('runs a drill started by hand with only an instance id', async () => {
    await withSimulation(BASE_SCENARIO, async ({ world, system, settle }) => {
      const victim = instanceWithNode(world, 'on-demand');
      await system.workflows.startExecution('spot-interruption', 'drill-by-hand', { instanceId: victim });
      await settle(5);
      const execution = system.workflows.execution('drill-by-hand')!;
      expect(execution.status).toBe('SUCCEEDED');
      expect(execution.statesEntered).toContain('TerminateInstance');
      expect(world.ec2.instance(victim)!.state).toBe('terminated');
      expect(world.ec2.allInstances().filter((i) => i.tags[REPLACES_TAG] === victim)).toHaveLength(1);
    });
  });

  it('fails the execution with the field named when a hand-written input is wrong', async () => {
    await withSimulation(BASE_SCENARIO, async ({ system, settle }) => {
      await system.workflows.startExecution('spot-interruption', 'bad-drill', { instanceId: 'web-1' });
      await settle(1);
      const execution = system.workflows.execution('bad-drill')!;
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toMatch(/instanceId/);
      expect(execution.error).toMatch(/"web-1"/);
    });
  });
});
