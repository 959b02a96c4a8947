import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSpotPriceHistoryCommand,
  DescribeSubnetsCommand,
  EC2Client,
  EC2ServiceException,
  TerminateInstancesCommand,
  type Instance as Ec2Instance,
} from '@aws-sdk/client-ec2';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2Compute } from '../../shared/aws/ec2-compute.ts';
import { InvalidInputError, TransientError } from '../../shared/errors.ts';
import type { FleetRequest, LaunchTemplateSpec } from '../../shared/types.ts';
import { TEST_CLIENT_CONFIG, awsError } from './helpers.ts';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const clock = { now: () => NOW };

let client: EC2Client;
let ec2: AwsClientStub<EC2Client>;
let compute: Ec2Compute;

beforeEach(() => {
  client = new EC2Client(TEST_CLIENT_CONFIG);
  ec2 = mockClient(client);
  compute = new Ec2Compute(client, { clock, spotPriceChunkSize: 2 });
});

const ec2Error = (name: string, message = name, status = 400) => awsError(EC2ServiceException, name, message, { status });

describe('describeInstance', () => {
  it('maps a spot instance with its zone, state, tags and launch time', async () => {
    ec2.on(DescribeInstancesCommand, { InstanceIds: ['i-0abc'] }).resolves({
      Reservations: [{
        Instances: [{
          InstanceId: 'i-0abc', InstanceType: 'm5.large', InstanceLifecycle: 'spot',
          Placement: { AvailabilityZone: 'us-east-1b' }, State: { Name: 'running', Code: 16 },
          LaunchTime: new Date('2025-02-28T10:00:00Z'), PrivateDnsName: 'ip-10-0-1-5.ec2.internal',
          Tags: [{ Key: 'karpenter.sh/nodepool', Value: 'general-purpose' }, { Key: 'Name', Value: 'n1' }],
        }],
      }],
    });
    expect(await compute.describeInstance('i-0abc')).toEqual({
      instanceId: 'i-0abc', instanceType: 'm5.large', zone: 'us-east-1b', capacityType: 'spot', state: 'running',
      launchTime: '2025-02-28T10:00:00.000Z', privateDnsName: 'ip-10-0-1-5.ec2.internal',
      tags: { 'karpenter.sh/nodepool': 'general-purpose', Name: 'n1' },
    });
  });

  it('reports an instance without InstanceLifecycle as on-demand', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-1', InstanceType: 'c6g.xlarge', Placement: { AvailabilityZone: 'us-east-1a' }, State: { Name: 'stopped' }, LaunchTime: NOW }] }],
    });
    const instance = await compute.describeInstance('i-1');
    expect(instance?.capacityType).toBe('on-demand');
    expect(instance?.state).toBe('stopped');
    expect(instance?.privateDnsName).toBeUndefined();
  });

  it('returns undefined when EC2 does not know the id', async () => {
    ec2.on(DescribeInstancesCommand).rejects(ec2Error('InvalidInstanceID.NotFound', "The instance ID 'i-gone' does not exist"));
    expect(await compute.describeInstance('i-gone')).toBeUndefined();
  });

  it('returns undefined when the answer is empty', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    expect(await compute.describeInstance('i-gone')).toBeUndefined();
  });

  it('turns throttling into TransientError and lets a permission error through unchanged', async () => {
    ec2.on(DescribeInstancesCommand).rejectsOnce(ec2Error('RequestLimitExceeded', 'Request limit exceeded.', 503));
    const throttled = await compute.describeInstance('i-1').catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(TransientError);
    expect((throttled as TransientError).cause).toMatchObject({ name: 'RequestLimitExceeded' });

    const denied = ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.', 403);
    ec2.on(DescribeInstancesCommand).rejects(denied);
    await expect(compute.describeInstance('i-1')).rejects.toBe(denied);
  });
});

