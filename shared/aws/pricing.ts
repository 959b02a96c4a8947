// Live prices when running in AWS: on-demand from the AWS Price List API, spot from EC2's spot
// price history, each cached; anything the API did not price falls back to the committed snapshot,
// so a lookup always answers as well as it did offline.
import { GetProductsCommand, type Filter, type PricingClient } from '@aws-sdk/client-pricing';
import { onDemandPrice as snapshotOnDemandPrice } from '../provisioning/pricing.ts';
import type { ComputePort, PricingPort } from '../ports.ts';
import type { SpotPrice } from '../types.ts';
import { callAws } from './errors.ts';

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
        if (Number.isFinite(price) && price > 0) keepLowest(prices, type, price);
      }
    }
  }
  return prices;
}

/** A type with several prices costs a buyer the lowest. */
function keepLowest(prices: Map<string, number>, type: string, price: number): void {
  const known = prices.get(type);
  if (known === undefined || price < known) prices.set(type, price);
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

interface CachedSpot {
  fetchedAt: number;
  prices: SpotPrice[];
}

/**
 * The PricingPort backed by the AWS APIs. Lookups are synchronous and answer from the
 * cache; `refreshOnDemand` / `spotPrices` bring it up to date, calling AWS only when stale. A failed
 * refresh throws (TransientError when worth retrying) and leaves the last good prices. Keep one
 * instance per process (a Lambda container's module scope) so the caches outlive a request.
 */
export class AwsPricing implements PricingPort {
  private readonly region: string;
  private readonly clock: { now(): Date };
  private readonly onDemandRefreshMs: number;
  private readonly spotRefreshMs: number;
  private onDemandPrices = new Map<string, number>();
  private onDemandFetchedAt: number | undefined;
  /** The refresh under way, which a second caller joins instead of paging the whole list again. */
  private onDemandInFlight: Promise<void> | undefined;
  /** Per instance type: each type ages on its own, so NodePools asking for different types share it. */
  private readonly spotByType = new Map<string, CachedSpot>();

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
    return this.spotByType.get(instanceType)?.prices.find((p) => p.zone === zone)?.price;
  }

  /** On-demand USD per hour in the shape of PlannerOptions.onDemandPrice; other regions from the snapshot. */
  readonly onDemandPrice = (region: string, instanceType: string): number | undefined =>
    region === this.region ? this.onDemand(instanceType) : snapshotOnDemandPrice(region, instanceType);

  /** The spot prices of `instanceTypes`, fetched for those whose cached prices are stale or missing. */
  async spotPrices(instanceTypes: string[]): Promise<SpotPrice[]> {
    const types = [...new Set(instanceTypes)].sort();
    await this.refreshSpot(types);
    return types.flatMap((type) => (this.spotByType.get(type)?.prices ?? []).map((p) => ({ ...p })));
  }

  /** Every on-demand price of the region from the Price List API, unless the cache is fresh. */
  async refreshOnDemand(): Promise<void> {
    const now = this.clock.now().getTime();
    if (this.onDemandFetchedAt !== undefined && now - this.onDemandFetchedAt < this.onDemandRefreshMs) return;
    this.onDemandInFlight ??= this.fetchOnDemand(now).finally(() => {
      this.onDemandInFlight = undefined;
    });
    return this.onDemandInFlight;
  }

  private async fetchOnDemand(now: number): Promise<void> {
    // The two queries (shared tenancy, bare metal) are independent: paged side by side, a cold
    // refresh takes as long as the longer one, not both.
    const answers = await Promise.all(onDemandPriceQueries(this.region).map((filters) => this.fetchQuery(filters)));
    const fetched = new Map<string, number>();
    for (const answer of answers) {
      for (const [type, price] of answer) keepLowest(fetched, type, price);
    }
    this.onDemandPrices = fetched;
    this.onDemandFetchedAt = now;
  }

  /** Every page of one GetProducts query: instance type -> lowest USD per hour. */
  private async fetchQuery(filters: Filter[]): Promise<Map<string, number>> {
    const prices = new Map<string, number>();
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
      for (const [type, price] of page) keepLowest(prices, type, price);
      nextToken = output.NextToken || undefined;
    } while (nextToken);
    return prices;
  }

  /** The spot price in force per (type, zone) from DescribeSpotPriceHistory, for the types not fresh. */
  async refreshSpot(instanceTypes: string[]): Promise<void> {
    const now = this.clock.now().getTime();
    const stale = [...new Set(instanceTypes)].sort().filter((type) => {
      const cached = this.spotByType.get(type);
      return cached === undefined || now - cached.fetchedAt >= this.spotRefreshMs;
    });
    if (stale.length === 0) return;
    const byType = new Map<string, SpotPrice[]>(stale.map((type) => [type, []]));
    for (const price of await this.compute.describeSpotPrices(stale)) byType.get(price.instanceType)?.push(price);
    // A type EC2 returned no price for is cached too (as none): asking again within minutes would
    // get the same answer.
    for (const [type, prices] of byType) this.spotByType.set(type, { fetchedAt: now, prices });
  }
}
