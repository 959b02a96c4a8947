// ComputePort on EC2 (SDK v3).

import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSpotPriceHistoryCommand,
  DescribeSubnetsCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type Filter,
  type SpotPrice as Ec2SpotPrice,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import type { Clock, ComputePort } from '../ports.ts';
import type { FleetRequest, FleetResult, Instance, LaunchTemplateSpec, MachineImage, SelectorTerm, SpotPrice, Subnet } from '../types.ts';
import { createFleetInput, fleetResult } from './ec2-fleet.ts';
import { LIVE_INSTANCE_STATES, toInstance } from './ec2-instances.ts';
import { createLaunchTemplateInput } from './ec2-launch-template.ts';
import { imageQuery, kubernetesArch, selectorFilters, type SelectorTarget } from './ec2-selectors.ts';
import { latestSpotPrices } from './ec2-spot-prices.ts';
import { callAws, isAwsError, rethrowAwsError } from './errors.ts';

export interface Ec2ComputeSettings {
  /** Stamps launch times on instances CreateFleet returns; the system clock when omitted. */
  clock?: Clock;
  /** Instance types per DescribeSpotPriceHistory call. */
  spotPriceChunkSize?: number;
}

const SYSTEM_CLOCK: Clock = { now: () => new Date() };

export class Ec2Compute implements ComputePort {
  private readonly clock: Clock;
  private readonly spotPriceChunkSize: number;

  constructor(
    private readonly ec2: EC2Client,
    settings: Ec2ComputeSettings = {},
  ) {
    this.clock = settings.clock ?? SYSTEM_CLOCK;
    this.spotPriceChunkSize = settings.spotPriceChunkSize ?? 100;
  }

  async describeInstance(instanceId: string): Promise<Instance | undefined> {
    try {
      const output = await this.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      const described = output.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
      return described ? toInstance(described) : undefined;
    } catch (error) {
      if (isAwsError(error, 'InvalidInstanceID.NotFound')) return undefined;
      rethrowAwsError(error, 'DescribeInstances');
    }
  }

  async findInstancesByTag(key: string, value: string): Promise<Instance[]> {
    const filters: Filter[] = [
      { Name: `tag:${key}`, Values: [value] },
      { Name: 'instance-state-name', Values: [...LIVE_INSTANCE_STATES] },
    ];
    const found: Instance[] = [];
    let nextToken: string | undefined;
    do {
      const output = await callAws('DescribeInstances', () =>
        this.ec2.send(new DescribeInstancesCommand({ Filters: filters, MaxResults: 1000, ...(nextToken ? { NextToken: nextToken } : {}) })),
      );
      for (const reservation of output.Reservations ?? []) {
        for (const described of reservation.Instances ?? []) found.push(toInstance(described));
      }
      nextToken = output.NextToken || undefined;
    } while (nextToken);
    return found;
  }

  async createFleet(request: FleetRequest): Promise<FleetResult> {
    const output = await callAws('CreateFleet', () => this.ec2.send(new CreateFleetCommand(createFleetInput(request))));
    return fleetResult(request, output, this.clock.now());
  }

  async terminateInstance(instanceId: string): Promise<'terminating' | 'already-gone'> {
    try {
      const output = await this.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
      const change = output.TerminatingInstances?.find((c) => c.InstanceId === instanceId);
      if (!change) throw new Error(`TerminateInstances returned no state change for ${instanceId}`);
      const previous = change.PreviousState?.Name;
      return previous === 'shutting-down' || previous === 'terminated' ? 'already-gone' : 'terminating';
    } catch (error) {
      if (isAwsError(error, 'InvalidInstanceID.NotFound')) return 'already-gone';
      rethrowAwsError(error, 'TerminateInstances');
    }
  }

