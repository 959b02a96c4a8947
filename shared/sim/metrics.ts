// What the CLI's final table shows, computed from what the simulated world observed (node
// cordons, Node readiness, pod evictions, kills and bindings, PDB violations, instance prices),
// never from what the handlers report about themselves.

import type { ClusterRecord } from './cluster.ts';
import type { InterruptionKind } from './ec2.ts';
import { REPLACES_TAG } from '../well-known.ts';
import type { SimWorld } from './world.ts';

/** One interruption notice and what followed it on that node. Durations in seconds; null when it never happened. */
export interface InterruptionOutcome {
  instanceId: string;
  kind: InterruptionKind;
  /** ISO 8601 time the notice was delivered. */
  noticeAt: string;
  nodeName: string | null;
  instanceType: string;
  zone: string;
  capacityType: 'spot' | 'on-demand';
  /** Notice -> node marked unschedulable. */
  timeToCordonSeconds: number | null;
  /** The first instance launched with tag nodewright.io/replaces = this instance id. */
  replacement: { instanceId: string; instanceType: string; zone: string; capacityType: 'spot' | 'on-demand' } | null;
  /** Notice -> the replacement's Node Ready. */
  timeToReplacementReadySeconds: number | null;
  /** Pods the eviction API let go from the node (DaemonSet pods, which stay with their node, not counted). */
  podsEvicted: number;
  /** Pods that died with the node or were deleted outright instead of evicted (DaemonSet pods not counted). */
  podsKilled: number;
  /** CreateFleet refusals (code and offering) met while launching the replacement, in order. */
  launchErrors: Array<{ code: string; instanceType?: string; zone?: string }>;
  /** The longest a pod displaced from this node waited Pending (bound, or still waiting at the end). */
  longestPendingSeconds: number | null;
  /** Pods displaced from this node still Pending at the end. */
  stillPending: number;
  /** Budget violations on this node (a covered healthy pod stopped while its PDB allowed no disruption). */
  pdbViolations: number;
  /** USD per hour of the cluster's pending and running instances just before the notice. */
  hourlyCostBefore: number;
  /**
   * The same once the interruption settled: the interrupted instance terminated and its
   * replacement (if one was launched) Ready. null while it has not settled.
   */
  hourlyCostAfter: number | null;
}

export interface InterruptionReport {
  scenario: string;
  seed: number;
  /** ISO 8601 start and end of the simulated period. */
  start: string;
  end: string;
  interruptions: InterruptionOutcome[];
  totals: {
    interruptions: number;
    cordoned: number;
    replacementsReady: number;
    podsEvicted: number;
    podsKilled: number;
    /** CreateFleet refusals over the whole run, replacement launches or not. */
    launchErrors: number;
    pdbViolations: number;
    /** Pods Pending at the end, whatever their cause. */
    podsPendingAtEnd: number;
    meanTimeToCordonSeconds: number | null;
    maxTimeToCordonSeconds: number | null;
    meanTimeToReplacementReadySeconds: number | null;
    maxTimeToReplacementReadySeconds: number | null;
    longestPendingSeconds: number | null;
    hourlyCostAtStart: number;
    hourlyCostAtEnd: number;
  };
  /** Every PDB violation, for the detail view. */
  violations: Array<{ at: string; pdb: string; pod: string; node: string; cause: string }>;
  /** Things the world could not do as the scenario asked (too few targets, pods that never fit). */
  warnings: string[];
}