describe('findInstancesByTag', () => {
  it('filters on the tag and the live states and follows every page', async () => {
    const instance = (id: string): Ec2Instance => ({ InstanceId: id, InstanceType: 'm5.large', Placement: { AvailabilityZone: 'us-east-1a' }, State: { Name: 'pending' as const }, LaunchTime: NOW, Tags: [{ Key: 'nodewright.io/replaces', Value: 'i-old' }] });
    ec2.on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: [instance('i-1')] }], NextToken: 'page-2' })
      .resolvesOnce({ Reservations: [{ Instances: [instance('i-2')] }, { Instances: [instance('i-3')] }] });

    const found = await compute.findInstancesByTag('nodewright.io/replaces', 'i-old');

    expect(found.map((i) => i.instanceId)).toEqual(['i-1', 'i-2', 'i-3']);
    const calls = ec2.commandCalls(DescribeInstancesCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.args[0].input).toEqual({
      Filters: [
        { Name: 'tag:nodewright.io/replaces', Values: ['i-old'] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
      MaxResults: 1000,
    });
    expect(calls[1]!.args[0].input.NextToken).toBe('page-2');
  });

  it('is empty when nothing carries the tag', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    expect(await compute.findInstancesByTag('k', 'v')).toEqual([]);
  });
});

describe('createFleet', () => {
  const request: FleetRequest = {
    clientToken: 'replace-i-old-1740830400',
    capacityType: 'spot',
    allocationStrategy: 'price-capacity-optimized',
    launchTemplateName: 'nodewright-default-3f2a',
    overrides: [
      { instanceType: 'm5.large', subnetId: 'subnet-a', zone: 'us-east-1a', priority: 1 },
      { instanceType: 'm6i.large', subnetId: 'subnet-b', zone: 'us-east-1b' },
    ],
    tags: { 'nodewright.io/replaces': 'i-old', 'karpenter.sh/nodepool': 'general-purpose' },
  };
  const expectedTags = [
    { Key: 'nodewright.io/replaces', Value: 'i-old' },
    { Key: 'karpenter.sh/nodepool', Value: 'general-purpose' },
  ];

  it('sends an instant fleet for one node with the overrides, token and tags', async () => {
    ec2.on(CreateFleetCommand).resolves({ Instances: [], Errors: [] });
    await compute.createFleet(request);
    expect(ec2.commandCalls(CreateFleetCommand)[0]!.args[0].input).toEqual({
      Type: 'instant',
      ClientToken: 'replace-i-old-1740830400',
      TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: 'spot' },
      SpotOptions: { AllocationStrategy: 'price-capacity-optimized' },
      LaunchTemplateConfigs: [{
        LaunchTemplateSpecification: { LaunchTemplateName: 'nodewright-default-3f2a', Version: '$Latest' },
        Overrides: [
          { InstanceType: 'm5.large', SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a', Priority: 1 },
          { InstanceType: 'm6i.large', SubnetId: 'subnet-b', AvailabilityZone: 'us-east-1b' },
        ],
      }],
      TagSpecifications: [
        { ResourceType: 'instance', Tags: expectedTags },
        { ResourceType: 'volume', Tags: expectedTags },
      ],
    });
  });

  it.each([
    ['spot', 'price-capacity-optimized', { SpotOptions: { AllocationStrategy: 'price-capacity-optimized' } }],
    ['spot', 'lowest-price', { SpotOptions: { AllocationStrategy: 'lowest-price' } }],
    ['spot', 'capacity-optimized-prioritized', { SpotOptions: { AllocationStrategy: 'capacity-optimized-prioritized' } }],
    ['spot', 'prioritized', { SpotOptions: { AllocationStrategy: 'capacity-optimized-prioritized' } }],
    ['on-demand', 'price-capacity-optimized', { OnDemandOptions: { AllocationStrategy: 'lowest-price' } }],
    ['on-demand', 'lowest-price', { OnDemandOptions: { AllocationStrategy: 'lowest-price' } }],
    ['on-demand', 'prioritized', { OnDemandOptions: { AllocationStrategy: 'prioritized' } }],
    ['on-demand', 'capacity-optimized-prioritized', { OnDemandOptions: { AllocationStrategy: 'prioritized' } }],
  ] as const)('%s with %s sends %j', async (capacityType, allocationStrategy, options) => {
    ec2.on(CreateFleetCommand).resolves({});
    await compute.createFleet({ ...request, capacityType, allocationStrategy });
    const input = ec2.commandCalls(CreateFleetCommand)[0]!.args[0].input;
    expect(input.TargetCapacitySpecification?.DefaultTargetCapacityType).toBe(capacityType);
    expect({ SpotOptions: input.SpotOptions, OnDemandOptions: input.OnDemandOptions }).toEqual({
      SpotOptions: undefined, OnDemandOptions: undefined, ...options,
    });
  });

  it('maps launched instances and per-override capacity errors', async () => {
    ec2.on(CreateFleetCommand).resolves({
      FleetId: 'fleet-1',
      Instances: [{
        InstanceIds: ['i-new'], InstanceType: 'm6i.large', Lifecycle: 'spot',
        LaunchTemplateAndOverrides: { Overrides: { InstanceType: 'm6i.large', SubnetId: 'subnet-b', AvailabilityZone: 'us-east-1b' } },
      }],
      Errors: [
        {
          ErrorCode: 'InsufficientInstanceCapacity',
          ErrorMessage: 'We currently do not have sufficient m5.large capacity in the Availability Zone you requested (us-east-1a).',
          Lifecycle: 'spot',
          // EC2 may echo only the subnet: the zone comes from the request's override.
          LaunchTemplateAndOverrides: { Overrides: { InstanceType: 'm5.large', SubnetId: 'subnet-a' } },
        },
      ],
    });
    expect(await compute.createFleet(request)).toEqual({
      instances: [{
        instanceId: 'i-new', instanceType: 'm6i.large', zone: 'us-east-1b', capacityType: 'spot', state: 'pending',
        launchTime: NOW.toISOString(), tags: request.tags,
      }],
      errors: [{
        instanceType: 'm5.large', zone: 'us-east-1a', code: 'InsufficientInstanceCapacity',
        message: 'We currently do not have sufficient m5.large capacity in the Availability Zone you requested (us-east-1a).',
      }],
    });
  });

  it('keeps an error that names no override, such as a missing launch template', async () => {
    ec2.on(CreateFleetCommand).resolves({
      Errors: [{ ErrorCode: 'InvalidLaunchTemplateName.NotFoundException', ErrorMessage: 'The specified launch template does not exist.' }],
    });
    expect(await compute.createFleet(request)).toEqual({
      instances: [],
      errors: [{ code: 'InvalidLaunchTemplateName.NotFoundException', message: 'The specified launch template does not exist.' }],
    });
  });

  it('throws TransientError on a 5xx so the step is retried with the same token', async () => {
    ec2.on(CreateFleetCommand).rejects(ec2Error('InternalError', 'An internal error has occurred', 500));
    await expect(compute.createFleet(request)).rejects.toBeInstanceOf(TransientError);
  });
});

