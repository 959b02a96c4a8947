// `nodewright capacity --live`: prices from AWS reach the plan, the region comes from --region or
// the AWS configuration, and any failure to read them is one line and exit status 2. No call
// leaves the process: the price source is a fake, or the real one over mocked SDK clients.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSpotPriceHistoryCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetProductsCommand, PricingClient, PricingServiceException } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { capacityCommand, type CapacityInputs } from '../../cli/commands/capacity.ts';
import { awsLivePricing, type LivePricingSource } from '../../cli/live-prices.ts';
import type { PricingPort } from '../../shared/ports.ts';
import { onDemandPrice, type CapacityPlan } from '../../shared/provisioning/index.ts';
import type { SpotPrice } from '../../shared/types.ts';
import { awsError } from '../aws/helpers.ts';

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'nodewright-capacity-live-')), name);
  writeFileSync(path, text);
  return path;
}

/** One on-demand pool of two types: the snapshot has c6i.large at $0.085 and m5.large at $0.096. */
const POOL = file('pool.yaml', `apiVersion: karpenter.sh/v1
kind: NodePool
metadata: { name: two-types }
spec:
  template:
    spec:
      nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default }
      requirements:
        - { key: karpenter.sh/capacity-type, operator: In, values: [on-demand] }
        - { key: node.kubernetes.io/instance-type, operator: In, values: [m5.large, c6i.large] }
---
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: { name: default }
spec:
  role: KarpenterNodeRole-demo
  amiSelectorTerms: [{ alias: al2023@latest }]
  subnetSelectorTerms: [{ tags: { karpenter.sh/discovery: demo } }]
  securityGroupSelectorTerms: [{ tags: { karpenter.sh/discovery: demo } }]
`);
/** The same two types, spot allowed too. */
const SPOT_POOL = file('spot-pool.yaml', readFileSync(POOL, 'utf8').replace('values: [on-demand]', 'values: [spot, on-demand]'));
const POD = file('pod.yaml', `apiVersion: v1
kind: Pod
metadata: { name: web }
spec:
  nodeSelector: { karpenter.sh/nodepool: two-types }
  containers: [{ name: web, resources: { requests: { cpu: 500m, memory: 1Gi } } }]
`);

interface JsonOutput {
  inputs: CapacityInputs;
  plan: CapacityPlan;
}

/** A price source answering from a fixed book; records what it was asked. */
function fakeSource(book: { onDemand?: Record<string, number>; spot?: SpotPrice[]; fail?: Error; region?: string }) {
  const asked = { regions: [] as string[], spotTypes: [] as string[][] };
  const source: LivePricingSource = {
    defaultRegion: async () => book.region,
    pricing(region) {
      asked.regions.push(region);
      const port: PricingPort = {
        refreshOnDemand: async () => {
          if (book.fail) throw book.fail;
        },
        onDemandPrice: (r, type) => book.onDemand?.[type] ?? onDemandPrice(r, type),
        spotPrices: async (types) => {
          asked.spotTypes.push(types);
          return (book.spot ?? []).filter((p) => types.includes(p.instanceType));
        },
      };
      return port;
    },
  };
  return { source, asked };
}

async function run(args: string[], source?: LivePricingSource) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), now: () => new Date('2026-11-28T10:00:00Z') };
  const status = await capacityCommand(args, io, source);
  return { status, out: stdout, err: stderr };
}

const firstOffering = (out: string) => (JSON.parse(out) as JsonOutput).plan.nodes[0]!.offerings[0];

