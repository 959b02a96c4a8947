// Field-level checks shared by every event schema: instance ids, regions, timestamps and the
// two ways AWS names an instance (bare id or ARN). Each returns undefined on bad input so the
// caller can word the refusal with the field's path.

/** EC2 instance ids: `i-` and 8 hex digits (older instances) or 17 (current ones). */
const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** Commercial, GovCloud, China and ISO partitions all follow `<area>-<place>-<n>`, e.g. `us-gov-west-1`. */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** `arn:<partition>:ec2:<region>:<account>:instance/<id>`; the partition varies (aws, aws-cn, aws-us-gov, ...). */
const INSTANCE_ARN = /^arn:aws(?:-[a-z]+)*:ec2:([a-z0-9-]*):(\d{12})?:instance\/(.+)$/;

/** ISO 8601 as EventBridge writes `time` (`2021-11-11T21:29:54Z`), with optional fraction or numeric offset. */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** RFC 1123 as AWS Health writes `startTime` (`Sat, 05 Jun 2016 15:10:09 GMT`). */
const RFC_1123 = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export const INSTANCE_ID_EXPECTATION = 'expected an EC2 instance id like i-0abc1234def567890';
export const REGION_EXPECTATION = 'expected an AWS region like us-east-1';
export const TIMESTAMP_EXPECTATION =
  'expected a timestamp like 2024-01-31T02:00:00Z or Wed, 31 Jan 2024 02:00:00 GMT';

export function isInstanceId(value: string): boolean {
  return INSTANCE_ID.test(value);
}

export function isRegion(value: string): boolean {
  return REGION.test(value);
}

/** Date.parse rolls 31 February over into March; a notice built on that would be silently wrong. */
function isRealCalendarDay(year: number, month: number, day: number): boolean {
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth;
}

function inClockRange(hour: number, minute: number, second: number): boolean {
  return hour <= 23 && minute <= 59 && second <= 59;
}

/** Parses the two timestamp formats AWS events use; undefined for anything else. */
export function parseTimestamp(value: string): Date | undefined {
  const iso = ISO_8601.exec(value);
  if (iso) {
    const [year, month, day, hour, minute, second] = iso.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    if (!isRealCalendarDay(year, month, day) || !inClockRange(hour, minute, second)) return undefined;
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? undefined : parsed;
  }
  const rfc = RFC_1123.exec(value);
  if (rfc) {
    const day = Number(rfc[1]);
    const month = MONTHS.indexOf(rfc[2] ?? '') + 1;
    const [year, hour, minute, second] = rfc.slice(3, 7).map(Number) as [number, number, number, number];
    if (!isRealCalendarDay(year, month, day) || !inClockRange(hour, minute, second)) return undefined;
    return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  }
  return undefined;
}

/** What an AWS Health affected entity names. */
export type EntityReference =
  | { type: 'instance'; instanceId: string; region?: string }
  | { type: 'bad-instance'; problem: string }
  | { type: 'other' };

/**
 * Health lists instances either by id or by ARN. Anything that claims to be an instance but is
 * malformed is reported, so a typo never passes for "not an instance" and is silently dropped.
 */
export function readEntity(entityValue: string): EntityReference {
  const arn = INSTANCE_ARN.exec(entityValue);
  if (arn) {
    const region = arn[1] ?? '';
    const instanceId = arn[3] ?? '';
    if (!isInstanceId(instanceId)) return { type: 'bad-instance', problem: `${INSTANCE_ID_EXPECTATION} in the ARN` };
    if (region !== '' && !isRegion(region)) return { type: 'bad-instance', problem: `${REGION_EXPECTATION} in the ARN` };
    return region === '' ? { type: 'instance', instanceId } : { type: 'instance', instanceId, region };
  }
  if (entityValue.startsWith('i-')) {
    return isInstanceId(entityValue) ? { type: 'instance', instanceId: entityValue } : { type: 'bad-instance', problem: INSTANCE_ID_EXPECTATION };
  }
  return { type: 'other' };
}
