// plan-replacement with its prices coming through the PricingPort: live on-demand prices reorder
// the plan, a Price List failure or a slow answer falls back to the prices held (the snapshot),
// spot prices still fail the step, and a warm handler reuses the prices it fetched.
import { GetProductsCommand, PricingClient, PricingServiceException } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { planReplacementStep } from '../../functions/plan-replacement/handler.ts';
import { refreshOnDemandPrices } from '../../functions/plan-replacement/on-demand-prices.ts';
import { AwsPricing, PRICING_ENDPOINT_REGION } from '../../shared/aws/pricing.ts';
import { TransientError } from '../../shared/errors.ts';
import type { Ports, PricingPort } from '../../shared/ports.ts';
import { onDemandPrice } from '../../shared/provisioning/index.ts';
import { localContext, logger } from '../../shared/runtime/handler.ts';
import type { ClusterNode, PricedOffering, Requirement, SpotPrice } from '../../shared/types.ts';
import { TEST_CLIENT_CONFIG, awsError } from '../aws/helpers.ts';
import { nodeClass, nodePool, pod } from '../provisioning/fixtures.ts';
import { stubPorts } from './stub-ports.ts';

const TWO_TYPES: Requirement = { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large', 'c6i.large'] };
const ON_DEMAND: Requirement = { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] };
const SPOT: Requirement = { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] };

const event = {
  notice: {
    instanceId: 'i-0123456789abcdef0',
    kind: 'spot-interruption',
    deadline: '2026-11-28T10:02:00Z',
    time: '2026-11-28T10:00:00Z',
    eventId: 'e-1',
    region: 'us-east-1',
  },
  node: { name: 'ip-10-0-1-1.ec2.internal', nodePool: 'default' },
  attempt: 1,
};

/** The ports plan-replacement reads, around one NodePool of two types in us-east-1a. */
function ports(pricing: PricingPort, requirements: Requirement[] = [TWO_TYPES, ON_DEMAND]): Ports {
  return stubPorts({
    pricing,
    nodeConfig: {
      nodePool: async () => nodePool(requirements),
      nodeClass: async () => nodeClass(),
      nodePools: async () => [],
    },
    compute: {
      resolveSubnets: async () => [{ subnetId: 'subnet-a', zone: 'us-east-1a', availableIpAddressCount: 100 }],
    } as unknown as Ports['compute'],
    cluster: { listPodsOnNode: async () => [pod('web-1', { cpu: 500, memoryGiB: 1 })] } as unknown as Ports['cluster'],
    availability: { markUnavailable: async () => undefined, listUnavailable: async () => [] },
  });
}

/** A PricingPort over a fixed price book, with a switch to make its on-demand refresh fail. */
function fixedPricing(onDemand: Record<string, number>, spot: SpotPrice[] = [], refreshError?: Error) {
  const asked: string[][] = [];
  const port: PricingPort = {
    refreshOnDemand: async () => {
      if (refreshError) throw refreshError;
    },
    onDemandPrice: (region, type) => (refreshError ? undefined : onDemand[type]) ?? onDemandPrice(region, type),
    spotPrices: async (types) => {
      asked.push(types);
      return spot.filter((p) => types.includes(p.instanceType));
    },
  };
  return { port, asked };
}

