// `nodewright event <file.json>`: shows what nodewright would do with an event (or a batch), without
// touching AWS: the notices it yields, the execution name each gets and the action it takes.
// Accepts what an operator has at hand: one EventBridge event, an array of them, or an SQS
// batch as the route-event Lambda receives it ({"Records": [{"body": "<event JSON>"}]}).

import { readFile } from 'node:fs/promises';
import { actionFor, classifyEvent, executionName } from '../../shared/events/index.ts';
import type { EventClassification } from '../../shared/events/index.ts';
import type { InterruptionAction, Notice } from '../../shared/types.ts';

export interface EventCommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  now: () => Date;
}

const USAGE = [
  'usage: nodewright event <file.json>',
  '',
  'Classifies an EventBridge event, an array of events, or an SQS batch ({"Records": [{"body": "..."}]})',
  'and prints the notices, execution names and actions nodewright would start.',
  'Exit status: 0 when every event is accepted or ignored, 2 when any is refused or the file is unusable.',
].join('\n');

const EXIT_OK = 0;
const EXIT_REFUSED = 2;

interface LabelledEvent {
  /** Where the event sits in the file, for messages about batches: `[3]` or `Records[3]`. */
  label: string;
  classification: EventClassification;
}

interface PlannedAction {
  instanceId: string;
  executionName: string;
  action: InterruptionAction;
}

type FileContent = { kind: 'single'; event: unknown } | { kind: 'batch'; events: LabelledEvent[] };

function classifySqsBody(body: unknown, label: string): LabelledEvent {
  if (typeof body !== 'string') {
    return { label, classification: { outcome: 'refused', reason: `body: expected the event as JSON text, got ${typeof body}` } };
  }
  try {
    return { label, classification: classifyEvent(JSON.parse(body)) };
  } catch (error) {
    return { label, classification: { outcome: 'refused', reason: `body is not valid JSON (${(error as Error).message})` } };
  }
}

function unpack(content: unknown): FileContent {
  if (Array.isArray(content)) {
    return { kind: 'batch', events: content.map((event, index) => ({ label: `[${index}]`, classification: classifyEvent(event) })) };
  }
  if (content !== null && typeof content === 'object' && Array.isArray((content as { Records?: unknown }).Records)) {
    const records = (content as { Records: unknown[] }).Records;
    return {
      kind: 'batch',
      events: records.map((record, index) => {
        const body = record !== null && typeof record === 'object' ? (record as { body?: unknown }).body : undefined;
        return classifySqsBody(body, `Records[${index}]`);
      }),
    };
  }
  return { kind: 'single', event: content };
}

function plan(notices: Notice[], now: Date): PlannedAction[] {
  return notices.map((notice) => ({ instanceId: notice.instanceId, executionName: executionName(notice), action: actionFor(notice, now) }));
}

const toJson = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

async function readJsonFile(path: string): Promise<{ ok: true; content: unknown } | { ok: false; message: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    return { ok: false, message: `cannot read ${path}: ${why}` };
  }
  try {
    return { ok: true, content: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `${path} is not valid JSON: ${(error as Error).message}` };
  }
}

export async function eventCommand(args: string[], io: EventCommandIo): Promise<number> {
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    io.stdout(`${USAGE}\n`);
    return EXIT_OK;
  }
  const [path] = args;
  if (args.length !== 1 || path === undefined || path.startsWith('-')) {
    io.stderr(`${USAGE}\n`);
    return EXIT_REFUSED;
  }

  const file = await readJsonFile(path);
  if (!file.ok) {
    io.stderr(`${file.message}\n`);
    return EXIT_REFUSED;
  }

  const now = io.now();
  const content = unpack(file.content);
  if (content.kind === 'single') {
    const classification = classifyEvent(content.event);
    switch (classification.outcome) {
      case 'notices':
        io.stdout(toJson({ notices: classification.notices, actions: plan(classification.notices, now) }));
        return EXIT_OK;
      case 'ignored':
        io.stdout(toJson({ ignored: classification.reason }));
        return EXIT_OK;
      case 'refused':
        io.stderr(`refused: ${classification.reason}\n`);
        return EXIT_REFUSED;
    }
  }

  // A batch reports everything it can: accepted notices go to stdout even when a neighbour is refused.
  const notices: Notice[] = [];
  const ignored: Array<{ event: string; reason: string }> = [];
  let refusals = 0;
  for (const { label, classification } of content.events) {
    if (classification.outcome === 'notices') notices.push(...classification.notices);
    else if (classification.outcome === 'ignored') ignored.push({ event: label, reason: classification.reason });
    else {
      refusals += 1;
      io.stderr(`refused: ${label}: ${classification.reason}\n`);
    }
  }
  io.stdout(toJson({ notices, actions: plan(notices, now), ...(ignored.length > 0 ? { ignored } : {}) }));
  return refusals > 0 ? EXIT_REFUSED : EXIT_OK;
}
