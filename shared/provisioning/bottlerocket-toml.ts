// Just enough TOML for Bottlerocket user data: read a user's settings, merge nodewright's into
// them, write them back. Values are kept verbatim; only tables and keys are understood.

import { InvalidInputError } from '../errors.ts';

/**
 * Just enough TOML to merge a user's Bottlerocket settings with nodewright's: tables, dotted
 * keys and single- or multi-line values kept verbatim. Arrays of tables are refused.
 */
export class TomlDocument {
  private readonly tables = new Map<string, Map<string, string>>();

  table(path: string): Map<string, string> {
    let table = this.tables.get(path);
    if (!table) {
      table = new Map();
      this.tables.set(path, table);
    }
    return table;
  }

  remove(path: string): void {
    this.tables.delete(path);
  }

  render(): string {
    const out: string[] = [];
    const root = this.tables.get('');
    if (root) for (const [key, value] of root) out.push(`${key} = ${value}`);
    for (const [path, table] of this.tables) {
      if (path === '' || table.size === 0) continue;
      if (out.length > 0) out.push('');
      out.push(`[${path}]`);
      for (const [key, value] of table) out.push(`${key} = ${value}`);
    }
    return `${out.join('\n')}\n`;
  }
}

export function parseToml(text: string, nodeClassName: string): TomlDocument {
  const document = new TomlDocument();
  const fail = (lineNumber: number, why: string): never => {
    throw new InvalidInputError(`EC2NodeClass "${nodeClassName}" userData: Bottlerocket TOML line ${lineNumber}: ${why}`);
  };
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let current: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[[')) fail(i + 1, 'arrays of tables are not supported');
    if (line.startsWith('[')) {
      const header = /^\[([^\]]+)\]\s*(#.*)?$/.exec(line);
      if (!header) fail(i + 1, `malformed table header ${JSON.stringify(line)}`);
      current = splitDottedKey(header![1]!.trim());
      continue;
    }
    const eq = indexOfUnquoted(line, '=');
    if (eq <= 0) fail(i + 1, `expected "key = value"; got ${JSON.stringify(line)}`);
    const keyPath = [...current, ...splitDottedKey(line.slice(0, eq).trim())];
    let value = line.slice(eq + 1).trim();
    const start = i + 1;
    while (!valueComplete(value)) {
      i += 1;
      if (i >= lines.length) fail(start, 'value is never closed');
      value += `\n${lines[i]}`;
    }
    const key = keyPath.pop()!;
    document.table(keyPath.map(tomlKey).join('.')).set(tomlKey(key), value);
  }
  return document;
}

/** `settings."kubernetes".node-labels` -> ['settings', 'kubernetes', 'node-labels']. */
function splitDottedKey(text: string): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > 0) {
    let part: string;
    if (rest.startsWith('"') || rest.startsWith("'")) {
      const quote = rest[0]!;
      const end = rest.indexOf(quote, 1);
      part = rest.slice(1, end);
      rest = rest.slice(end + 1).trim();
    } else {
      const dot = rest.indexOf('.');
      part = (dot === -1 ? rest : rest.slice(0, dot)).trim();
      rest = dot === -1 ? '' : rest.slice(dot);
    }
    parts.push(part);
    rest = rest.replace(/^\s*\.\s*/, '');
  }
  return parts;
}

function indexOfUnquoted(text: string, char: string): number {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote && text[i - 1] !== '\\') quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === char) return i;
  }
  return -1;
}

/** A value is complete once multi-line strings are closed and brackets balance (outside strings). */
function valueComplete(value: string): boolean {
  for (const fence of ['"""', "'''"]) {
    if (value.startsWith(fence)) return value.length >= 6 && value.indexOf(fence, 3) !== -1;
  }
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quote) {
      if (c === quote && value[i - 1] !== '\\') quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') break;
    else if (c === '[' || c === '{') depth += 1;
    else if (c === ']' || c === '}') depth -= 1;
  }
  return depth <= 0;
}

export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

export function tomlString(value: string): string {
  return JSON.stringify(value);
}
