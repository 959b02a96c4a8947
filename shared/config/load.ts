// parseNodeConfig: every source, every document, every problem, then cross-checks between
// documents. Nothing is returned unless everything is valid: a half-loaded configuration would
// make disruption decisions against pools the user did not write.
import { InvalidInputError } from '../errors.ts';
import type { NodeClass, NodePool } from '../types.ts';
import { BUILTIN_NODE_CLASS_NAME, builtinNodeClass, builtinNodePools } from './builtins.ts';
import { readManifests, type Manifest } from './documents.ts';
import { NODECLASS_API_VERSION, nodeClassCrossFieldProblems, toNodeClass, validateNodeClass } from './nodeclass.ts';
import { NODEPOOL_API_VERSION, toNodePool, validateNodePool } from './nodepool.ts';
import { describeManifest, problemLine, valueAt, zodIssuesToProblems } from './problems.ts';

export interface NodeConfig {
  nodePools: NodePool[];
  nodeClasses: NodeClass[];
}

const API_VERSION_OF_KIND: Record<string, string> = { NodePool: NODEPOOL_API_VERSION, EC2NodeClass: NODECLASS_API_VERSION };

/** What cross-document checks need, known even when the manifest itself is invalid. */
interface Entry {
  kind: 'NodePool' | 'EC2NodeClass';
  name: string | undefined;
  /** NodePools only: spec.template.spec.nodeClassRef.name as written. */
  nodeClassName: unknown;
  subject: string;
  manifest: Manifest;
}

/** NodePools and EC2NodeClasses from YAML sources; throws InvalidInputError listing every problem. */
export function parseNodeConfig(sources: Array<{ name: string; text: string }>): NodeConfig {
  const problems: string[] = [];
  const config: NodeConfig = { nodePools: [], nodeClasses: [] };
  const entries: Entry[] = [];

  for (const source of sources) {
    for (const manifest of readManifests(source)) {
      if (typeof manifest === 'string') {
        problems.push(manifest);
        continue;
      }
      const entry = loadManifest(manifest, problems, config);
      if (entry) entries.push(entry);
    }
  }
  problems.push(...duplicateNameProblems(entries), ...missingClassProblems(entries));

  if (problems.length > 0) {
    const summary = problems.length === 1 ? problems[0]! : `${problems.length} problems in the node configuration:\n  ${problems.join('\n  ')}`;
    throw new InvalidInputError(summary, problems);
  }
  return config;
}

/** The configuration plus the built-in pools and class, except where the user defines the same name. */
export function withBuiltins(config: NodeConfig): NodeConfig {
  const poolNames = new Set(config.nodePools.map((p) => p.name));
  const classNames = new Set(config.nodeClasses.map((c) => c.name));
  return {
    nodePools: [...config.nodePools, ...builtinNodePools.filter((p) => !poolNames.has(p.name)).map((p) => structuredClone(p))],
    nodeClasses: [...config.nodeClasses, ...(classNames.has(builtinNodeClass.name) ? [] : [structuredClone(builtinNodeClass)])],
  };
}

function loadManifest(manifest: Manifest, problems: string[], config: NodeConfig): Entry | undefined {
  const { raw } = manifest;
  const kind = raw.kind;
  const name = isRecord(raw.metadata) && typeof raw.metadata.name === 'string' ? raw.metadata.name : undefined;
  const at = `${manifest.source}: `;
  if (kind !== 'NodePool' && kind !== 'EC2NodeClass') {
    const subject = `${at}${manifest.position}`;
    const message = kind === undefined ? 'required (NodePool or EC2NodeClass)' : 'must be NodePool or EC2NodeClass (or a List of them)';
    problems.push(problemLine(subject, ['kind'], message, kind));
    return undefined;
  }
  const subject = at + describeManifest(kind, name, manifest);
  const expectedVersion = API_VERSION_OF_KIND[kind]!;
  if (raw.apiVersion !== expectedVersion) {
    // Another API version has another schema: field-by-field findings would only be noise.
    const hint = typeof raw.apiVersion === 'string' && raw.apiVersion.startsWith(`${expectedVersion.split('/')[0]}/`) ? ' (convert the manifest to v1)' : '';
    problems.push(problemLine(subject, ['apiVersion'], `must be ${expectedVersion}${hint}`, raw.apiVersion));
    return undefined;
  }
  if (kind === 'NodePool') {
    const result = validateNodePool(raw);
    if (result.success) config.nodePools.push(toNodePool(result.data));
    else problems.push(...zodIssuesToProblems(subject, result.error.issues, raw));
    const nodeClassName = valueAt(raw, ['spec', 'template', 'spec', 'nodeClassRef', 'name']);
    return { kind, name, nodeClassName, subject, manifest };
  }
  const result = validateNodeClass(raw);
  const crossField = nodeClassCrossFieldProblems(raw).map((p) => problemLine(subject, p.path, p.message, p.value));
  if (!result.success) problems.push(...zodIssuesToProblems(subject, result.error.issues, raw));
  problems.push(...crossField);
  if (result.success && crossField.length === 0) config.nodeClasses.push(toNodeClass(result.data));
  return { kind, name, nodeClassName: undefined, subject, manifest };
}

function duplicateNameProblems(entries: Entry[]): string[] {
  const first = new Map<string, Entry>();
  const problems: string[] = [];
  for (const entry of entries) {
    if (entry.name === undefined) continue;
    const key = `${entry.kind}/${entry.name}`;
    const earlier = first.get(key);
    if (earlier) {
      problems.push(`${entry.subject}: duplicate ${entry.kind} name; first defined in ${earlier.manifest.source} (${earlier.manifest.position})`);
    } else {
      first.set(key, entry);
    }
  }
  return problems;
}

function missingClassProblems(entries: Entry[]): string[] {
  // Invalid classes count as present: their own problems are already listed.
  const known = new Set([BUILTIN_NODE_CLASS_NAME, ...entries.filter((e) => e.kind === 'EC2NodeClass').map((e) => e.name)]);
  return entries
    .filter((e) => e.kind === 'NodePool' && typeof e.nodeClassName === 'string' && e.nodeClassName !== '' && !known.has(e.nodeClassName))
    .map((pool) =>
      problemLine(
        pool.subject,
        ['spec', 'template', 'spec', 'nodeClassRef', 'name'],
        `no EC2NodeClass of that name is loaded (nor is it the built-in "${BUILTIN_NODE_CLASS_NAME}")`,
        pool.nodeClassName,
      ),
    );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
