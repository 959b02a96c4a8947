// The simulator's PricingPort: the prices the simulated region itself uses, so a plan made in the
// simulator ranks offerings by what its CreateFleet charges. No second price model.
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onDemandPrice, simulatedSpotPrices } from '../../shared/provisioning/index.ts';
import { simPorts } from '../../shared/sim/adapters.ts';
import { VirtualClock } from '../../shared/sim/clock.ts';
import { createWorld } from '../../shared/sim/create-world.ts';
import { loadScenario } from '../../shared/sim/scenario.ts';
import type { SimWorld } from '../../shared/sim/world.ts';

const DEFAULT_SCENARIO = fileURLToPath(new URL('../../examples/scenarios/default.yaml', import.meta.url));

let clock: VirtualClock;
let world: SimWorld;

beforeEach(() => {
  const scenario = loadScenario(DEFAULT_SCENARIO);
  clock = VirtualClock.install(scenario.start);
  world = createWorld(scenario, clock);
});
afterEach(() => clock.uninstall());

describe('sim PricingPort', () => {
  it('gives the spot prices the simulated EC2 answers DescribeSpotPriceHistory with (the seeded model)', async () => {
    const { pricing } = simPorts(world);
    const prices = await pricing.spotPrices(['m5.large', 'c6i.large']);
    expect(prices).toEqual(world.ec2.describeSpotPrices(['m5.large', 'c6i.large']));
    const seeded = simulatedSpotPrices(world.region, world.seed).filter((p) => p.instanceType === 'm5.large');
    expect(prices.filter((p) => p.instanceType === 'm5.large')).toEqual(seeded);
    expect(seeded.length).toBeGreaterThan(0);
    expect(await pricing.spotPrices([])).toEqual([]);
  });

  it('prices on-demand from the snapshot, and its refresh has nothing to do', async () => {
    const { pricing } = simPorts(world);
    await expect(pricing.refreshOnDemand()).resolves.toBeUndefined();
    expect(pricing.onDemandPrice('us-east-1', 'm5.large')).toBe(0.096);
    expect(pricing.onDemandPrice('us-east-1', 'm5.large')).toBe(world.catalog.onDemandPrice('m5.large'));
    expect(pricing.onDemandPrice('eu-west-1', 'c6i.large')).toBe(onDemandPrice('eu-west-1', 'c6i.large'));
    expect(pricing.onDemandPrice('us-east-1', 'no.such-type')).toBeUndefined();
  });
});
