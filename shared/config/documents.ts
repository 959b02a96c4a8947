// Splits YAML sources into manifests: multi-document streams (`---`), `kind: List` (and the typed
// NodePoolList / EC2NodeClassList that `kubectl get -o yaml` prints) are all accepted.
import { parseAllDocuments } from 'yaml';
import type { ManifestLocation } from './problems.ts';

export interface Manifest extends ManifestLocation {
  raw: Record<string, unknown>;
}

const LIST_KINDS = new Set(['List', 'NodePoolList', 'EC2NodeClassList']);

/**
 * The manifests of one source in document order, with a problem line (a string) in place of
 * each document that is not valid YAML or not a manifest, so problems keep the file's order.
 */
export function readManifests(source: { name: string; text: string }): Array<Manifest | string> {
  const manifests: Array<Manifest | string> = [];
  const problems = { push: (line: string) => manifests.push(line) };
  const documents = parseAllDocuments(source.text, { uniqueKeys: true, prettyErrors: true });
  // An empty source yields an empty array or a single EmptyStream, never an error.
  if (!Array.isArray(documents)) return manifests;
  documents.forEach((document, index) => {
    const position = `document ${index + 1}`;
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        const line = error.linePos?.[0];
        const where = line ? `line ${line.line}, column ${line.col}` : position;
        problems.push(`${source.name}: ${where}: invalid YAML: ${firstLine(error.message)}`);
      }
      return;
    }
    const content: unknown = document.toJS({ maxAliasCount: 1000 });
    if (content === null || content === undefined) return; // a bare `---` or a comment-only document
    collect(content, { source: source.name, position }, manifests, problems);
  });
  return manifests;
}

function collect(content: unknown, location: ManifestLocation, manifests: Array<Manifest | string>, problems: { push(line: string): void }): void {
  if (!isRecord(content)) {
    problems.push(`${location.source}: ${location.position}: must be a mapping with apiVersion, kind, metadata and spec`);
    return;
  }
  if (typeof content.kind === 'string' && LIST_KINDS.has(content.kind)) {
    if (!Array.isArray(content.items)) {
      problems.push(`${location.source}: ${location.position} (${content.kind}): items must be a list`);
      return;
    }
    content.items.forEach((item, i) => {
      const itemLocation = { source: location.source, position: `${location.position}, items[${i}]` };
      if (isRecord(item)) manifests.push({ ...itemLocation, raw: item });
      else problems.push(`${location.source}: ${itemLocation.position}: must be a mapping with apiVersion, kind, metadata and spec`);
    });
    return;
  }
  manifests.push({ ...location, raw: content });
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
