// Turns validation findings into the one-line problems a user reads:
//   <file>: <Kind> "<name>" <path>: <what is wrong>; got <value>
// Every finding of every document is kept, so a user fixes a file in one pass.
import type { z } from 'zod';

export type PathSegment = string | number;

/** Where a manifest came from, for the start of each problem line. */
export interface ManifestLocation {
  source: string;
  /** `document 2`, or `document 1, items[3]` for an item of a List. */
  position: string;
}

/** `NodePool "default"` when the manifest has a usable name, else `NodePool (document 2)`. */
export function describeManifest(kind: string, name: unknown, location: ManifestLocation): string {
  if (typeof name === 'string' && name !== '') return `${kind} ${JSON.stringify(name)}`;
  return `${kind} (${location.position})`;
}

/** `spec.template.spec.requirements[2].operator`, with odd keys quoted: `labels["team.io/x"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** The value at `path` inside `root`, or undefined when any step is missing. */
export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}

/** A short rendering of a user's value for `; got ...`. */
export function formatValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** One problem line; `value` is appended as `; got <value>` unless it is undefined. */
export function problemLine(subject: string, path: readonly PathSegment[], message: string, value?: unknown): string {
  const where = path.length > 0 ? ` ${formatPath(path)}` : '';
  const got = value === undefined ? '' : `; got ${formatValue(value)}`;
  return `${subject}${where}: ${message}${got}`;
}

/** Problem lines for zod's findings about `raw`, in zod's order (document order). */
export function zodIssuesToProblems(subject: string, issues: readonly z.core.$ZodIssue[], raw: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        lines.push(problemLine(subject, [...path, key], 'unknown field', valueAt(raw, [...path, key])));
      }
      continue;
    }
    const value = valueAt(raw, path);
    lines.push(problemLine(subject, path, describeIssue(issue, value), value));
  }
  return lines;
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'required';
      if (issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
        return 'must be a string (put it in quotes)';
      }
      if (issue.expected === 'int') return 'must be a whole number';
      return `must be ${article(issue.expected)}`;
    case 'invalid_value':
      // A schema-specific explanation beats the generic list of allowed values.
      if (!issue.message.startsWith('Invalid')) return issue.message;
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'array') return `must have at least ${issue.minimum} item(s)`;
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'array') return `must have at most ${issue.maximum} item(s)`;
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return `must be at most ${issue.maximum}`;
    case 'invalid_union':
      return 'has the wrong type';
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  if (expected === 'object') return 'a mapping';
  if (expected === 'array') return 'a list';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