describe('nodewright capacity --live', () => {
  it('plans with the prices AWS gives: m5.large at a live $0.05 beats c6i.large, which wins offline', async () => {
    const offline = await run(['--nodepool', POOL, '--pods', POD, '--json']);
    expect(firstOffering(offline.out)).toMatchObject({ instanceType: 'c6i.large', price: 0.085 });

    const { source, asked } = fakeSource({ onDemand: { 'm5.large': 0.05 } });
    const { status, out, err } = await run(['--nodepool', POOL, '--pods', POD, '--region', 'us-east-1', '--live', '--json'], source);
    expect(err).toBe('');
    expect(status).toBe(0);
    expect(firstOffering(out)).toMatchObject({ instanceType: 'm5.large', price: 0.05 });
    const { inputs } = JSON.parse(out) as JsonOutput;
    expect(inputs.prices).toEqual({ onDemand: 'live', spot: 'live', region: 'us-east-1', readAt: '2026-11-28T10:00:00.000Z' });
    expect(asked.regions).toEqual(['us-east-1']);
    // No pool here may launch spot (the built-in ones are on-demand too): no spot type to price.
    expect(asked.spotTypes).toEqual([[]]);
  });

  it('asks for the spot prices of every type a pool could launch as spot, and plans with them', async () => {
    const spot = [
      { instanceType: 'm5.large', zone: 'us-east-1a', price: 0.031, timestamp: '2026-11-28T09:00:00Z' },
      { instanceType: 'c6i.large', zone: 'us-east-1b', price: 0.029, timestamp: '2026-11-28T09:00:00Z' },
    ];
    const { source, asked } = fakeSource({ spot });
    const { status, out } = await run(['--nodepool', SPOT_POOL, '--pods', POD, '--region', 'us-east-1', '--live', '--json'], source);
    expect(status).toBe(0);
    expect([...asked.spotTypes[0]!].sort()).toEqual(['c6i.large', 'm5.large']);
    const node = (JSON.parse(out) as JsonOutput).plan.nodes[0]!;
    expect(node.capacityType).toBe('spot');
    expect(node.offerings.map((o) => [o.instanceType, o.zone, o.price])).toEqual([['c6i.large', 'us-east-1b', 0.029], ['m5.large', 'us-east-1a', 0.031]]);
  });

  it('says in the report that the prices are live', async () => {
    const { out } = await run(['--nodepool', POOL, '--pods', POD, '--live'], fakeSource({ region: 'us-east-1' }).source);
    expect(out).toMatch(/^prices: live from AWS at 2026-11-28T10:00:00.000Z: on-demand from the Price List API/m);
    expect(out).not.toMatch(/simulated/);
  });

  it('takes the region of the AWS configuration unless --region is given', async () => {
    const configured = fakeSource({ region: 'eu-west-1' });
    const { out } = await run(['--nodepool', POOL, '--pods', POD, '--live', '--json'], configured.source);
    expect((JSON.parse(out) as JsonOutput).inputs.region).toBe('eu-west-1');
    expect(configured.asked.regions).toEqual(['eu-west-1']);

    const given = fakeSource({ region: 'eu-west-1' });
    await run(['--nodepool', POOL, '--pods', POD, '--live', '--region', 'us-west-2', '--json'], given.source);
    expect(given.asked.regions).toEqual(['us-west-2']);

    const unconfigured = fakeSource({});
    await run(['--nodepool', POOL, '--pods', POD, '--live', '--json'], unconfigured.source);
    expect(unconfigured.asked.regions).toEqual(['us-east-1']);
  });

  it('names a configured region the catalog does not know, and where it came from', async () => {
    const { status, err } = await run(['--pods', POD, '--live'], fakeSource({ region: 'mars-1' }).source);
    expect(status).toBe(2);
    expect(err).toMatch(/^nodewright capacity: --region: "mars-1" \(from your AWS configuration\) is not in the instance catalog/);
  });

  it('without credentials: one line saying what to do, exit 2, no plan and no stack trace', async () => {
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const { status, out, err } = await run(['--nodepool', POOL, '--pods', POD, '--live'], fakeSource({ region: 'us-east-1', fail: noCredentials }).source);
    expect(status).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(
      'nodewright capacity: --live: cannot read prices for us-east-1 from AWS: no AWS credentials found (Could not load credentials from any providers); ' +
        'configure them as for the AWS CLI (AWS_PROFILE, aws sso login, or AWS_ACCESS_KEY_ID) or drop --live\n',
    );
  });
});

