import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../shared/sim/clock.ts';
import { SimEc2, type CapacityRule, type Ec2Catalog } from '../../shared/sim/ec2.ts';
import type { EventBridgeEvent } from '../../shared/sim/events.ts';
import { SeededRandom } from '../../shared/sim/random.ts';
import type { FleetRequest, LaunchTemplateSpec } from '../../shared/types.ts';

// A small price list so the expected fleet choices are obvious from the test itself.
const ON_DEMAND: Record<string, number> = { 'm5.large': 0.096, 'm5.xlarge': 0.192, 'c5.xlarge': 0.17 };
const SPOT: Record<string, number> = { 'm5.large': 0.04, 'm5.xlarge': 0.07, 'c5.xlarge': 0.06 };
const ZONES = ['us-east-1a', 'us-east-1b'];
const catalog: Ec2Catalog = {
  onDemandPrice: (type) => ON_DEMAND[type],
  spotPrices: (types) =>
    (types ?? Object.keys(SPOT)).flatMap((t) =>
      SPOT[t] === undefined ? [] : ZONES.map((zone, i) => ({ instanceType: t, zone, price: (SPOT[t] as number) + i * 0.001, timestamp: '2026-01-01T00:00:00.000Z' })),
    ),
  offered: (type, zone) => type in ON_DEMAND && ZONES.includes(zone),
};

const template: LaunchTemplateSpec = {
  name: 'nodewright-default-abc', imageId: 'ami-0123456789abcdef0', securityGroupIds: ['sg-1'], userData: '',
  blockDeviceMappings: [], metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 }, tags: { team: 'platform' },
};

let clock: VirtualClock;
let events: EventBridgeEvent[];

function makeEc2(capacity: CapacityRule[] = [], freeIps = 100): SimEc2 {
  const ec2 = new SimEc2({
    region: 'us-east-1', account: '111122223333', clock, random: new SeededRandom(7), catalog,
    subnets: [
      { subnetId: 'subnet-a', zone: 'us-east-1a', cidrBlock: '10.0.0.0/20', availableIpAddressCount: freeIps, tags: { 'karpenter.sh/discovery': 'demo', tier: 'private' } },
      { subnetId: 'subnet-b', zone: 'us-east-1b', cidrBlock: '10.0.16.0/20', availableIpAddressCount: freeIps, tags: { 'karpenter.sh/discovery': 'demo' } },
    ],
    securityGroups: [{ groupId: 'sg-1', groupName: 'eks-cluster-sg-demo', tags: { 'karpenter.sh/discovery': 'demo' } }],
    images: [
      { imageId: 'ami-own', name: 'golden-2026.01', architecture: 'amd64', creationDate: '2026-01-01T00:00:00.000Z', owner: '111122223333', tags: { team: 'platform' } },
      { imageId: 'ami-amzn', name: 'amazon-eks-node-al2023-arm64-standard-1.31-v20260101', architecture: 'arm64', creationDate: '2026-01-02T00:00:00.000Z', owner: 'amazon', tags: {} },
      { imageId: 'ami-shared', name: 'golden-2026.02', architecture: 'amd64', creationDate: '2026-02-01T00:00:00.000Z', owner: '999988887777', tags: { team: 'platform' } },
    ],
    capacity, bootSeconds: [40, 60], terminateSeconds: [3, 5], retirementNoticeMinutes: 60,
  });
  ec2.ensureLaunchTemplate(template);
  ec2.onEvent((e) => events.push(e));
  return ec2;
}

function request(overrides: Partial<FleetRequest> = {}): FleetRequest {
  return {
    clientToken: 'token-1', capacityType: 'spot', allocationStrategy: 'price-capacity-optimized', launchTemplateName: template.name,
    overrides: [
      { instanceType: 'm5.xlarge', subnetId: 'subnet-a', zone: 'us-east-1a' },
      { instanceType: 'm5.large', subnetId: 'subnet-a', zone: 'us-east-1a' },
      { instanceType: 'c5.xlarge', subnetId: 'subnet-b', zone: 'us-east-1b' },
    ],
    tags: { 'karpenter.sh/nodepool': 'default', 'nodewright.io/replaces': 'i-0old' },
    ...overrides,
  };
}

