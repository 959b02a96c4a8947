// The on-demand prices a replacement is planned with are worth refreshing, never worth failing or
// delaying a replacement for: a node is going away. The Price List API pages through every type of
// the region (seconds on a cold container); past a budget, or on failure, the plan uses the prices
// already held (the committed snapshot until a refresh has succeeded) and says so in the log.

import type { Logger } from '@aws-lambda-powertools/logger';
import type { PricingPort } from '../../shared/ports.ts';

/** How long a plan waits for on-demand prices; plan-replacement has 30 s in all. */
export const ON_DEMAND_REFRESH_BUDGET_MS = 5_000;

/** True when the prices were brought up to date; false (with a warning logged) when the plan goes on without. */
export async function refreshOnDemandPrices(
  pricing: PricingPort,
  logger: Pick<Logger, 'warn'>,
  budgetMs: number = ON_DEMAND_REFRESH_BUDGET_MS,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outOfTime = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), budgetMs);
    timer.unref?.(); // never what keeps a process (the simulator, a test run) alive
  });
  try {
    // A refresh still running when the budget ends carries on and fills the cache for a later
    // plan; the race has a handler on it, so its failure then is not an unhandled rejection.
    const refresh = Promise.resolve().then(() => pricing.refreshOnDemand());
    const refreshed = await Promise.race([refresh.then(() => true as const), outOfTime]);
    if (!refreshed) {
      logger.warn('on-demand prices not refreshed in time; planning with the prices held (the committed snapshot if none)', { budgetMs });
    }
    return refreshed;
  } catch (error) {
    logger.warn(
      'on-demand prices could not be refreshed; planning with the prices held (the committed snapshot if none)',
      error instanceof Error ? error : String(error),
    );
    return false;
  } finally {
    clearTimeout(timer);
  }
}
