/** Where a key (or a list item) is written in a YAML file; 1-based. */
export interface KeyPosition {
  line: number;
  column: number;
}

/**
 * Dotted key path → where that key is written. Keys of mappings are joined with `.`,
 * list items are written `[index]`: `model.params.channels[2]`. The root is `''`.
 */
export type KeyLineMap = ReadonlyMap<string, KeyPosition>;

/** Formats a path the way every config message writes it: `a.b[2].c`. */
export function formatKeyPath(segments: readonly PropertyKey[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += path === '' ? String(segment) : `.${String(segment)}`;
  }
  return path;
}

/** Appends one segment to a formatted path. */
export function childKeyPath(parent: string, segment: string | number): string {
  if (typeof segment === 'number') return `${parent}[${segment}]`;
  return parent === '' ? segment : `${parent}.${segment}`;
}

/**
 * The position of `key`, or of its nearest ancestor that is written in the file: a
 * missing key is reported where its parent is, a value that came from an alias where
 * the alias is.
 */
export function findKeyPosition(lines: KeyLineMap | undefined, key: string): KeyPosition | undefined {
  if (lines === undefined) return undefined;
  let path = key;
  for (;;) {
    const position = lines.get(path);
    if (position !== undefined) return position;
    if (path === '') return undefined;
    path = parentKeyPath(path);
  }
}

function parentKeyPath(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut <= 0 ? '' : path.slice(0, cut);
}