  async describeSpotPrices(instanceTypes: string[]): Promise<SpotPrice[]> {
    const unique = [...new Set(instanceTypes)];
    // StartTime = now asks for the price in force now: EC2 then returns, per type and zone, the
    // latest change at or before that time rather than the whole history.
    const startTime = this.clock.now();
    const history: Ec2SpotPrice[] = [];
    for (let start = 0; start < unique.length; start += this.spotPriceChunkSize) {
      const chunk = unique.slice(start, start + this.spotPriceChunkSize) as _InstanceType[];
      let nextToken: string | undefined;
      do {
        const output = await callAws('DescribeSpotPriceHistory', () =>
          this.ec2.send(
            new DescribeSpotPriceHistoryCommand({
              InstanceTypes: chunk,
              ProductDescriptions: ['Linux/UNIX'],
              StartTime: startTime,
              MaxResults: 1000,
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          ),
        );
        history.push(...(output.SpotPriceHistory ?? []));
        nextToken = output.NextToken || undefined;
      } while (nextToken);
    }
    return latestSpotPrices(history);
  }

  async resolveSubnets(terms: SelectorTerm[]): Promise<Subnet[]> {
    const subnets = new Map<string, Subnet>();
    for (const filters of termFilters(terms, 'subnet')) {
      let nextToken: string | undefined;
      do {
        const output = await callAws('DescribeSubnets', () =>
          this.ec2.send(new DescribeSubnetsCommand({ Filters: filters, MaxResults: 1000, ...(nextToken ? { NextToken: nextToken } : {}) })),
        );
        for (const subnet of output.Subnets ?? []) {
          if (!subnet.SubnetId || subnets.has(subnet.SubnetId)) continue;
          subnets.set(subnet.SubnetId, {
            subnetId: subnet.SubnetId,
            zone: subnet.AvailabilityZone ?? '',
            availableIpAddressCount: subnet.AvailableIpAddressCount ?? 0,
          });
        }
        nextToken = output.NextToken || undefined;
      } while (nextToken);
    }
    return [...subnets.values()];
  }

  async resolveSecurityGroups(terms: SelectorTerm[]): Promise<string[]> {
    const groupIds = new Set<string>();
    for (const filters of termFilters(terms, 'security-group')) {
      let nextToken: string | undefined;
      do {
        const output = await callAws('DescribeSecurityGroups', () =>
          this.ec2.send(new DescribeSecurityGroupsCommand({ Filters: filters, MaxResults: 1000, ...(nextToken ? { NextToken: nextToken } : {}) })),
        );
        for (const group of output.SecurityGroups ?? []) {
          if (group.GroupId) groupIds.add(group.GroupId);
        }
        nextToken = output.NextToken || undefined;
      } while (nextToken);
    }
    return [...groupIds];
  }

  async resolveImages(terms: SelectorTerm[]): Promise<MachineImage[]> {
    const images = new Map<string, MachineImage>();
    for (const query of terms.map(imageQuery)) {
      if (!query) continue;
      let nextToken: string | undefined;
      do {
        const output = await callAws('DescribeImages', () =>
          this.ec2.send(new DescribeImagesCommand({ ...query, MaxResults: 1000, ...(nextToken ? { NextToken: nextToken } : {}) })),
        );
        for (const image of output.Images ?? []) {
          if (!image.ImageId || images.has(image.ImageId)) continue;
          images.set(image.ImageId, {
            imageId: image.ImageId,
            name: image.Name ?? '',
            architecture: kubernetesArch(image.Architecture),
            creationDate: image.CreationDate ?? '',
          });
        }
        nextToken = output.NextToken || undefined;
      } while (nextToken);
    }
    return [...images.values()];
  }

  async ensureLaunchTemplate(spec: LaunchTemplateSpec): Promise<string> {
    try {
      await this.ec2.send(new CreateLaunchTemplateCommand(createLaunchTemplateInput(spec)));
    } catch (error) {
      // The name is derived from the spec, so an existing template of that name has this content.
      if (!isAwsError(error, 'InvalidLaunchTemplateName.AlreadyExistsException')) rethrowAwsError(error, 'CreateLaunchTemplate');
    }
    return spec.name;
  }
}

function termFilters(terms: SelectorTerm[], target: SelectorTarget): Filter[][] {
  return terms.map((term) => selectorFilters(term, target)).filter((filters): filters is Filter[] => filters !== undefined);
}