describe('terminateInstance', () => {
  it.each([
    ['running', 'terminating'],
    ['pending', 'terminating'],
    ['stopped', 'terminating'],
    ['shutting-down', 'already-gone'],
    ['terminated', 'already-gone'],
  ] as const)('previous state %s -> %s', async (previous, expected) => {
    ec2.on(TerminateInstancesCommand, { InstanceIds: ['i-1'] }).resolves({
      TerminatingInstances: [{ InstanceId: 'i-1', PreviousState: { Name: previous }, CurrentState: { Name: 'shutting-down' } }],
    });
    expect(await compute.terminateInstance('i-1')).toBe(expected);
  });

  it('is already-gone when EC2 does not know the instance', async () => {
    ec2.on(TerminateInstancesCommand).rejects(ec2Error('InvalidInstanceID.NotFound'));
    expect(await compute.terminateInstance('i-unknown')).toBe('already-gone');
  });

  it('lets a refusal such as termination protection through', async () => {
    ec2.on(TerminateInstancesCommand).rejects(ec2Error('OperationNotPermitted', 'The instance may not be terminated.'));
    await expect(compute.terminateInstance('i-1')).rejects.toMatchObject({ name: 'OperationNotPermitted' });
  });
});

describe('describeSpotPrices', () => {
  it('asks for Linux prices in force now, in chunks, following pages, and keeps the latest per type and zone', async () => {
    ec2.on(DescribeSpotPriceHistoryCommand, { InstanceTypes: ['m5.large', 'c5.large'] })
      .resolvesOnce({
        SpotPriceHistory: [
          { InstanceType: 'm5.large', AvailabilityZone: 'us-east-1a', SpotPrice: '0.0400', Timestamp: new Date('2025-03-01T09:00:00Z') },
          { InstanceType: 'm5.large', AvailabilityZone: 'us-east-1a', SpotPrice: '0.0350', Timestamp: new Date('2025-03-01T11:00:00Z') },
        ],
        NextToken: 'more',
      })
      .resolvesOnce({
        SpotPriceHistory: [
          { InstanceType: 'c5.large', AvailabilityZone: 'us-east-1b', SpotPrice: '0.0310', Timestamp: new Date('2025-03-01T10:00:00Z') },
        ],
        NextToken: '',
      });
    ec2.on(DescribeSpotPriceHistoryCommand, { InstanceTypes: ['r5.large'] }).resolves({
      SpotPriceHistory: [{ InstanceType: 'r5.large', AvailabilityZone: 'us-east-1a', SpotPrice: 'n/a', Timestamp: NOW }],
    });

    const prices = await compute.describeSpotPrices(['m5.large', 'c5.large', 'r5.large', 'm5.large']);

    expect(prices).toEqual([
      { instanceType: 'm5.large', zone: 'us-east-1a', price: 0.035, timestamp: '2025-03-01T11:00:00.000Z' },
      { instanceType: 'c5.large', zone: 'us-east-1b', price: 0.031, timestamp: '2025-03-01T10:00:00.000Z' },
    ]);
    const inputs = ec2.commandCalls(DescribeSpotPriceHistoryCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { InstanceTypes: ['m5.large', 'c5.large'], ProductDescriptions: ['Linux/UNIX'], StartTime: NOW, MaxResults: 1000 },
      { InstanceTypes: ['m5.large', 'c5.large'], ProductDescriptions: ['Linux/UNIX'], StartTime: NOW, MaxResults: 1000, NextToken: 'more' },
      { InstanceTypes: ['r5.large'], ProductDescriptions: ['Linux/UNIX'], StartTime: NOW, MaxResults: 1000 },
    ]);
  });

  it('makes no call for an empty list', async () => {
    expect(await compute.describeSpotPrices([])).toEqual([]);
    expect(ec2.calls()).toHaveLength(0);
  });
});

