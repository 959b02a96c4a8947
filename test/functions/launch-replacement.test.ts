// launch-replacement's choice of AMI when the EC2NodeClass selects images by id, name or tags:
// the newest available image built for the architecture of the plan's best offering, and a clear
// configuration error when none is.
import { describe, expect, it } from 'vitest';
import { launchReplacement } from '../../functions/launch-replacement/handler.ts';
import { ConfigurationNotFoundError } from '../../shared/errors.ts';
import type { Ports } from '../../shared/ports.ts';
import { localContext } from '../../shared/runtime/handler.ts';
import type { LaunchTemplateSpec, MachineImage, SelectorTerm } from '../../shared/types.ts';
import { nodeClass, nodePool } from '../provisioning/fixtures.ts';
import { stubPorts } from './stub-ports.ts';

const TERMS: SelectorTerm[] = [{ tags: { team: 'platform' } }, { name: 'golden-*', owner: 'self' }];
const IMAGES: MachineImage[] = [
  { imageId: 'ami-amd-old', name: 'golden-1', architecture: 'amd64', creationDate: '2026-01-01T00:00:00.000Z' },
  { imageId: 'ami-amd-new', name: 'golden-2', architecture: 'amd64', creationDate: '2026-03-01T00:00:00.000Z' },
  { imageId: 'ami-arm', name: 'golden-arm', architecture: 'arm64', creationDate: '2026-06-01T00:00:00.000Z' },
];

function event(instanceType: string) {
  return {
    notice: { instanceId: 'i-0123456789abcdef0', kind: 'spot-interruption', deadline: '2026-11-28T10:02:00Z', time: '2026-11-28T10:00:00Z', eventId: 'e-1', region: 'us-east-1' },
    node: { name: 'ip-10-0-1-1.ec2.internal', nodePool: 'default' },
    plan: {
      nodePool: 'default', nodeClass: 'default', capacityType: 'on-demand',
      offerings: [{ instanceType, zone: 'us-east-1a', capacityType: 'on-demand', price: 0.1 }],
      subnets: [{ subnetId: 'subnet-a', zone: 'us-east-1a', availableIpAddressCount: 100 }],
    },
    attempt: 1,
  };
}

/** Ports without SSM: an alias lookup would fail the test loudly (stubPorts). */
function ports(images: MachineImage[], asked: SelectorTerm[][], templates: LaunchTemplateSpec[]): Ports {
  return stubPorts({
    nodeConfig: { nodePool: async () => nodePool([]), nodeClass: async () => nodeClass({ amiFamily: 'AL2023', amiSelectorTerms: TERMS }), nodePools: async () => [] },
    clusterInfo: { describeCluster: async () => ({ name: 'demo', endpoint: 'https://example.eks.amazonaws.com', certificateAuthority: 'Q0E=', kubernetesVersion: '1.33', serviceIpv4Cidr: '172.20.0.0/16' }) },
    compute: {
      findInstancesByTag: async () => [],
      resolveImages: async (terms: SelectorTerm[]) => {
        asked.push(terms);
        return images;
      },
      resolveSecurityGroups: async () => ['sg-1'],
      ensureLaunchTemplate: async (spec: LaunchTemplateSpec) => {
        templates.push(spec);
        return spec.name;
      },
      createFleet: async () => ({
        instances: [{ instanceId: 'i-new', instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'on-demand', state: 'pending', launchTime: '2026-11-28T10:00:05Z', tags: {} }],
        errors: [],
      }),
    } as unknown as Ports['compute'],
  });
}

describe('launch-replacement: AMIs selected by terms', () => {
  it.each([
    { instanceType: 'm5.large', expected: 'ami-amd-new', why: 'an amd64 node boots the newest amd64 image' },
    { instanceType: 'm6g.large', expected: 'ami-arm', why: 'an arm64 node boots the arm64 image, though older amd64 ones match too' },
  ])('$why', async ({ instanceType, expected }) => {
    const asked: SelectorTerm[][] = [];
    const templates: LaunchTemplateSpec[] = [];
    await launchReplacement(ports(IMAGES, asked, templates))(event(instanceType), localContext('launch-replacement', 'test'));
    expect(asked).toEqual([TERMS]);
    expect(templates.map((t) => t.imageId)).toEqual([expected]);
  });

  it('fails with a configuration error naming the terms and the architecture when no matching image is built for it', async () => {
    const amd64Only = IMAGES.filter((image) => image.architecture === 'amd64');
    const launch = (images: MachineImage[], instanceType: string) =>
      launchReplacement(ports(images, [], []))(event(instanceType), localContext('launch-replacement', 'test'));
    await expect(launch(amd64Only, 'm6g.large')).rejects.toThrow(ConfigurationNotFoundError);
    await expect(launch(amd64Only, 'm6g.large')).rejects.toThrow(
      `EC2NodeClass "default": amiSelectorTerms ${JSON.stringify(TERMS)}: they match 2 image(s), none built for arm64`,
    );
    await expect(launch([], 'm5.large')).rejects.toThrow(
      'no available image matches them',
    );
  });
});