describe('nodewright capacity --live over the AWS SDK (mocked clients)', () => {
  const pricingApi = mockClient(PricingClient);
  const ec2Api = mockClient(EC2Client);
  afterEach(() => {
    pricingApi.reset();
    ec2Api.reset();
  });

  it('reads on-demand from GetProducts and spot from DescribeSpotPriceHistory in the region asked', async () => {
    const product = JSON.stringify({
      product: { attributes: { instanceType: 'm5.large' } },
      terms: { OnDemand: { t: { priceDimensions: { d: { pricePerUnit: { USD: '0.0400000000' } } } } } },
    });
    pricingApi.on(GetProductsCommand).resolves({ PriceList: [product] });
    // EC2 has no spot price for these types right now: spot is not offered, on-demand is planned.
    ec2Api.on(DescribeSpotPriceHistoryCommand).resolves({ SpotPriceHistory: [] });
    const { status, out, err } = await run(['--nodepool', SPOT_POOL, '--pods', POD, '--region', 'eu-west-1', '--live', '--json'], awsLivePricing());
    expect(err).toBe('');
    expect(status).toBe(0);
    expect(firstOffering(out)).toMatchObject({ instanceType: 'm5.large', capacityType: 'on-demand', price: 0.04 });
    const filters = pricingApi.commandCalls(GetProductsCommand).map((call) => call.args[0].input.Filters);
    expect(filters[0]).toContainEqual({ Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' });
    const spotAsks = ec2Api.commandCalls(DescribeSpotPriceHistoryCommand).map((call) => call.args[0].input.InstanceTypes);
    expect(spotAsks).toEqual([['c6i.large', 'm5.large']]);
    expect(await ec2Api.call(0).thisValue.config.region()).toBe('eu-west-1');
  });

  it('turns an access-denied answer into one line naming the permissions --live needs', async () => {
    pricingApi.on(GetProductsCommand).rejects(awsError(PricingServiceException, 'AccessDeniedException', 'User is not authorized to perform: pricing:GetProducts', { status: 403 }));
    ec2Api.on(DescribeSpotPriceHistoryCommand).resolves({ SpotPriceHistory: [] });
    const { status, out, err } = await run(['--nodepool', POOL, '--pods', POD, '--region', 'us-east-1', '--live'], awsLivePricing());
    expect(status).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(
      'nodewright capacity: --live: cannot read prices for us-east-1 from AWS: AccessDeniedException: User is not authorized to perform: pricing:GetProducts; ' +
        '--live needs pricing:GetProducts and ec2:DescribeSpotPriceHistory\n',
    );
  });

  it('turns a network failure into one line', async () => {
    pricingApi.on(GetProductsCommand).resolves({ PriceList: [] });
    ec2Api.on(DescribeSpotPriceHistoryCommand).rejects(Object.assign(new Error('getaddrinfo ENOTFOUND ec2.us-east-1.amazonaws.com'), { code: 'ENOTFOUND' }));
    const { status, err } = await run(['--nodepool', SPOT_POOL, '--pods', POD, '--region', 'us-east-1', '--live'], awsLivePricing());
    expect(status).toBe(2);
    expect(err).toBe('nodewright capacity: --live: cannot read prices for us-east-1 from AWS: getaddrinfo ENOTFOUND ec2.us-east-1.amazonaws.com\n');
  });
  it('refuses --seed with --live: the seed would be silently ignored', async () => {
    const { source } = fakeSource({});
    const { status, out, err } = await run(['--nodepool', POOL, '--pods', POD, '--live', '--seed', '7'], source);
    expect(status).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/--seed: seeds the simulated spot prices, which --live replaces with AWS's; got --seed 7 with --live/);
  });
});
