import {
  CORE_SCHEMA,
  EVENT_ID,
  SCALAR_STYLE,
  YAMLException,
  constructFromEvents,
  defineSequenceTag,
  getScalarValue,
  mergeTag,
  parseEvents,
  type AliasEvent,
  type Event,
  type MappingEvent,
  type ScalarEvent,
  type SequenceEvent,
} from 'js-yaml';
import { ConfigError } from './config-error.ts';
import { childKeyPath, findKeyPosition, type KeyLineMap, type KeyPosition } from './key-line-map.ts';

/**
 * PyYAML writes tuples as `!!python/tuple [128, 128]` and the official configs use it
 * for sizes; a tuple is a list for us.
 */
const pythonTupleTag = defineSequenceTag<unknown[]>('tag:yaml.org,2002:python/tuple', {
  create: () => [],
  addItem: (items, item) => {
    items.push(item);
  },
  identify: () => false,
});

/**
 * YAML 1.2 core schema (so `1e-3` is a number and `yes` a string), plus `<<` merge keys
 * and `!!python/tuple`, which PyYAML's FullLoader (the official loader) also accepts.
 */
export const CONFIG_YAML_SCHEMA = CORE_SCHEMA.withTags(pythonTupleTag, mergeTag);

export interface ParsedYaml {
  /** The document as plain data (aliases resolved; an empty document is `null`). */
  value: unknown;
  /** Where each key and list item is written. */
  lines: KeyLineMap;
}

/**
 * Parses one YAML document. Syntax errors, unknown tags, duplicate keys and unknown
 * aliases become a ConfigError naming the line and column.
 */
export function parseYaml(text: string, source: string): ParsedYaml {
  let events: Event[];
  let documents: unknown[];
  try {
    events = parseEvents(text, { filename: source });
    documents = constructFromEvents(events, { source: text, filename: source, schema: CONFIG_YAML_SCHEMA });
  } catch (error) {
    if (error instanceof YAMLException) {
      const mark = error.mark;
      throw new ConfigError(source, {
        key: '',
        message: `invalid YAML: ${error.reason}`,
        ...(mark ? { line: mark.line + 1, column: mark.column + 1 } : {}),
      });
    }
    throw error;
  }
  if (documents.length > 1) {
    throw new ConfigError(source, {
      key: '',
      message: `expected one YAML document, found ${documents.length}`,
      ...secondDocumentStart(text, events),
    });
  }
  const value = documents[0] ?? null;
  const lines = mapKeyPositions(text, events);
  if (events.some((event) => event.type === EVENT_ID.ALIAS)) {
    const problem = aliasExpansionProblem(value);
    if (problem !== null) throw new ConfigError(source, { ...problem, ...findKeyPosition(lines, problem.key) });
  }
  return { value, lines };
}

/**
 * The most values a document may hold once its aliases are expanded. Configs hold a few
 * hundred; a few lines of nested aliases ("billion laughs") would otherwise expand to
 * billions when the config is copied or written out, and take the process down.
 */
export const MAX_EXPANDED_YAML_VALUES = 100_000;

// Aliases share nodes: the document is a graph. Walked iteratively (a deep graph must
// not overflow the stack) with the ancestors of each node known, so that an alias inside
// its own anchor (`a: &a [*a]`), which would make copying never end, is found too.
function aliasExpansionProblem(value: unknown): { key: string; message: string } | null {
  type Step = { value: unknown; path: string } | { leave: object };
  const pending: Step[] = [{ value, path: '' }];
  const ancestors = new Set<object>();
  let count = 0;
  while (pending.length > 0) {
    const step = pending.pop()!;
    if ('leave' in step) {
      ancestors.delete(step.leave);
      continue;
    }
    count += 1;
    if (count > MAX_EXPANDED_YAML_VALUES) {
      return { key: step.path, message: `aliases expand the document to more than ${MAX_EXPANDED_YAML_VALUES} values; write the values out or use fewer aliases` };
    }
    const node = step.value;
    if (node === null || typeof node !== 'object') continue;
    if (ancestors.has(node)) return { key: step.path, message: 'an alias refers to a mapping or list that contains it, which would repeat without end' };
    ancestors.add(node);
    pending.push({ leave: node });
    const children: [string | number, unknown][] = Array.isArray(node) ? node.map((item, index) => [index, item]) : Object.entries(node);
    for (const [key, child] of children.reverse()) pending.push({ value: child, path: childKeyPath(step.path, key) });
  }
  return null;
}