export function report(world: SimWorld): InterruptionReport {
  const history = world.cluster.history();
  const now = world.clock.now();
  const pending = world.cluster.pendingPods();
  const instances = world.ec2.allInstances();
  const fleets = world.ec2.fleetAttempts();
  const seconds = (ms: number): number => Math.round(ms / 100) / 10;

  const outcomes = world.interruptions.map((delivered): InterruptionOutcome => {
    const node = delivered.nodeName;
    const onNode = <T extends ClusterRecord['type']>(type: T): Array<Extract<ClusterRecord, { type: T }>> =>
      history.filter((r): r is Extract<ClusterRecord, { type: T }> => r.type === type && 'node' in r && r.node === node);
    const cordon = node ? onNode('node-cordoned').find((r) => r.at >= delivered.at) : undefined;
    const replacement = instances
      .filter((i) => i.tags[REPLACES_TAG] === delivered.instanceId)
      .sort((a, b) => Date.parse(a.launchTime) - Date.parse(b.launchTime))[0];
    const replacementReady = replacement
      ? history.find((r) => r.type === 'node-ready' && r.instanceId === replacement.instanceId)
      : undefined;
    const stopped = node ? onNode('pod-stopped').filter((r) => r.ownerKind !== 'DaemonSet') : [];
    const launchErrors = fleets
      .filter((f) => f.request.tags[REPLACES_TAG] === delivered.instanceId)
      .flatMap((f) => f.errors.map((e) => ({ code: e.code, ...(e.instanceType ? { instanceType: e.instanceType } : {}), ...(e.zone ? { zone: e.zone } : {}) })));
    const bound = node ? history.filter((r): r is Extract<ClusterRecord, { type: 'pod-bound' }> => r.type === 'pod-bound' && r.displacedFrom === node) : [];
    const waiting = node ? pending.filter((p) => p.displacedFrom === node) : [];
    const waits = [...bound.map((b) => b.pendingMs), ...waiting.map((w) => w.waitingMs)];
    const terminatedAt = instances.find((i) => i.instanceId === delivered.instanceId)?.terminatedAt;
    const settledAt = terminatedAt && (!replacement || replacementReady)
      ? Math.max(Date.parse(terminatedAt), replacementReady?.at ?? 0)
      : undefined;
    return {
      instanceId: delivered.instanceId,
      kind: delivered.kind,
      noticeAt: new Date(delivered.at).toISOString(),
      nodeName: node ?? null,
      instanceType: delivered.instanceType,
      zone: delivered.zone,
      capacityType: delivered.capacityType,
      timeToCordonSeconds: cordon ? seconds(cordon.at - delivered.at) : null,
      replacement: replacement
        ? { instanceId: replacement.instanceId, instanceType: replacement.instanceType, zone: replacement.zone, capacityType: replacement.capacityType }
        : null,
      timeToReplacementReadySeconds: replacementReady ? seconds(replacementReady.at - delivered.at) : null,
      podsEvicted: stopped.filter((r) => r.cause === 'eviction').length,
      podsKilled: stopped.filter((r) => r.cause !== 'eviction').length,
      launchErrors,
      longestPendingSeconds: waits.length > 0 ? seconds(Math.max(...waits)) : null,
      stillPending: waiting.length,
      pdbViolations: node ? onNode('pdb-violation').length : 0,
      hourlyCostBefore: round(delivered.hourlyCostBefore),
      hourlyCostAfter: settledAt === undefined ? null : round(world.hourlyCostAt(settledAt)),
    };
  });

  const present = (values: Array<number | null>): number[] => values.filter((v): v is number => v !== null);
  const cordons = present(outcomes.map((o) => o.timeToCordonSeconds));
  const readies = present(outcomes.map((o) => o.timeToReplacementReadySeconds));
  const waits = present(outcomes.map((o) => o.longestPendingSeconds));
  const violations = history.filter((r): r is Extract<ClusterRecord, { type: 'pdb-violation' }> => r.type === 'pdb-violation');
  const startCost = instances
    .filter((i) => Date.parse(i.launchTime) <= world.start.getTime())
    .reduce((sum, i) => sum + i.hourlyPrice, 0);

  return {
    scenario: world.name,
    seed: world.seed,
    start: world.start.toISOString(),
    end: now.toISOString(),
    interruptions: outcomes,
    totals: {
      interruptions: outcomes.length,
      cordoned: cordons.length,
      replacementsReady: readies.length,
      podsEvicted: sum(outcomes.map((o) => o.podsEvicted)),
      podsKilled: sum(outcomes.map((o) => o.podsKilled)),
      launchErrors: sum(fleets.map((f) => f.errors.length)),
      pdbViolations: violations.length,
      podsPendingAtEnd: pending.length,
      meanTimeToCordonSeconds: mean(cordons),
      maxTimeToCordonSeconds: cordons.length > 0 ? Math.max(...cordons) : null,
      meanTimeToReplacementReadySeconds: mean(readies),
      maxTimeToReplacementReadySeconds: readies.length > 0 ? Math.max(...readies) : null,
      longestPendingSeconds: waits.length > 0 ? Math.max(...waits) : null,
      hourlyCostAtStart: round(startCost),
      hourlyCostAtEnd: round(world.hourlyCost()),
    },
    violations: violations.map((v) => ({ at: new Date(v.at).toISOString(), pdb: v.pdb, pod: v.pod, node: v.node, cause: v.cause })),
    warnings: [...world.warnings],
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : Math.round((sum(values) / values.length) * 10) / 10;
}

function round(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}
