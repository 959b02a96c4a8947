// Spot price history reduced to the price in force per (instance type, zone).

import type { SpotPrice as Ec2SpotPrice } from '@aws-sdk/client-ec2';
import type { SpotPrice } from '../types.ts';

/** The newest entry per (type, zone); entries without a parsable price are left out. */
export function latestSpotPrices(history: Ec2SpotPrice[]): SpotPrice[] {
  const latest = new Map<string, SpotPrice>();
  for (const entry of history) {
    const price = Number(entry.SpotPrice);
    if (!entry.InstanceType || !entry.AvailabilityZone || !entry.Timestamp || entry.SpotPrice === undefined || !Number.isFinite(price)) continue;
    const key = `${entry.InstanceType}/${entry.AvailabilityZone}`;
    const timestamp = new Date(entry.Timestamp).toISOString();
    const seen = latest.get(key);
    if (!seen || seen.timestamp < timestamp) {
      latest.set(key, { instanceType: entry.InstanceType, zone: entry.AvailabilityZone, price, timestamp });
    }
  }
  return [...latest.values()];
}