const stateEvents = (id: string): string[] =>
  events.filter((e) => e['detail-type'] === 'EC2 Instance State-change Notification' && e.detail['instance-id'] === id).map((e) => e.detail.state as string);

beforeEach(() => {
  clock = VirtualClock.install(new Date('2026-01-01T00:00:00Z'));
  events = [];
});
afterEach(() => clock.uninstall());

describe('SimEc2 CreateFleet', () => {
  it('launches the cheapest offering for price strategies, with an i- + 17 hex id and the request tags', () => {
    const ec2 = makeEc2();
    const result = ec2.createFleet(request());
    expect(result.errors).toEqual([]);
    expect(result.instances).toHaveLength(1);
    const [instance] = result.instances;
    expect(instance?.instanceId).toMatch(/^i-[0-9a-f]{17}$/);
    expect(instance).toMatchObject({ instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'spot', state: 'pending' });
    expect(instance?.tags).toEqual({ team: 'platform', 'karpenter.sh/nodepool': 'default', 'nodewright.io/replaces': 'i-0old' });
    expect(instance?.privateDnsName).toMatch(/^ip-10-0-\d+-\d+\.ec2\.internal$/);
  });

  it('walks overrides by priority for the prioritized strategy', () => {
    const ec2 = makeEc2();
    const result = ec2.createFleet(request({
      allocationStrategy: 'prioritized',
      overrides: [
        { instanceType: 'm5.large', subnetId: 'subnet-a', zone: 'us-east-1a', priority: 2 },
        { instanceType: 'c5.xlarge', subnetId: 'subnet-b', zone: 'us-east-1b', priority: 0 },
      ],
    }));
    expect(result.instances[0]?.instanceType).toBe('c5.xlarge');
  });

  it('reports InsufficientInstanceCapacity per refused override and falls back to the next one', () => {
    const ec2 = makeEc2([{ zone: 'us-east-1a', capacityType: 'spot', available: 0 }]);
    const result = ec2.createFleet(request({
      allocationStrategy: 'capacity-optimized-prioritized',
      overrides: [
        { instanceType: 'm5.large', subnetId: 'subnet-a', zone: 'us-east-1a', priority: 0 },
        { instanceType: 'm5.xlarge', subnetId: 'subnet-a', zone: 'us-east-1a', priority: 1 },
        { instanceType: 'c5.xlarge', subnetId: 'subnet-b', zone: 'us-east-1b', priority: 2 },
      ],
    }));
    expect(result.errors.map((e) => [e.instanceType, e.zone, e.code])).toEqual([
      ['m5.large', 'us-east-1a', 'InsufficientInstanceCapacity'],
      ['m5.xlarge', 'us-east-1a', 'InsufficientInstanceCapacity'],
    ]);
    expect(result.instances.map((i) => [i.instanceType, i.zone])).toEqual([['c5.xlarge', 'us-east-1b']]);
  });

  it('launches nothing when every override is refused, and on-demand capacity stays separate', () => {
    const ec2 = makeEc2([{ capacityType: 'spot', available: 0 }]);
    const spot = ec2.createFleet(request());
    expect(spot.instances).toEqual([]);
    expect(spot.errors).toHaveLength(3);
    expect(ec2.allInstances()).toEqual([]);
    const onDemand = ec2.createFleet(request({ clientToken: 'token-2', capacityType: 'on-demand' }));
    expect(onDemand.instances[0]).toMatchObject({ instanceType: 'm5.large', capacityType: 'on-demand' });
  });

  it('consumes finite capacity: the second launch into a pool of one is refused', () => {
    const ec2 = makeEc2([{ instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'spot', available: 1 }]);
    const only = [{ instanceType: 'm5.large', subnetId: 'subnet-a', zone: 'us-east-1a' }];
    expect(ec2.createFleet(request({ overrides: only })).instances).toHaveLength(1);
    const second = ec2.createFleet(request({ clientToken: 'token-2', overrides: only }));
    expect(second.instances).toEqual([]);
    expect(second.errors[0]?.code).toBe('InsufficientInstanceCapacity');
  });

  it('refuses offerings the region does not sell and subnets without free addresses', () => {
    const ec2 = makeEc2([], 0);
    const result = ec2.createFleet(request({
      overrides: [
        { instanceType: 'x9.huge', subnetId: 'subnet-a', zone: 'us-east-1a' },
        { instanceType: 'm5.large', subnetId: 'subnet-b', zone: 'us-east-1b' },
      ],
    }));
    expect(result.errors.map((e) => e.code).sort()).toEqual(['InsufficientFreeAddressesInSubnet', 'Unsupported']);
    expect(result.instances).toEqual([]);
  });

  it('is idempotent on the client token: same instances, nothing new launched', () => {
    const ec2 = makeEc2();
    const first = ec2.createFleet(request());
    const again = ec2.createFleet(request());
    expect(again.instances.map((i) => i.instanceId)).toEqual(first.instances.map((i) => i.instanceId));
    expect(ec2.allInstances()).toHaveLength(1);
    expect(() => ec2.createFleet(request({ capacityType: 'on-demand' }))).toThrow(expect.objectContaining({ name: 'IdempotentParameterMismatch' }));
  });

  it('reports a missing launch template as a fleet error', () => {
    const ec2 = makeEc2();
    const result = ec2.createFleet(request({ launchTemplateName: 'nope' }));
    expect(result.instances).toEqual([]);
    expect(result.errors[0]?.code).toBe('InvalidLaunchTemplateName.NotFoundException');
  });

  it('boots pending -> running within the boot range and emits a state-change event for each state', async () => {
    const ec2 = makeEc2();
    const id = ec2.createFleet(request()).instances[0]?.instanceId as string;
    expect(stateEvents(id)).toEqual(['pending']);
    await clock.advance(39_000);
    expect(ec2.describeInstance(id)?.state).toBe('pending');
    await clock.advance(21_000);
    expect(ec2.describeInstance(id)?.state).toBe('running');
    expect(stateEvents(id)).toEqual(['pending', 'running']);
  });
});

