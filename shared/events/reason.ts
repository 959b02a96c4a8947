// Turns a schema failure into one sentence an operator can act on: the field's path, what was
// expected and the value actually found, e.g.
//   detail.instance-id: expected an EC2 instance id like i-0abc1234def567890, got "foo"

import type { z } from 'zod';

type PathSegment = PropertyKey;

export function formatPath(path: readonly PathSegment[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    return text === '' ? String(segment) : `${text}.${String(segment)}`;
  }, '');
}

function valueAt(raw: unknown, path: readonly PathSegment[]): unknown {
  let current = raw;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

const SHOWN_VALUE_LIMIT = 80;

/** Short, quoted rendering of the offending value; long payloads are cut so logs stay readable. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  const json = JSON.stringify(value) ?? String(value);
  return json.length > SHOWN_VALUE_LIMIT ? `${json.slice(0, SHOWN_VALUE_LIMIT)}...` : json;
}

/** `root` names the whole value when the problem is the value itself (an event, a drill input). */
export function fieldReason(path: readonly PathSegment[], expectation: string, value: unknown, root = 'event'): string {
  const where = path.length === 0 ? root : formatPath(path);
  return `${where}: ${expectation}, got ${describeValue(value)}`;
}

/** The first problem only: one reason per refusal keeps dead-letter messages greppable. */
export function reasonFromZodError(raw: unknown, error: z.ZodError, root = 'event'): string {
  const issue = error.issues[0];
  if (issue === undefined) return `${root}: failed validation for an unknown reason`;
  return fieldReason(issue.path, issue.message, valueAt(raw, issue.path), root);
}
