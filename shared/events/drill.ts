// drillNotice: an operator's rehearsal of a spot interruption on a chosen instance, so the whole
// path (cordon, replace, drain, terminate) can be exercised without waiting for AWS to reclaim one.

import { InvalidInputError } from '../errors.ts';
import type { Notice } from '../types.ts';
import { REGION_EXPECTATION, isRegion, parseTimestamp } from './fields.ts';
import { fieldReason, reasonFromZodError } from './reason.ts';
import { drillInput } from './schemas.ts';

/** Same notice a real spot interruption gives, so the drill rehearses the real thing. */
const DRILL_WARNING_MS = 2 * 60_000;

export function drillNotice(input: { instanceId: string; deadline?: string }, region: string, now: Date): Notice {
  // Drill input is typed by hand into a console or CLI: check it at run time, not just by type.
  const parsed = drillInput.safeParse(input);
  if (!parsed.success) throw new InvalidInputError(reasonFromZodError(input, parsed.error, 'input'));
  if (!isRegion(region)) throw new InvalidInputError(fieldReason(['region'], REGION_EXPECTATION, region));
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw new InvalidInputError('now: expected a valid date, got an invalid Date');

  const { instanceId, deadline } = parsed.data;
  // The schema has checked the format, so parseTimestamp only normalizes it here.
  const given = deadline === undefined ? undefined : parseTimestamp(deadline);
  return {
    instanceId,
    kind: 'operator-drill',
    deadline: (given ?? new Date(nowMs + DRILL_WARNING_MS)).toISOString(),
    time: now.toISOString(),
    // Unique per start, so executionName gives each drill its own execution.
    eventId: `drill-${instanceId}-${nowMs}`,
    region,
  };
}