// Documents carry no offsets: the second one starts where its first node does.
function secondDocumentStart(text: string, events: readonly Event[]): KeyPosition | Record<string, never> {
  let documents = 0;
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) documents += 1;
    else if (documents === 2 && event.type !== EVENT_ID.POP) return offsetToPosition(text)(nodeStart(event));
  }
  return {};
}

type Frame =
  | { kind: 'document' }
  // `key` undefined: the next node is a key; null: the value of a key we do not track.
  | { kind: 'mapping'; path: string | null; key: string | null | undefined }
  | { kind: 'sequence'; path: string | null; index: number };

/**
 * Walks the parser's event stream (the same one the value was built from) and records
 * the position of every scalar key and list item. Complex keys (`? [a, b]`) and
 * everything under them are not tracked.
 */
function mapKeyPositions(text: string, events: readonly Event[]): KeyLineMap {
  const toPosition = offsetToPosition(text);
  const positions = new Map<string, KeyPosition>();
  const stack: Frame[] = [];
  let complexKeyDepth = 0;
  let documentsSeen = 0;

  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      documentsSeen += 1;
      stack.push({ kind: 'document' });
      continue;
    }
    if (documentsSeen > 1) continue;
    if (complexKeyDepth > 0) {
      if (event.type === EVENT_ID.SEQUENCE || event.type === EVENT_ID.MAPPING) complexKeyDepth += 1;
      if (event.type === EVENT_ID.POP) complexKeyDepth -= 1;
      continue;
    }
    if (event.type === EVENT_ID.POP) {
      stack.pop();
      continue;
    }

    const parent = stack[stack.length - 1];
    const isCollection = event.type === EVENT_ID.SEQUENCE || event.type === EVENT_ID.MAPPING;
    let path: string | null;
    if (parent === undefined || parent.kind === 'document') {
      path = '';
    } else if (parent.kind === 'mapping' && parent.key === undefined) {
      if (event.type === EVENT_ID.SCALAR) {
        parent.key = getScalarValue(text, event);
        if (parent.path !== null) positions.set(childKeyPath(parent.path, parent.key), toPosition(nodeStart(event)));
      } else {
        parent.key = null;
        if (isCollection) complexKeyDepth = 1;
      }
      continue;
    } else if (parent.kind === 'mapping') {
      const key = parent.key;
      path = parent.path === null || key == null ? null : childKeyPath(parent.path, key);
      parent.key = undefined;
    } else {
      path = parent.path === null ? null : childKeyPath(parent.path, parent.index);
      parent.index += 1;
      if (path !== null) positions.set(path, toPosition(nodeStart(event)));
    }
    if (path === '') positions.set('', toPosition(nodeStart(event)));
    if (event.type === EVENT_ID.MAPPING) stack.push({ kind: 'mapping', path, key: undefined });
    if (event.type === EVENT_ID.SEQUENCE) stack.push({ kind: 'sequence', path, index: 0 });
  }
  return positions;
}

// Where a reader sees the node begin: its anchor or tag if it has one, the opening
// quote of a quoted scalar, the `*` of an alias.
function nodeStart(event: ScalarEvent | SequenceEvent | MappingEvent | AliasEvent): number {
  if (event.type === EVENT_ID.ALIAS) return event.anchorStart - 1;
  let start = event.type === EVENT_ID.SCALAR ? event.valueStart : event.start;
  if (event.type === EVENT_ID.SCALAR && (event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED)) {
    start -= 1;
  }
  if (event.anchorStart >= 0) start = Math.min(start, event.anchorStart - 1);
  if (event.tagStart >= 0) start = Math.min(start, event.tagStart);
  return start;
}

function offsetToPosition(text: string): (offset: number) => KeyPosition {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low] + 1 };
  };
}
