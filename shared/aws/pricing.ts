// Live prices when running in AWS: on-demand from the AWS Price List API, spot from EC2's spot
// price history, each cached; anything the API did not price falls back to the committed snapshot,
// so a lookup always answers as well as it did offline.
import { GetProductsCommand, type Filter, type PricingClient } from '@aws-sdk/client-pricing';
import { onDemandPrice as snapshotOnDemandPrice } from '../provisioning/pricing.ts';
import type { ComputePort } from '../ports.ts';
import type { SpotPrice } from '../types.ts';
import { callAws } from './errors.ts';

/** Prices the planner ranks offerings with, USD per hour; undefined when the thing has no price. */
export interface PriceBook {
  onDemand(instanceType: string): number | undefined;
  spot(instanceType: string, zone: string): number | undefined;
}

/** The Price List query API answers in a few regions only; us-east-1 serves every region's prices. */
export const PRICING_ENDPOINT_REGION = 'us-east-1';
/** On-demand prices change a few times a year; Karpenter refreshes them twice a day. */
export const ON_DEMAND_REFRESH_MS = 12 * 60 * 60_000;
/** Spot prices move several times a day; a few minutes old is fresh enough to rank offerings. */
export const SPOT_REFRESH_MS = 5 * 60_000;
/** GetProducts returns at most 100 products a page. */
const PAGE_SIZE = 100;

const term = (field: string, value: string): Filter => ({ Type: 'TERM_MATCH', Field: field, Value: value });

/**
 * GetProducts filters for the Linux on-demand hourly price of every instance type in `region`:
 * shared tenancy, no pre-installed software, capacity in use (not reservations), on-demand market.
 * Bare-metal types are published as "Compute Instance (bare metal)" with Dedicated tenancy (as
 * Karpenter queries them), hence two queries.
 */
export function onDemandPriceQueries(region: string): Filter[][] {
  const common = [
    term('regionCode', region),
    term('operatingSystem', 'Linux'),
    term('preInstalledSw', 'NA'),
    term('capacitystatus', 'Used'),
    term('marketoption', 'OnDemand'),
  ];
  return [
    [...common, term('tenancy', 'Shared'), term('productFamily', 'Compute Instance')],
    [...common, term('tenancy', 'Dedicated'), term('productFamily', 'Compute Instance (bare metal)')],
  ];
}

interface PriceListProduct {
  product?: { attributes?: { instanceType?: unknown } };
  terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, { pricePerUnit?: { USD?: unknown } }> }> };
}

/**
 * Instance type -> USD per hour from GetProducts' PriceList entries (each a JSON document as a
 * string). Entries without an instance type or a positive USD price are left out; when one type
 * has several prices the lowest wins, which is the one a buyer of that type pays.
 */
export function parseOnDemandPriceList(priceList: readonly unknown[]): Map<string, number> {
  const prices = new Map<string, number>();
  for (const entry of priceList) {
    const product = parseEntry(entry);
    const type = product?.product?.attributes?.instanceType;
    if (typeof type !== 'string' || type === '') continue;
    for (const offerTerm of Object.values(product?.terms?.OnDemand ?? {})) {
      for (const dimension of Object.values(offerTerm.priceDimensions ?? {})) {
        const price = Number(dimension.pricePerUnit?.USD);
        if (!Number.isFinite(price) || price <= 0) continue;
        const known = prices.get(type);
        if (known === undefined || price < known) prices.set(type, price);
      }
    }
  }
  return prices;
}

function parseEntry(entry: unknown): PriceListProduct | undefined {
  // The SDK hands the documents over as strings (or String objects); a malformed one is skipped,
  // not fatal: the snapshot still prices that type.
  if (typeof entry === 'string' || entry instanceof String) {
    try {
      return JSON.parse(String(entry)) as PriceListProduct;
    } catch {
      return undefined;
    }
  }
  return typeof entry === 'object' && entry !== null ? (entry as PriceListProduct) : undefined;
}

export interface AwsPricingSettings {
  /** The region whose prices are wanted (not the Pricing API's endpoint region). */
  region: string;
  clock?: { now(): Date };
  onDemandRefreshMs?: number;
  spotRefreshMs?: number;
}

/**
 * A PriceBook backed by the AWS APIs. Lookups are synchronous and answer from the cache; call
 * `refresh` before a decision to bring the cache up to date (it only calls AWS when stale). A
 * failed refresh throws (TransientError when worth retrying) and leaves the last good prices.
 */