describe('SimEc2 termination and interruptions', () => {
  it('terminates through shutting-down, frees the address, and answers already-gone afterwards', async () => {
    const ec2 = makeEc2();
    const id = ec2.createFleet(request()).instances[0]?.instanceId as string;
    const freeBefore = ec2.subnets().find((s) => s.subnetId === 'subnet-a')?.availableIpAddressCount;
    expect(ec2.terminateInstance(id)).toBe('terminating');
    expect(ec2.terminateInstance(id)).toBe('already-gone');
    expect(ec2.terminateInstance('i-00000000000000000')).toBe('already-gone');
    await clock.advance(5_000);
    expect(ec2.describeInstance(id)?.state).toBe('terminated');
    expect(ec2.findInstancesByTag('nodewright.io/replaces', 'i-0old')).toEqual([]);
    expect(ec2.subnets().find((s) => s.subnetId === 'subnet-a')?.availableIpAddressCount).toBe((freeBefore as number) + 1);
    expect(stateEvents(id)).toEqual(['pending', 'shutting-down', 'terminated']);
    await clock.advance(61 * 60_000);
    expect(ec2.describeInstance(id)).toBeUndefined();
  });

  it('emits the real spot interruption warning, then takes the instance 2 minutes later with state changes', async () => {
    const ec2 = makeEc2();
    const id = ec2.createFleet(request()).instances[0]?.instanceId as string;
    await clock.advance(60_000);
    const warning = ec2.interrupt(id, 'spot-interruption');
    expect(warning).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      'detail-type': 'EC2 Spot Instance Interruption Warning',
      source: 'aws.ec2',
      account: '111122223333',
      time: '2026-01-01T00:01:00Z',
      region: 'us-east-1',
      resources: [`arn:aws:ec2:us-east-1:111122223333:instance/${id}`],
      detail: { 'instance-id': id, 'instance-action': 'terminate' },
    });
    await clock.advance(119_000);
    expect(ec2.describeInstance(id)?.state).toBe('running');
    await clock.advance(1_000);
    expect(ec2.describeInstance(id)?.state).toBe('shutting-down');
    const shutdown = events.find((e) => e.detail.state === 'shutting-down');
    expect(shutdown?.time).toBe('2026-01-01T00:03:00Z');
    await clock.advance(5_000);
    expect(stateEvents(id)).toEqual(['pending', 'running', 'shutting-down', 'terminated']);
  });

  it('emits rebalance recommendations and AWS Health retirements in their real formats', async () => {
    const ec2 = makeEc2();
    const id = ec2.createFleet(request()).instances[0]?.instanceId as string;
    await clock.advance(60_000);
    const rebalance = ec2.interrupt(id, 'rebalance-recommendation');
    expect(rebalance['detail-type']).toBe('EC2 Instance Rebalance Recommendation');
    expect(rebalance.detail).toEqual({ 'instance-id': id });
    const health = ec2.interrupt(id, 'scheduled-change');
    expect(health).toMatchObject({
      'detail-type': 'AWS Health Event', source: 'aws.health', resources: [id],
      detail: {
        service: 'EC2', eventTypeCategory: 'scheduledChange', eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
        startTime: 'Thu, 01 Jan 2026 01:01:00 GMT', affectedEntities: [{ entityValue: id }],
      },
    });
    expect(health.detail.eventArn).toMatch(/^arn:aws:health:us-east-1::event\/EC2\/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED\//);
    await clock.advance(60 * 60_000 + 5_000);
    expect(ec2.describeInstance(id)?.state).toBe('terminated');
  });

  it('refuses a spot interruption for an on-demand instance', () => {
    const ec2 = makeEc2();
    const id = ec2.createFleet(request({ capacityType: 'on-demand' })).instances[0]?.instanceId as string;
    expect(() => ec2.interrupt(id, 'spot-interruption')).toThrow(/spot instances only/);
  });
});

