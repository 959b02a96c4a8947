import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors.ts';
import { buildFleetRequest, capacityErrorOfferings, type ReplacementPlan } from '../../shared/provisioning/index.ts';
import type { FleetRequest, Subnet } from '../../shared/types.ts';

const subnets: Subnet[] = [
  { subnetId: 'subnet-a1', zone: 'us-east-1a', availableIpAddressCount: 40 },
  { subnetId: 'subnet-a2', zone: 'us-east-1a', availableIpAddressCount: 250 },
  { subnetId: 'subnet-b1', zone: 'us-east-1b', availableIpAddressCount: 12 },
  { subnetId: 'subnet-b0', zone: 'us-east-1b', availableIpAddressCount: 12 },
];

const spotPlan: ReplacementPlan = {
  capacityType: 'spot',
  offerings: [
    { instanceType: 'c5.large', zone: 'us-east-1b', capacityType: 'spot', price: 0.02 },
    { instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'spot', price: 0.03 },
    { instanceType: 'm5.large', zone: 'us-east-1c', capacityType: 'spot', price: 0.031 },
    { instanceType: 'r5.large', zone: 'us-east-1a', capacityType: 'spot', price: 0.04 },
  ],
  excluded: [],
};

const launch = { launchTemplateName: 'nodewright-default-abc123', subnets, tags: { 'karpenter.sh/nodepool': 'default' }, clientToken: 'replace-i-0123-1' };

describe('buildFleetRequest', () => {
  it('builds one override per offering, in rank order, on the roomiest subnet of its zone', () => {
    expect(buildFleetRequest(spotPlan, launch)).toEqual({
      clientToken: 'replace-i-0123-1',
      capacityType: 'spot',
      allocationStrategy: 'price-capacity-optimized',
      launchTemplateName: 'nodewright-default-abc123',
      overrides: [
        // b1 and b0 tie on free IPs: the lower id wins, so retries build the same request
        { instanceType: 'c5.large', subnetId: 'subnet-b0', zone: 'us-east-1b', priority: 0 },
        { instanceType: 'm5.large', subnetId: 'subnet-a2', zone: 'us-east-1a', priority: 1 },
        // us-east-1c has no subnet: left out
        { instanceType: 'r5.large', subnetId: 'subnet-a2', zone: 'us-east-1a', priority: 2 },
      ],
      tags: { 'karpenter.sh/nodepool': 'default' },
    });
  });

  it('asks for the lowest price on-demand', () => {
    const plan: ReplacementPlan = { ...spotPlan, capacityType: 'on-demand', offerings: spotPlan.offerings.map((o) => ({ ...o, capacityType: 'on-demand' })) };
    const request = buildFleetRequest(plan, launch);
    expect(request.capacityType).toBe('on-demand');
    expect(request.allocationStrategy).toBe('lowest-price');
  });

  it('refuses when no subnet serves any planned zone, or a required field is empty', () => {
    expect(() => buildFleetRequest(spotPlan, { ...launch, subnets: [] })).toThrow(InvalidInputError);
    expect(() => buildFleetRequest(spotPlan, { ...launch, subnets: [] })).toThrow(/subnets: none in the plan's zones \(us-east-1b, us-east-1a, us-east-1c\)/);
    expect(() => buildFleetRequest(spotPlan, { ...launch, clientToken: '' })).toThrow(/clientToken/);
    expect(() => buildFleetRequest(spotPlan, { ...launch, launchTemplateName: '' })).toThrow(/launchTemplateName/);
  });
});

describe('capacityErrorOfferings', () => {
  const request: FleetRequest = buildFleetRequest(spotPlan, launch);
  const offering = (instanceType: string, zone: string) => ({ instanceType, zone, capacityType: 'spot' });

  it('marks the (type, zone) a capacity error names', () => {
    const result = { instances: [], errors: [{ instanceType: 'm5.large', zone: 'us-east-1a', code: 'InsufficientInstanceCapacity', message: '' }] };
    expect(capacityErrorOfferings(result, request)).toEqual([offering('m5.large', 'us-east-1a')]);
  });

  it('marks every zone of a type when the error names only the type', () => {
    const result = { instances: [], errors: [{ instanceType: 'c5.large', code: 'MaxSpotInstanceCountExceeded', message: '' }] };
    expect(capacityErrorOfferings(result, request)).toEqual([offering('c5.large', 'us-east-1b')]);
  });

  it('marks every override when the error names neither type nor zone', () => {
    const result = { instances: [], errors: [{ code: 'UnfulfillableCapacity', message: '' }] };
    expect(capacityErrorOfferings(result, request)).toEqual([
      offering('c5.large', 'us-east-1b'), offering('m5.large', 'us-east-1a'), offering('r5.large', 'us-east-1a'),
    ]);
  });

  it('ignores errors that are not about capacity and counts each offering once', () => {
    const result = {
      instances: [],
      errors: [
        { code: 'InvalidLaunchTemplateName.NotFoundException', message: '' },
        { instanceType: 'r5.large', zone: 'us-east-1a', code: 'InsufficientInstanceCapacity', message: '' },
        { instanceType: 'r5.large', zone: 'us-east-1a', code: 'InsufficientInstanceCapacity', message: 'again' },
      ],
    };
    expect(capacityErrorOfferings(result, request)).toEqual([offering('r5.large', 'us-east-1a')]);
  });
});