export class AwsPricing implements PriceBook {
  private readonly region: string;
  private readonly clock: { now(): Date };
  private readonly onDemandRefreshMs: number;
  private readonly spotRefreshMs: number;
  private onDemandPrices = new Map<string, number>();
  private onDemandFetchedAt: number | undefined;
  private spotPriceList: SpotPrice[] = [];
  private spotByOffering = new Map<string, number>();
  private spotFetchedAt: number | undefined;
  private spotTypesKey = '';

  constructor(
    private readonly pricing: PricingClient,
    private readonly compute: Pick<ComputePort, 'describeSpotPrices'>,
    settings: AwsPricingSettings,
  ) {
    this.region = settings.region;
    this.clock = settings.clock ?? { now: () => new Date() };
    this.onDemandRefreshMs = settings.onDemandRefreshMs ?? ON_DEMAND_REFRESH_MS;
    this.spotRefreshMs = settings.spotRefreshMs ?? SPOT_REFRESH_MS;
  }

  onDemand(instanceType: string): number | undefined {
    return this.onDemandPrices.get(instanceType) ?? snapshotOnDemandPrice(this.region, instanceType);
  }

  /** Spot has no snapshot to fall back to: an offering without a live price is not offered as spot. */
  spot(instanceType: string, zone: string): number | undefined {
    return this.spotByOffering.get(`${instanceType}/${zone}`);
  }

  /** The cached spot prices, in the shape the planners take. */
  spotPrices(): SpotPrice[] {
    return [...this.spotPriceList];
  }

  /** On-demand USD per hour in the shape of PlannerOptions.onDemandPrice. */
  readonly onDemandPrice = (_region: string, instanceType: string): number | undefined => this.onDemand(instanceType);

  /** Brings both caches up to date for `instanceTypes` (spot prices are per type). */
  async refresh(instanceTypes: string[]): Promise<void> {
    await Promise.all([this.refreshOnDemand(), this.refreshSpot(instanceTypes)]);
  }

  /** Every on-demand price of the region from the Price List API, unless the cache is fresh. */
  async refreshOnDemand(): Promise<void> {
    const now = this.clock.now().getTime();
    if (this.onDemandFetchedAt !== undefined && now - this.onDemandFetchedAt < this.onDemandRefreshMs) return;
    const fetched = new Map<string, number>();
    for (const filters of onDemandPriceQueries(this.region)) {
      let nextToken: string | undefined;
      do {
        const output = await callAws('GetProducts', () =>
          this.pricing.send(
            new GetProductsCommand({
              ServiceCode: 'AmazonEC2',
              Filters: filters,
              FormatVersion: 'aws_v1',
              MaxResults: PAGE_SIZE,
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          ),
        );
        const page = parseOnDemandPriceList(Array.isArray(output.PriceList) ? output.PriceList : []);
        for (const [type, price] of page) if (!fetched.has(type) || price < fetched.get(type)!) fetched.set(type, price);
        nextToken = output.NextToken || undefined;
      } while (nextToken);
    }
    this.onDemandPrices = fetched;
    this.onDemandFetchedAt = now;
  }

  /** The spot price in force per (type, zone) from DescribeSpotPriceHistory, unless fresh for these types. */
  async refreshSpot(instanceTypes: string[]): Promise<void> {
    const types = [...new Set(instanceTypes)].sort();
    const key = types.join(',');
    const now = this.clock.now().getTime();
    if (this.spotFetchedAt !== undefined && key === this.spotTypesKey && now - this.spotFetchedAt < this.spotRefreshMs) return;
    const prices = types.length === 0 ? [] : await this.compute.describeSpotPrices(types);
    this.spotPriceList = prices;
    this.spotByOffering = new Map(prices.map((p) => [`${p.instanceType}/${p.zone}`, p.price]));
    this.spotFetchedAt = now;
    this.spotTypesKey = key;
  }
}

/** A PriceBook for offline use: on-demand from the snapshot, spot from the given list (e.g. simulated). */
export function snapshotPriceBook(region: string, spotPrices: readonly SpotPrice[]): PriceBook {
  const spot = new Map(spotPrices.map((p) => [`${p.instanceType}/${p.zone}`, p.price]));
  return {
    onDemand: (instanceType) => snapshotOnDemandPrice(region, instanceType),
    spot: (instanceType, zone) => spot.get(`${instanceType}/${zone}`),
  };
}