describe('resolveSubnets', () => {
  it('sends one filtered call per term and unites the answers without duplicates', async () => {
    ec2.on(DescribeSubnetsCommand, { Filters: [{ Name: 'subnet-id', Values: ['subnet-a'] }] }).resolves({
      Subnets: [{ SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a', AvailableIpAddressCount: 250 }],
    });
    ec2.on(DescribeSubnetsCommand, {
      Filters: [{ Name: 'tag:karpenter.sh/discovery', Values: ['my-cluster'] }, { Name: 'tag-key', Values: ['kubernetes.io/role/internal-elb'] }],
    }).resolves({
      Subnets: [
        { SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a', AvailableIpAddressCount: 250 },
        { SubnetId: 'subnet-b', AvailabilityZone: 'us-east-1b', AvailableIpAddressCount: 12 },
      ],
    });

    const subnets = await compute.resolveSubnets([
      { id: 'subnet-a' },
      { tags: { 'karpenter.sh/discovery': 'my-cluster', 'kubernetes.io/role/internal-elb': '*' } },
    ]);

    expect(subnets).toEqual([
      { subnetId: 'subnet-a', zone: 'us-east-1a', availableIpAddressCount: 250 },
      { subnetId: 'subnet-b', zone: 'us-east-1b', availableIpAddressCount: 12 },
    ]);
    expect(ec2.commandCalls(DescribeSubnetsCommand)).toHaveLength(2);
  });

  it('never sends a term without selectors, which EC2 would answer with every subnet', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-everything', AvailabilityZone: 'us-east-1a' }] });
    expect(await compute.resolveSubnets([{}, { tags: {} }, { name: 'private' }])).toEqual([]);
    expect(ec2.commandCalls(DescribeSubnetsCommand)).toHaveLength(0);
  });

  it('follows pages', async () => {
    ec2.on(DescribeSubnetsCommand)
      .resolvesOnce({ Subnets: [{ SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a', AvailableIpAddressCount: 1 }], NextToken: 't' })
      .resolvesOnce({ Subnets: [{ SubnetId: 'subnet-c', AvailabilityZone: 'us-east-1c', AvailableIpAddressCount: 2 }] });
    expect((await compute.resolveSubnets([{ tags: { tier: 'private' } }])).map((s) => s.subnetId)).toEqual(['subnet-a', 'subnet-c']);
    expect(ec2.commandCalls(DescribeSubnetsCommand)[1]!.args[0].input.NextToken).toBe('t');
  });
});

describe('resolveImages', () => {
  const AVAILABLE = { Name: 'state', Values: ['available'] };

  it('queries each term once (id; name within self and Amazon; tags within the named owner), pages, and returns each image once with its arch', async () => {
    ec2.on(DescribeImagesCommand, { Filters: [{ Name: 'image-id', Values: ['ami-1'] }, AVAILABLE], MaxResults: 1000 })
      .resolves({ Images: [{ ImageId: 'ami-1', Name: 'custom-1', Architecture: 'arm64', CreationDate: '2026-01-01T00:00:00.000Z' }] });
    ec2.on(DescribeImagesCommand, { Filters: [{ Name: 'name', Values: ['eks-node-*'] }, AVAILABLE], Owners: ['self', 'amazon'], MaxResults: 1000 })
      .resolvesOnce({ Images: [{ ImageId: 'ami-2', Name: 'eks-node-a', Architecture: 'x86_64', CreationDate: '2026-02-01T00:00:00.000Z' }], NextToken: 'page-2' })
      .resolves({ Images: [{ ImageId: 'ami-1', Name: 'custom-1', Architecture: 'arm64', CreationDate: '2026-01-01T00:00:00.000Z' }] });
    ec2.on(DescribeImagesCommand, { Filters: [{ Name: 'tag:team', Values: ['platform'] }, { Name: 'tag-key', Values: ['golden'] }, AVAILABLE], Owners: ['123456789012'] })
      .resolves({ Images: [{ ImageId: 'ami-3', Name: 'golden', Architecture: 'x86_64', CreationDate: '2026-03-01T00:00:00.000Z' }] });

    const images = await compute.resolveImages([
      { id: 'ami-1' }, { name: 'eks-node-*' }, { tags: { team: 'platform', golden: '*' }, owner: '123456789012' }, { alias: 'al2023@latest' },
    ]);

    expect(images).toEqual([
      { imageId: 'ami-1', name: 'custom-1', architecture: 'arm64', creationDate: '2026-01-01T00:00:00.000Z' },
      { imageId: 'ami-2', name: 'eks-node-a', architecture: 'amd64', creationDate: '2026-02-01T00:00:00.000Z' },
      { imageId: 'ami-3', name: 'golden', architecture: 'amd64', creationDate: '2026-03-01T00:00:00.000Z' },
    ]);
    // The alias term is SSM's business: three queries, the name query's two pages, four calls.
    expect(ec2.commandCalls(DescribeImagesCommand)).toHaveLength(4);
    expect(ec2.commandCalls(DescribeImagesCommand)[2]!.args[0].input).toMatchObject({ NextToken: 'page-2' });
  });

  it('is empty when no image matches', async () => {
    ec2.on(DescribeImagesCommand).resolves({ Images: [] });
    expect(await compute.resolveImages([{ tags: { team: 'nobody' } }])).toEqual([]);
  });
});

describe('resolveSecurityGroups', () => {
  it('selects by id, by name with tags together, and by tag; ids deduplicated', async () => {
    ec2.on(DescribeSecurityGroupsCommand, { Filters: [{ Name: 'group-id', Values: ['sg-1'] }] }).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
    ec2.on(DescribeSecurityGroupsCommand, {
      Filters: [{ Name: 'group-name', Values: ['eks-cluster-sg-my-cluster'] }, { Name: 'tag:team', Values: ['platform'] }],
    }).resolves({ SecurityGroups: [{ GroupId: 'sg-2' }, { GroupId: 'sg-1' }] });

    const ids = await compute.resolveSecurityGroups([{ id: 'sg-1' }, { name: 'eks-cluster-sg-my-cluster', tags: { team: 'platform' } }]);

    expect(ids).toEqual(['sg-1', 'sg-2']);
  });

  it('is empty when no group matches', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    expect(await compute.resolveSecurityGroups([{ tags: { 'karpenter.sh/discovery': 'nobody' } }])).toEqual([]);
  });
});

describe('ensureLaunchTemplate', () => {
  const spec: LaunchTemplateSpec = {
    name: 'nodewright-default-3f2a',
    imageId: 'ami-0123456789abcdef0',
    securityGroupIds: ['sg-1', 'sg-2'],
    instanceProfile: 'KarpenterNodeInstanceProfile',
    userData: '[settings.kubernetes]\ncluster-name = "my-cluster"\n',
    blockDeviceMappings: [
      { deviceName: '/dev/xvda', ebs: { volumeSize: '20Gi', volumeType: 'gp3', encrypted: true, deleteOnTermination: true } },
      { deviceName: '/dev/xvdb', ebs: { volumeSize: '1Ti', iops: 3000, throughput: 125, kmsKeyID: 'arn:aws:kms:us-east-1:111122223333:key/k' } },
    ],
    metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
    tags: { 'karpenter.k8s.aws/ec2nodeclass': 'default' },
  };

  it('creates the template from the spec and returns its name', async () => {
    ec2.on(CreateLaunchTemplateCommand).resolves({ LaunchTemplate: { LaunchTemplateName: spec.name } });
    expect(await compute.ensureLaunchTemplate(spec)).toBe(spec.name);
    const tags = [{ Key: 'karpenter.k8s.aws/ec2nodeclass', Value: 'default' }];
    expect(ec2.commandCalls(CreateLaunchTemplateCommand)[0]!.args[0].input).toEqual({
      LaunchTemplateName: 'nodewright-default-3f2a',
      LaunchTemplateData: {
        ImageId: 'ami-0123456789abcdef0',
        SecurityGroupIds: ['sg-1', 'sg-2'],
        IamInstanceProfile: { Name: 'KarpenterNodeInstanceProfile' },
        UserData: Buffer.from(spec.userData).toString('base64'),
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true } },
          { DeviceName: '/dev/xvdb', Ebs: { VolumeSize: 1024, Iops: 3000, Throughput: 125, KmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/k' } },
        ],
        MetadataOptions: { HttpEndpoint: 'enabled', HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        TagSpecifications: [{ ResourceType: 'instance', Tags: tags }, { ResourceType: 'volume', Tags: tags }],
      },
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: tags }],
    });
  });

  it('treats an existing template of that name as done', async () => {
    ec2.on(CreateLaunchTemplateCommand).rejects(
      ec2Error('InvalidLaunchTemplateName.AlreadyExistsException', 'Launch template name already in use.'),
    );
    expect(await compute.ensureLaunchTemplate(spec)).toBe(spec.name);
  });

  it.each([
    ['20Gi', 20],
    ['100G', 94],
    ['1.5Ti', 1536],
    ['4096Mi', 4],
    ['4097Mi', 5],
  ])('volume size %s is %i GiB', async (volumeSize, gib) => {
    ec2.on(CreateLaunchTemplateCommand).resolves({});
    await compute.ensureLaunchTemplate({ ...spec, blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize } }] });
    expect(ec2.commandCalls(CreateLaunchTemplateCommand)[0]!.args[0].input.LaunchTemplateData?.BlockDeviceMappings?.[0]?.Ebs?.VolumeSize).toBe(gib);
  });

  const sentData = () => ec2.commandCalls(CreateLaunchTemplateCommand)[0]!.args[0].input.LaunchTemplateData!;

  it('restores a volume from its snapshot, with no size when the class gives none', async () => {
    ec2.on(CreateLaunchTemplateCommand).resolves({});
    await compute.ensureLaunchTemplate({
      ...spec,
      blockDeviceMappings: [{ deviceName: '/dev/xvdb', ebs: { snapshotID: 'snap-0abc', volumeType: 'gp3', deleteOnTermination: true } }],
    });
    expect(sentData().BlockDeviceMappings).toEqual([
      { DeviceName: '/dev/xvdb', Ebs: { SnapshotId: 'snap-0abc', VolumeType: 'gp3', DeleteOnTermination: true } },
    ]);
  });

  it('turns on detailed monitoring only when the spec asks for it', async () => {
    ec2.on(CreateLaunchTemplateCommand).resolves({});
    await compute.ensureLaunchTemplate({ ...spec, detailedMonitoring: true });
    await compute.ensureLaunchTemplate(spec);
    expect(sentData().Monitoring).toEqual({ Enabled: true });
    expect(ec2.commandCalls(CreateLaunchTemplateCommand)[1]!.args[0].input.LaunchTemplateData).not.toHaveProperty('Monitoring');
  });

  it.each([true, false])(
    'associatePublicIPAddress %s: a primary network interface carries it and the security groups, none at the top level',
    async (associate) => {
      ec2.on(CreateLaunchTemplateCommand).resolves({});
      await compute.ensureLaunchTemplate({ ...spec, associatePublicIPAddress: associate });
      const data = sentData();
      expect(data.NetworkInterfaces).toEqual([{ DeviceIndex: 0, AssociatePublicIpAddress: associate, Groups: ['sg-1', 'sg-2'] }]);
      expect(data).not.toHaveProperty('SecurityGroupIds');
      // The fleet's overrides pick the subnet; a subnet in the interface would pin every launch to one zone.
      expect(data.NetworkInterfaces![0]).not.toHaveProperty('SubnetId');
    },
  );

  it('keeps security groups at the top level and adds no interface when the class leaves the public IP to the subnet', async () => {
    ec2.on(CreateLaunchTemplateCommand).resolves({});
    await compute.ensureLaunchTemplate(spec);
    expect(sentData().SecurityGroupIds).toEqual(['sg-1', 'sg-2']);
    expect(sentData()).not.toHaveProperty('NetworkInterfaces');
  });

  it('refuses a volume size that is not a quantity, naming the field, before calling EC2', async () => {
    const bad = { ...spec, blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: 'twenty gigs' } }] };
    const error = await compute.ensureLaunchTemplate(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toContain('blockDeviceMappings[0].ebs.volumeSize "twenty gigs"');
    expect(ec2.calls()).toHaveLength(0);
  });
});
