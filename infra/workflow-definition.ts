// Loads a workflow's ASL file and checks its `${...}` placeholders against what the construct
// substitutes, so a typo in a Task's Resource fails `cdk synth` instead of the deployment.
import { readFileSync } from 'node:fs';

/** `${Name}` placeholders CloudFormation's DefinitionSubstitutions replaces. */
const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

export function placeholdersIn(definition: string): string[] {
  return [...new Set([...definition.matchAll(PLACEHOLDER)].map((match) => match[1]!))].sort();
}

/**
 * The file's text, after checking it is JSON with a `States` object and that every placeholder
 * in it is one of `substituted`. The text is returned untouched: CloudFormation substitutes.
 */
export function loadWorkflowDefinition(file: string, substituted: readonly string[]): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`workflow definition: cannot read "${file}": ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`workflow definition: "${file}" is not valid JSON: ${(error as Error).message}`);
  }
  const states = (parsed as { States?: unknown } | null)?.States;
  if (typeof states !== 'object' || states === null) {
    throw new Error(`workflow definition: "${file}" has no "States" object; is it Amazon States Language?`);
  }
  const known = new Set(substituted);
  const unknown = placeholdersIn(text).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(`workflow definition: "${file}" uses placeholders nothing substitutes: ${unknown.map((n) => `\${${n}}`).join(', ')}; known: ${[...known].sort().join(', ')}`);
  }
  return text;
}
