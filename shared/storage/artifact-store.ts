/**
 * The shared record of science: every worker and the API see the same store
 * (a local or NFS directory). Keys are POSIX-style relative paths such as
 * `runs/<runId>/metrics.jsonl`; a key never starts with `/` and never contains `..`.
 *
 * Every write is atomic: a reader, or a crash in the middle, sees the old content or
 * the new content, never half of it.
 */
export interface ArtifactStore {
  /** Human-readable location, e.g. `/mnt/aelab` (written to logs and run.json). */
  readonly location: string;
  /** Writes the whole object atomically (temporary name, fsync, rename). */
  write(key: string, data: Uint8Array | string): Promise<void>;
  /** Appends one line (a `\n` is added). Appends of one line are never interleaved. */
  appendLine(key: string, line: string): Promise<void>;
  /** Reads an object; throws `ArtifactNotFoundError` when it does not exist. */
  read(key: string): Promise<Buffer>;
  readText(key: string): Promise<string>;
  exists(key: string): Promise<boolean>;
  /** Direct children (files and folders) of a folder key; empty when it does not exist. */
  list(prefix: string): Promise<string[]>;
  /** Removes an object or a whole folder; no error when it does not exist. */
  remove(key: string): Promise<void>;
  /**
   * Points `alias` at the folder `target` (both keys) in one atomic step, so that a
   * reader of `alias` sees either the previous target or the new one.
   */
  pointTo(alias: string, target: string): Promise<void>;
  /** The folder an alias currently points at, or null when the alias does not exist. */
  resolveAlias(alias: string): Promise<string | null>;
  /**
   * The absolute filesystem path of a key, or null when the key escapes the store
   * (`..`, absolute paths, symlinks that lead outside). Used to serve artifacts.
   */
  safeLocalPath(key: string): Promise<string | null>;
  /** True when the store answers and can be written to (readiness probe). */
  checkWritable(): Promise<void>;
}

export class ArtifactNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`artifact not found: ${key}`);
    this.name = 'ArtifactNotFoundError';
  }
}

export class ArtifactKeyError extends Error {
  constructor(readonly key: string, reason: string) {
    super(`invalid artifact key "${key}": ${reason}`);
    this.name = 'ArtifactKeyError';
  }
}
