/** One thing wrong with a config: where it is and what is wrong. */
export interface ConfigProblem {
  /** Dotted key path, e.g. `trainer.params.optimizer_params.lr`; empty for the whole document. */
  key: string;
  /** What is wrong, e.g. `expected a number, got "abc"`. */
  message: string;
  /** 1-based line of the key in the source, when known. */
  line?: number;
  /** 1-based column of the key in the source, when known. */
  column?: number;
}

/**
 * A config that cannot be used. The message names the source, line, column and key
 * of every problem, one line each, e.g.
 * `configs/x.yaml:42:7: trainer.params.optimizer_params.lr: expected a number, got "abc"`.
 * The fields describe the first problem; `problems` holds all of them, in file order.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** File path, or what the config came from (e.g. `request body`). */
  readonly source: string;
  readonly key: string;
  readonly line?: number;
  readonly column?: number;
  readonly problems: readonly ConfigProblem[];

  constructor(source: string, problems: ConfigProblem | readonly ConfigProblem[]) {
    const list = sortByPosition(Array.isArray(problems) ? problems : [problems as ConfigProblem]);
    if (list.length === 0) throw new Error('ConfigError needs at least one problem');
    super(list.map((problem) => formatConfigProblem(source, problem)).join('\n'));
    const first = list[0];
    this.source = source;
    this.key = first.key;
    if (first.line !== undefined) this.line = first.line;
    if (first.column !== undefined) this.column = first.column;
    this.problems = list;
  }
}

/** `source:line:column: key: message`, leaving out the parts that are unknown or empty. */
export function formatConfigProblem(source: string, problem: ConfigProblem): string {
  let where = source;
  if (problem.line !== undefined) {
    where += `:${problem.line}`;
    if (problem.column !== undefined) where += `:${problem.column}`;
  }
  return problem.key === '' ? `${where}: ${problem.message}` : `${where}: ${problem.key}: ${problem.message}`;
}

// Validators report in schema order; a reader fixes a file top to bottom.
function sortByPosition(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems
    .map((problem, index) => ({ problem, index }))
    .sort(
      (a, b) =>
        (a.problem.line ?? Infinity) - (b.problem.line ?? Infinity) ||
        (a.problem.column ?? 0) - (b.problem.column ?? 0) ||
        a.index - b.index,
    )
    .map(({ problem }) => problem);
}
