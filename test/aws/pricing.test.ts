// Live prices at the request level: what GetProducts is asked, how its price documents are read,
// paging, caching, and the fall back to the committed snapshot for anything it did not price.
import { GetProductsCommand, PricingClient, PricingServiceException } from '@aws-sdk/client-pricing';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AwsPricing, PRICING_ENDPOINT_REGION, onDemandPriceQueries, parseOnDemandPriceList,
} from '../../shared/aws/pricing.ts';
import { TransientError } from '../../shared/errors.ts';
import { onDemandPrice } from '../../shared/provisioning/index.ts';
import type { SpotPrice } from '../../shared/types.ts';
import { TEST_CLIENT_CONFIG, awsError } from './helpers.ts';

/** One product as the Price List API returns it (aws_v1 format), trimmed to what matters. */
function product(instanceType: string, usd: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    product: { productFamily: 'Compute Instance', attributes: { instanceType, operatingSystem: 'Linux', tenancy: 'Shared' }, sku: `SKU-${instanceType}` },
    serviceCode: 'AmazonEC2',
    terms: {
      OnDemand: {
        [`SKU-${instanceType}.JRTCKXETXF`]: {
          priceDimensions: { [`SKU-${instanceType}.JRTCKXETXF.6YS6EN2CT7`]: { unit: 'Hrs', pricePerUnit: { USD: usd } } },
        },
      },
    },
    ...extra,
  });
}

let now = new Date('2025-03-01T12:00:00.000Z');
const clock = { now: () => now };
let pricingApi: AwsClientStub<PricingClient>;
let spotCalls: string[][];
let spotAnswer: SpotPrice[];
let pricing: AwsPricing;

beforeEach(() => {
  now = new Date('2025-03-01T12:00:00.000Z');
  const client = new PricingClient({ ...TEST_CLIENT_CONFIG, region: PRICING_ENDPOINT_REGION });
  pricingApi = mockClient(client);
  spotCalls = [];
  spotAnswer = [];
  const compute = {
    describeSpotPrices: async (types: string[]) => {
      spotCalls.push(types);
      return spotAnswer;
    },
  };
  pricing = new AwsPricing(client, compute, { region: 'eu-west-1', clock });
});

describe('parseOnDemandPriceList', () => {
  it('reads the USD hourly price of each instance type', () => {
    const prices = parseOnDemandPriceList([product('m5.large', '0.1070000000'), product('c7g.xlarge', '0.1631000000')]);
    expect(Object.fromEntries(prices)).toEqual({ 'm5.large': 0.107, 'c7g.xlarge': 0.1631 });
  });

  it.each([
    { title: 'a zero price (a placeholder for unavailable usage)', entry: product('m5.large', '0.0000000000') },
    { title: 'a price that is not a number', entry: product('m5.large', 'n/a') },
    { title: 'a product without an instance type', entry: JSON.stringify({ product: { attributes: {} }, terms: { OnDemand: {} } }) },
    { title: 'a document that is not JSON', entry: '{"product": ' },
    { title: 'a product without on-demand terms', entry: JSON.stringify({ product: { attributes: { instanceType: 'm5.large' } }, terms: { Reserved: {} } }) },
  ])('leaves out $title', ({ entry }) => {
    expect(parseOnDemandPriceList([entry]).size).toBe(0);
  });

  it('keeps the lowest price when a type is listed more than once', () => {
    const prices = parseOnDemandPriceList([product('m5.large', '0.12'), product('m5.large', '0.107'), product('m5.large', '0.2')]);
    expect(prices.get('m5.large')).toBe(0.107);
  });
});