type Plan = { capacityType: string; offerings: PricedOffering[] };
const plan = (p: Ports) => planReplacementStep(p)(event, localContext('plan-replacement', 'test')) as Promise<Plan>;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('plan-replacement prices', () => {
  it('ranks with the snapshot when nothing says otherwise: c6i.large ($0.085) before m5.large ($0.096)', async () => {
    const result = await plan(ports(fixedPricing({}).port));
    expect(result.offerings.map((o) => [o.instanceType, o.price])).toEqual([['c6i.large', 0.085], ['m5.large', 0.096]]);
  });

  it('ranks with the live on-demand prices: m5.large made cheap comes first, at its live price', async () => {
    const result = await plan(ports(fixedPricing({ 'm5.large': 0.05 }).port));
    expect(result.capacityType).toBe('on-demand');
    expect(result.offerings.map((o) => [o.instanceType, o.price])).toEqual([['m5.large', 0.05], ['c6i.large', 0.085]]);
  });

  it('plans with the snapshot and logs a warning when the Price List API fails', async () => {
    const warn = vi.spyOn(logger, 'warn');
    const failure = awsError(PricingServiceException, 'AccessDeniedException', 'not authorized to perform pricing:GetProducts', { status: 403 });
    const result = await plan(ports(fixedPricing({ 'm5.large': 0.05 }, [], failure).port));
    expect(result.offerings.map((o) => o.instanceType)).toEqual(['c6i.large', 'm5.large']);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/on-demand prices could not be refreshed/), failure);
  });

  it('takes spot prices for the candidate spot types from the pricing port', async () => {
    const spot = [
      { instanceType: 'm5.large', zone: 'us-east-1a', price: 0.02, timestamp: '2026-11-28T09:00:00Z' },
      { instanceType: 'c6i.large', zone: 'us-east-1a', price: 0.03, timestamp: '2026-11-28T09:00:00Z' },
    ];
    const { port, asked } = fixedPricing({}, spot);
    const result = await plan(ports(port, [TWO_TYPES, SPOT]));
    expect(asked.map((types) => [...types].sort())).toEqual([['c6i.large', 'm5.large']]);
    expect(result.capacityType).toBe('spot');
    expect(result.offerings.map((o) => [o.instanceType, o.price])).toEqual([['m5.large', 0.02], ['c6i.large', 0.03]]);
  });

  it('still fails the step when spot prices cannot be read, for the workflow to retry', async () => {
    const { port } = fixedPricing({});
    port.spotPrices = async () => Promise.reject(new TransientError('DescribeSpotPriceHistory failed transiently (RequestLimitExceeded)'));
    await expect(plan(ports(port, [TWO_TYPES, SPOT]))).rejects.toBeInstanceOf(TransientError);
  });

  it('a warm handler reuses the on-demand prices it fetched: one Price List read for two plans', async () => {
    const client = new PricingClient({ ...TEST_CLIENT_CONFIG, region: PRICING_ENDPOINT_REGION });
    const api = mockClient(client);
    const product = JSON.stringify({
      product: { attributes: { instanceType: 'm5.large' } },
      terms: { OnDemand: { t: { priceDimensions: { d: { pricePerUnit: { USD: '0.0500000000' } } } } } },
    });
    api.on(GetProductsCommand).resolves({ PriceList: [product] });
    const pricing = new AwsPricing(client, { describeSpotPrices: async () => [] }, { region: 'us-east-1' });
    const handler = planReplacementStep(ports(pricing)); // built once, as a Lambda container does
    for (const requestId of ['first', 'second']) {
      const result = (await handler(event, localContext('plan-replacement', requestId))) as Plan;
      expect(result.offerings[0]).toMatchObject({ instanceType: 'm5.large', price: 0.05 });
    }
    expect(api.commandCalls(GetProductsCommand)).toHaveLength(2); // the two queries of one refresh
  });
});

