// Public face of the simulator: the virtual clock, the scenario loader, the world, the ports
// over it and the report. Composition roots (the CLI's simulate command, tests) import from here.
export { VirtualClock } from './clock.ts';
export { SeededRandom } from './random.ts';
export { createWorld } from './create-world.ts';
export { loadScenario, parseScenario, type Scenario, type ScenarioWorkload } from './scenario.ts';
export {
  SimWorld,
  type DeliveredInterruption, type InterruptionTarget, type PlannedInterruption,
} from './world.ts';
export { simPorts, fakeImageId } from './adapters.ts';
export { report, type InterruptionReport, type InterruptionOutcome } from './metrics.ts';
export { SimEc2, privateDnsName, type InterruptionKind, type SimInstance, type CapacityRule, type Ec2Catalog } from './ec2.ts';
export { SimCluster, type ClusterRecord, type PodStopCause } from './cluster.ts';
export type { EventBridgeEvent } from './events.ts';
