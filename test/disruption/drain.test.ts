import { describe, expect, it } from 'vitest';
import { drainStatus, planEvictions } from '../../shared/disruption/drain.ts';
import type { Pod } from '../../shared/types.ts';

function pod(name: string, extra: Partial<Pod> = {}): Pod {
  return {
    namespace: 'shop',
    name,
    uid: name,
    phase: 'Running',
    labels: {},
    annotations: {},
    ownerKind: 'ReplicaSet',
    requests: { cpuMillis: 100, memoryBytes: 1 << 20 },
    nodeSelector: {},
    requiredNodeAffinity: [],
    tolerations: [],
    topologySpread: [],
    podAntiAffinity: [],
    ...extra,
  };
}

describe('planEvictions', () => {
  it.each([
    ['a ReplicaSet pod', pod('web'), 'evict'],
    ['a StatefulSet pod', pod('db', { ownerKind: 'StatefulSet' }), 'evict'],
    ['a bare pod', pod('bare', { ownerKind: undefined }), 'evict'],
    ['a DaemonSet pod', pod('aws-node', { ownerKind: 'DaemonSet' }), 'leave:daemonset'],
    ['a mirror pod', pod('kube-proxy', { ownerKind: 'Node' }), 'leave:mirror-pod'],
    ['a finished Job pod', pod('job', { ownerKind: 'Job', phase: 'Succeeded' }), 'leave:completed'],
    ['a failed pod', pod('crashed', { phase: 'Failed' }), 'leave:completed'],
    ['a do-not-disrupt pod', pod('batch', { annotations: { 'karpenter.sh/do-not-disrupt': 'true' } }), 'leave:do-not-disrupt'],
    ['a pod whose do-not-disrupt is "false"', pod('web2', { annotations: { 'karpenter.sh/do-not-disrupt': 'false' } }), 'evict'],
    ['a pod already terminating', pod('leaving', { terminating: true }), 'terminating'],
  ])('%s -> %s', (_, input, expected) => {
    const plan = planEvictions([input]);
    const actual =
      plan.evict.length > 0 ? 'evict' : plan.terminating.length > 0 ? 'terminating' : `leave:${plan.leave[0]?.reason}`;
    expect(actual).toBe(expected);
  });

  it('evicts the least important pods first', () => {
    const plan = planEvictions([
      pod('critical', { priority: 2_000_000_000 }),
      pod('b-normal'),
      pod('a-normal'),
      pod('low', { priority: -10 }),
    ]);
    expect(plan.evict.map((p) => p.name)).toEqual(['low', 'a-normal', 'b-normal', 'critical']);
  });
});

describe('drainStatus', () => {
  const now = new Date('2026-11-28T10:00:00Z');
  const inSeconds = (s: number) => new Date(now.getTime() + s * 1000);

  it.each([
    // remaining, terminating, attempt, deadline in s, expected
    [0, 0, 1, 600, { status: 'drained' }],
    [0, 0, 5, -10, { status: 'drained' }],
    // A distant deadline: exponential backoff up to 10 s.
    [1, 0, 1, 600, { status: 'retry', retryInSeconds: 1 }],
    [1, 0, 2, 600, { status: 'retry', retryInSeconds: 2 }],
    [1, 0, 3, 600, { status: 'retry', retryInSeconds: 4 }],
    [1, 0, 4, 600, { status: 'retry', retryInSeconds: 8 }],
    [1, 0, 5, 600, { status: 'retry', retryInSeconds: 10 }],
    [1, 0, 12, 600, { status: 'retry', retryInSeconds: 10 }],
    [0, 3, 1, 600, { status: 'retry', retryInSeconds: 1 }],
    // Under 5 minutes left (a spot notice): never more than 2 s between passes.
    [1, 0, 1, 100, { status: 'retry', retryInSeconds: 1 }],
    [1, 0, 2, 100, { status: 'retry', retryInSeconds: 2 }],
    [1, 0, 9, 100, { status: 'retry', retryInSeconds: 2 }],
    [1, 0, 9, 300, { status: 'retry', retryInSeconds: 2 }],
    [1, 0, 9, 301, { status: 'retry', retryInSeconds: 10 }],
    // Never past the deadline.
    [2, 0, 5, 1, { status: 'retry', retryInSeconds: 1 }],
    [2, 0, 5, 0, { status: 'deadline-reached' }],
    [2, 0, 1, -30, { status: 'deadline-reached' }],
    [0, 1, 1, 0, { status: 'deadline-reached' }],
  ])('remaining %i, terminating %i, attempt %i, deadline in %is', (remaining, terminating, attempt, deadline, expected) => {
    expect(drainStatus({ remaining, terminating, attempt, now, deadline: inSeconds(deadline) })).toEqual(expected);
  });
});
