// Runs nodewright on a small simulated cluster for the workflow tests: the real ASL, the real
// handlers, the sim adapters, on a virtual clock.

import { fileURLToPath } from 'node:url';
import { createLocalSystem, type LocalSystem } from '../../cli/local-system.ts';
import { VirtualClock } from '../../shared/sim/clock.ts';
import { report } from '../../shared/sim/metrics.ts';
import { createWorld } from '../../shared/sim/create-world.ts';
import { parseScenario } from '../../shared/sim/scenario.ts';
import type { SimWorld } from '../../shared/sim/world.ts';

const SCENARIO_DIR = fileURLToPath(new URL('../../examples/scenarios/', import.meta.url));

export interface Harness {
  world: SimWorld;
  system: LocalSystem;
  clock: VirtualClock;
  /** Runs virtual time until nothing is queued or running and `minutes` have passed at least. */
  settle(minutes?: number): Promise<void>;
  report(): ReturnType<typeof report>;
}

export const BASE_SCENARIO = `
name: workflow-test
seed: 7
region: us-east-1
durationMinutes: 120
cluster: { name: my-cluster, kubernetesVersion: "1.33" }
nodeConfig: ../nodepools/default.yaml
zones: [us-east-1a, us-east-1b, us-east-1c]
nodes:
  - { nodePool: default, instanceType: m6i.xlarge, capacityType: spot, zone: us-east-1a, count: 2 }
  - { nodePool: default, instanceType: m6i.xlarge, capacityType: on-demand, zone: us-east-1b, count: 2 }
daemonSets:
  - { name: aws-node, cpu: 25m, memory: 64Mi }
workloads:
  - { name: web, namespace: shop, replicas: 16, cpu: 200m, memory: 256Mi, pdb: { maxUnavailable: 1 } }
`;

export async function withSimulation(yaml: string, body: (harness: Harness) => Promise<void>): Promise<void> {
  const scenario = parseScenario(yaml, { source: 'workflow-test.yaml', baseDir: SCENARIO_DIR });
  const clock = VirtualClock.install(scenario.start);
  try {
    const world = createWorld(scenario, clock);
    const system = createLocalSystem(world);
    await body({
      world,
      system,
      clock,
      async settle(minutes = 5) {
        const until = clock.now().getTime() + minutes * 60_000;
        await clock.runUntil(
          () => clock.now().getTime() >= until && !system.busy(),
          new Date(clock.now().getTime() + 4 * 60 * 60_000),
        );
      },
      report: () => report(world),
    });
  } finally {
    clock.uninstall();
  }
}

/** A running instance of the given capacity type that has a node. */
export function instanceWithNode(world: SimWorld, capacityType: 'spot' | 'on-demand'): string {
  const found = world.ec2
    .allInstances()
    .find((i) => i.state === 'running' && i.capacityType === capacityType && world.cluster.findNodeByInstanceId(i.instanceId));
  if (!found) throw new Error(`no running ${capacityType} instance with a node`);
  return found.instanceId;
}

export function executionsFor(system: LocalSystem, instanceId: string) {
  return system.workflows.executions().filter((e) => e.name.startsWith(`${instanceId}-`));
}
