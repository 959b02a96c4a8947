// Where `nodewright capacity --live` gets its prices: the AWS account the default credential chain
// finds (environment, profile, SSO, instance role), as the AWS CLI does. On-demand from the Price
// List API, spot from EC2's spot price history, through the same AwsPricing the Lambdas use.
// Imported only with --live, so an offline run never loads the SDK.

import { EC2Client } from '@aws-sdk/client-ec2';
import { PricingClient } from '@aws-sdk/client-pricing';
import { Ec2Compute } from '../shared/aws/ec2-compute.ts';
import { AwsPricing, PRICING_ENDPOINT_REGION } from '../shared/aws/pricing.ts';
import type { PricingPort } from '../shared/ports.ts';

/** What --live needs from AWS; tests pass their own. */
export interface LivePricingSource {
  /** The region the default chain configures (AWS_REGION, the profile); undefined when none does. */
  defaultRegion(): Promise<string | undefined>;
  /** Prices of `region`, read with the default credential chain. */
  pricing(region: string): PricingPort;
}

export function awsLivePricing(): LivePricingSource {
  return {
    async defaultRegion() {
      // The SDK's own region lookup, without a call: a client built without a region resolves it
      // from the environment and the shared config files, and rejects when none is set.
      const probe = new EC2Client({});
      try {
        return await probe.config.region();
      } catch {
        return undefined;
      } finally {
        probe.destroy();
      }
    },
    pricing: (region) =>
      new AwsPricing(new PricingClient({ region: PRICING_ENDPOINT_REGION }), new Ec2Compute(new EC2Client({ region })), { region }),
  };
}