describe('SimEc2 network lookups', () => {
  it('resolves subnets and security groups by tag, id and name with Karpenter selector semantics', () => {
    const ec2 = makeEc2();
    expect(ec2.resolveSubnets([{ tags: { 'karpenter.sh/discovery': 'demo' } }]).map((s) => s.subnetId)).toEqual(['subnet-a', 'subnet-b']);
    expect(ec2.resolveSubnets([{ tags: { tier: '*' } }]).map((s) => s.subnetId)).toEqual(['subnet-a']);
    expect(ec2.resolveSubnets([{ tags: { 'karpenter.sh/discovery': 'other' } }])).toEqual([]);
    expect(ec2.resolveSubnets([{ id: 'subnet-b' }])).toEqual([{ subnetId: 'subnet-b', zone: 'us-east-1b', availableIpAddressCount: 100 }]);
    expect(ec2.resolveSecurityGroups([{ name: 'eks-cluster-sg-demo' }])).toEqual(['sg-1']);
    expect(ec2.resolveSecurityGroups([{ tags: { missing: '*' } }])).toEqual([]);
  });

  it('resolves AMIs as DescribeImages would: wildcard names within self and Amazon unless an owner is named, tags from any owner', () => {
    const ec2 = makeEc2();
    const ids = (terms: Parameters<SimEc2['resolveImages']>[0]) => ec2.resolveImages(terms).map((i) => i.imageId);
    expect(ids([{ name: 'golden-*' }])).toEqual(['ami-own']);
    expect(ids([{ name: 'golden-2026.0?', owner: '999988887777' }])).toEqual(['ami-shared']);
    expect(ids([{ name: 'amazon-eks-node-al2023-*-1.31-*' }])).toEqual(['ami-amzn']);
    expect(ids([{ tags: { team: 'platform' } }])).toEqual(['ami-own', 'ami-shared']);
    expect(ids([{ tags: { team: 'platform' }, owner: 'self' }])).toEqual(['ami-own']);
    expect(ids([{ id: 'ami-amzn' }, { id: 'ami-none' }])).toEqual(['ami-amzn']);
    expect(ids([{ name: 'golden.2026.01' }])).toEqual([]);
    expect(ec2.resolveImages([{ id: 'ami-own' }])).toEqual([{ imageId: 'ami-own', name: 'golden-2026.01', architecture: 'amd64', creationDate: '2026-01-01T00:00:00.000Z' }]);
  });
});
