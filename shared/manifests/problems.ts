// Schema findings as the one-line problems users read, in the same form as the node configuration's:
//   pods.yaml: Deployment "web" spec.replicas: expected a non-negative integer; got "three"
import type { z } from 'zod';
import { problemLine, valueAt, type PathSegment } from '../config/problems.ts';

export function issuesToProblems(subject: string, issues: readonly z.core.$ZodIssue[], raw: unknown): string[] {
  return issues.map((issue) => {
    const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
    const value = valueAt(raw, path);
    const message = value === undefined && issue.code === 'invalid_type' ? `required, ${issue.message}` : issue.message;
    return problemLine(subject, path, message, value);
  });
}