describe('refreshOnDemandPrices', () => {
  it('answers true when the refresh succeeds, without a warning', async () => {
    const warnings: unknown[] = [];
    const refreshed = await refreshOnDemandPrices(fixedPricing({}).port, { warn: (...args: unknown[]) => void warnings.push(args) });
    expect(refreshed).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('stops waiting after the budget and lets the refresh finish in the background', async () => {
    let finish: () => void = () => undefined;
    const pending = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const slow: PricingPort = { ...fixedPricing({}).port, refreshOnDemand: () => pending };
    const warnings: unknown[][] = [];
    const started = Date.now();
    const refreshed = await refreshOnDemandPrices(slow, { warn: (...args: unknown[]) => void warnings.push(args) }, 30);
    expect(refreshed).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(warnings).toEqual([[expect.stringMatching(/not refreshed in time/), { budgetMs: 30 }]]);
    finish();
  });

  it('treats a refresh that throws before returning a promise like one that rejects', async () => {
    const broken: PricingPort = {
      ...fixedPricing({}).port,
      refreshOnDemand: () => {
        throw new Error('no credentials');
      },
    };
    const warnings: unknown[][] = [];
    await expect(refreshOnDemandPrices(broken, { warn: (...args: unknown[]) => void warnings.push(args) })).resolves.toBe(false);
    expect(warnings[0]![1]).toMatchObject({ message: 'no credentials' });
  });
});

describe('plan-replacement and the pods that stay', () => {
  const spread = { topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { app: 'web' } };
  const web = (name: string, nodeName: string) => ({ ...pod(name, { cpu: 500, labels: { app: 'web' }, topologySpread: [spread] }), nodeName });
  // The leaving node (in a) runs two web pods; a keeps 1 more, b has 3: back to a gives 3-3, b would give 1-5.
  const moving = [web('web-1', event.node.name), web('web-2', event.node.name)];
  const onNode: Record<string, ReturnType<typeof web>[]> = {
    [event.node.name]: moving, 'n-a2': [web('web-3', 'n-a2')], 'n-b1': [web('web-4', 'n-b1'), web('web-5', 'n-b1'), web('web-6', 'n-b1')],
  };
  /** Ports over nodes in a (the leaving one, n-a2) and b (n-b1), subnets in both zones. */
  const portsFor = (cluster: Partial<Ports['cluster']>) => stubPorts({
    pricing: fixedPricing({}).port,
    nodeConfig: { nodePool: async () => nodePool([TWO_TYPES, ON_DEMAND]), nodeClass: async () => nodeClass(), nodePools: async () => [] },
    compute: {
      resolveSubnets: async () => [
        { subnetId: 'subnet-a', zone: 'us-east-1a', availableIpAddressCount: 100 },
        { subnetId: 'subnet-b', zone: 'us-east-1b', availableIpAddressCount: 100 },
      ],
    } as unknown as Ports['compute'],
    cluster: cluster as Ports['cluster'],
    availability: { markUnavailable: async () => undefined, listUnavailable: async () => [] },
  });

  it('reads the groups the moving pods spread over zones and plans only where they can be scheduled', async () => {
    const asked: Array<[string, Record<string, string>]> = [];
    let listedAll = false;
    // Nodes without allocatable (not yet reported) offer no room.
    const node = (name: string, zone: string) => ({ name, labels: { 'topology.kubernetes.io/zone': zone } });
    const p = portsFor({
      listPodsOnNode: async (name: string) => onNode[name] ?? [],
      listNodes: async () => [node(event.node.name, 'us-east-1a'), node('n-a2', 'us-east-1a'), node('n-b1', 'us-east-1b')] as unknown as ClusterNode[],
      listPodsMatching: async (namespace: string, selector: Record<string, string>) => {
        asked.push([namespace, selector]);
        return Object.values(onNode).flat();
      },
      listScheduledPods: async () => {
        listedAll = true;
        return Object.values(onNode).flat();
      },
    });
    const result = await plan(p);
    expect(asked).toEqual([['default', { app: 'web' }]]);
    // No node that stays could take pods (none reports allocatable yet): nothing more to read.
    expect(listedAll).toBe(false);
    expect(new Set(result.offerings.map((o) => o.zone))).toEqual(new Set(['us-east-1a']));
  });

  it('reads the pods on the nodes that stay when the zones narrow, and frees the replacement of a zone they have room in', async () => {
    const node = (name: string, zone: string): ClusterNode => ({
      name, labels: { 'topology.kubernetes.io/zone': zone }, annotations: {}, taints: [], unschedulable: false,
      conditions: [{ type: 'Ready', status: 'True' }], createdAt: '2026-08-01T00:00:00Z', allocatable: { cpuMillis: 2000, memoryBytes: 8 * 2 ** 30, pods: 20 },
    });
    const read: string[] = [];
    const p = portsFor({
      listPodsOnNode: async (name: string) => {
        read.push(name);
        return onNode[name] ?? [];
      },
      listNodes: async () => [node(event.node.name, 'us-east-1a'), node('n-a2', 'us-east-1a'), node('n-b1', 'us-east-1b')],
      listPodsMatching: async () => Object.values(onNode).flat(),
      listScheduledPods: async () => {
        read.push('every scheduled pod');
        return Object.values(onNode).flat();
      },
    });
    const result = await plan(p);
    // The leaving node's pods, then (the zones having narrowed) one list for what runs on the others.
    expect(read).toEqual([event.node.name, 'every scheduled pod']);
    // n-a2 (2 CPUs, 0.5 used) takes both web pods (a: 1 -> 3 against b's 3): the replacement may be in either zone.
    expect(new Set(result.offerings.map((o) => o.zone))).toEqual(new Set(['us-east-1a', 'us-east-1b']));
  });
});