describe('AwsPricing.refreshOnDemand', () => {
  it('asks for the Linux, shared-tenancy, on-demand prices of the region, bare metal separately', async () => {
    pricingApi.on(GetProductsCommand).resolves({ PriceList: [] });
    await pricing.refreshOnDemand();
    const inputs = pricingApi.commandCalls(GetProductsCommand).map((call) => call.args[0].input);
    expect(inputs).toHaveLength(2);
    for (const input of inputs) {
      expect(input.ServiceCode).toBe('AmazonEC2');
      expect(input.MaxResults).toBe(100);
      expect(input.Filters).toEqual(
        expect.arrayContaining([
          { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' },
          { Type: 'TERM_MATCH', Field: 'operatingSystem', Value: 'Linux' },
          { Type: 'TERM_MATCH', Field: 'preInstalledSw', Value: 'NA' },
          { Type: 'TERM_MATCH', Field: 'capacitystatus', Value: 'Used' },
        ]),
      );
    }
    expect(inputs[0]!.Filters).toContainEqual({ Type: 'TERM_MATCH', Field: 'tenancy', Value: 'Shared' });
    expect(inputs[1]!.Filters).toContainEqual({ Type: 'TERM_MATCH', Field: 'productFamily', Value: 'Compute Instance (bare metal)' });
    expect(inputs.map((i) => i.Filters)).toEqual(onDemandPriceQueries('eu-west-1'));
  });

  it('follows NextToken through every page', async () => {
    const [shared] = onDemandPriceQueries('eu-west-1');
    pricingApi.on(GetProductsCommand).resolves({ PriceList: [] });
    pricingApi.on(GetProductsCommand, { Filters: shared }).resolves({ PriceList: [product('m5.large', '0.111')], NextToken: 'page-2' });
    pricingApi.on(GetProductsCommand, { Filters: shared, NextToken: 'page-2' }).resolves({ PriceList: [product('m5.xlarge', '0.222')] });
    await pricing.refreshOnDemand();
    expect(pricingApi.commandCalls(GetProductsCommand)).toHaveLength(3);
    expect(pricing.onDemand('m5.large')).toBe(0.111);
    expect(pricing.onDemand('m5.xlarge')).toBe(0.222);
  });

  it('falls back to the committed snapshot for types the API did not price', async () => {
    pricingApi.on(GetProductsCommand).resolves({ PriceList: [product('m5.large', '0.111')] });
    expect(pricing.onDemand('m5.large')).toBe(onDemandPrice('eu-west-1', 'm5.large')); // before any refresh
    await pricing.refreshOnDemand();
    expect(pricing.onDemand('m5.large')).toBe(0.111);
    const snapshot = onDemandPrice('eu-west-1', 'c6i.large');
    expect(snapshot).toBeGreaterThan(0);
    expect(pricing.onDemand('c6i.large')).toBe(snapshot);
    expect(pricing.onDemand('no.such-type')).toBeUndefined();
    expect(pricing.onDemandPrice('eu-west-1', 'm5.large')).toBe(0.111);
  });

  it('calls the API again only once the cache is stale', async () => {
    pricingApi.on(GetProductsCommand).resolves({ PriceList: [product('m5.large', '0.111')] });
    await pricing.refreshOnDemand();
    now = new Date(now.getTime() + 11 * 3_600_000);
    await pricing.refreshOnDemand();
    expect(pricingApi.commandCalls(GetProductsCommand)).toHaveLength(2);
    pricingApi.on(GetProductsCommand).resolves({ PriceList: [product('m5.large', '0.099')] });
    now = new Date(now.getTime() + 2 * 3_600_000);
    await pricing.refreshOnDemand();
    expect(pricingApi.commandCalls(GetProductsCommand)).toHaveLength(4);
    expect(pricing.onDemand('m5.large')).toBe(0.099);
  });

  it('throws TransientError on throttling and keeps the last good prices', async () => {
    pricingApi.on(GetProductsCommand).resolves({ PriceList: [product('m5.large', '0.111')] });
    await pricing.refreshOnDemand();
    now = new Date(now.getTime() + 13 * 3_600_000);
    pricingApi.on(GetProductsCommand).rejects(awsError(PricingServiceException, 'ThrottlingException', 'Rate exceeded'));
    await expect(pricing.refreshOnDemand()).rejects.toBeInstanceOf(TransientError);
    expect(pricing.onDemand('m5.large')).toBe(0.111);
  });

  it('shares one fetch between callers that ask while it is under way', async () => {
    pricingApi.on(GetProductsCommand).resolves({ PriceList: [product('m5.large', '0.111')] });
    await Promise.all([pricing.refreshOnDemand(), pricing.refreshOnDemand(), pricing.refreshOnDemand()]);
    expect(pricingApi.commandCalls(GetProductsCommand)).toHaveLength(2); // one per query, not per caller
    expect(pricing.onDemand('m5.large')).toBe(0.111);
  });

  it('answers another region than its own from the snapshot', async () => {
    pricingApi.on(GetProductsCommand).resolves({ PriceList: [product('m5.large', '0.111')] });
    await pricing.refreshOnDemand();
    expect(pricing.onDemandPrice('eu-west-1', 'm5.large')).toBe(0.111);
    expect(pricing.onDemandPrice('us-east-1', 'm5.large')).toBe(onDemandPrice('us-east-1', 'm5.large'));
    // Handed on detached, as the planners take it.
    const { onDemandPrice: detached } = pricing;
    expect(detached('eu-west-1', 'm5.large')).toBe(0.111);
  });

  it('lets a permission error through as it is', async () => {
    pricingApi.on(GetProductsCommand).rejects(awsError(PricingServiceException, 'AccessDeniedException', 'not allowed', { status: 403 }));
    await expect(pricing.refreshOnDemand()).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('AwsPricing spot prices', () => {
  const price = (instanceType: string, zone: string, value: number): SpotPrice => ({ instanceType, zone, price: value, timestamp: '2025-03-01T11:00:00.000Z' });

  it('answers per (type, zone) from DescribeSpotPriceHistory, nothing for offerings without a price', async () => {
    spotAnswer = [price('m5.large', 'eu-west-1a', 0.031), price('m5.large', 'eu-west-1b', 0.034)];
    const prices = await pricing.spotPrices(['m5.large', 'm5.large', 'c6i.large']);
    expect(spotCalls).toEqual([['c6i.large', 'm5.large']]);
    expect(prices).toEqual(spotAnswer);
    expect(pricing.spot('m5.large', 'eu-west-1a')).toBe(0.031);
    expect(pricing.spot('m5.large', 'eu-west-1b')).toBe(0.034);
    expect(pricing.spot('m5.large', 'eu-west-1c')).toBeUndefined();
    expect(pricing.spot('c6i.large', 'eu-west-1a')).toBeUndefined();
  });

  it('reuses fresh prices per type, asks only for the types it lacks, and everything again when stale', async () => {
    spotAnswer = [price('m5.large', 'eu-west-1a', 0.031), price('c6i.large', 'eu-west-1a', 0.05)];
    await pricing.spotPrices(['m5.large']);
    await pricing.spotPrices(['m5.large']);
    expect(spotCalls).toEqual([['m5.large']]);
    // c6i.large is new: only it is asked for; the answer still holds both types.
    const both = await pricing.spotPrices(['m5.large', 'c6i.large']);
    expect(spotCalls).toEqual([['m5.large'], ['c6i.large']]);
    expect(both.map((p) => p.instanceType).sort()).toEqual(['c6i.large', 'm5.large']);
    now = new Date(now.getTime() + 6 * 60_000);
    await pricing.spotPrices(['m5.large', 'c6i.large']);
    expect(spotCalls).toEqual([['m5.large'], ['c6i.large'], ['c6i.large', 'm5.large']]);
  });

  it('answers for exactly the types asked, whatever was cached for others', async () => {
    spotAnswer = [price('m5.large', 'eu-west-1a', 0.031), price('c6i.large', 'eu-west-1a', 0.05)];
    await pricing.spotPrices(['m5.large', 'c6i.large']);
    const prices = await pricing.spotPrices(['c6i.large']);
    expect(prices).toEqual([price('c6i.large', 'eu-west-1a', 0.05)]);
    prices[0]!.price = 99; // the caller's copy: the cache is not touched
    expect(pricing.spot('c6i.large', 'eu-west-1a')).toBe(0.05);
  });

  it('lets a spot price failure through and asks again next time', async () => {
    const compute = { describeSpotPrices: async () => Promise.reject(new TransientError('DescribeSpotPriceHistory failed transiently (Throttling)')) };
    const failing = new AwsPricing(new PricingClient({ ...TEST_CLIENT_CONFIG, region: PRICING_ENDPOINT_REGION }), compute, { region: 'eu-west-1', clock });
    await expect(failing.spotPrices(['m5.large'])).rejects.toBeInstanceOf(TransientError);
    await expect(failing.spotPrices(['m5.large'])).rejects.toBeInstanceOf(TransientError);
  });
});
