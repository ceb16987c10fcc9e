import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COLLECTION_STYLE, dump, visit } from 'js-yaml';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import type { ExperimentConfig } from './experiment-config.ts';
import type { KeyLineMap } from './key-line-map.ts';
import { applyOverrides } from './overrides.ts';
import { parseYaml } from './parse-yaml.ts';
import { resolveExperimentConfig } from './resolve-experiment-config.ts';
import { describeValue } from './validate-with-schema.ts';
import { systemErrorCode } from '../errors/system-error-code.ts';

export interface LoadedExperimentConfig {
  /**
   * The config as written, after overrides, with aliases expanded: what a train job
   * carries and what run.json / config.yaml store. Plain JSON-compatible data.
   */
  raw: Record<string, unknown>;
  /** The validated canonical form. */
  config: ExperimentConfig;
  /** Where each key is written, when the config came from YAML text. */
  lines?: KeyLineMap;
}

/**
 * Reads, parses, overrides and validates an experiment YAML file. Synchronous: config
 * files are a few kilobytes, and callers validate before they answer a request.
 * `source` is how messages name the file (the API names it as the client wrote it, not
 * by the server's absolute path).
 */
export function loadExperimentConfigFile(
  filePath: string,
  overrides: Record<string, unknown> = {},
  source: string = filePath,
): LoadedExperimentConfig {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    const reason = systemErrorCode(error) ?? String(error);
    throw new ConfigError(source, { key: '', message: `cannot read the config file (${reason})` });
  }
  return parseExperimentConfigText(text, source, overrides);
}

/** Parses YAML text (a file's content, or a request body) into a validated config. */
export function parseExperimentConfigText(
  text: string,
  source: string,
  overrides: Record<string, unknown> = {},
): LoadedExperimentConfig {
  const { value, lines } = parseYaml(text, source);
  return resolveWithOverrides(value, source, overrides, lines);
}

/** The same for a config that arrives as data (a JSON request body, a job payload). */
export function parseExperimentConfigObject(
  value: unknown,
  source: string,
  overrides: Record<string, unknown> = {},
): LoadedExperimentConfig {
  return resolveWithOverrides(value, source, overrides, undefined);
}

function resolveWithOverrides(
  value: unknown,
  source: string,
  overrides: Record<string, unknown>,
  lines: KeyLineMap | undefined,
): LoadedExperimentConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(source, {
      key: '',
      message: `expected a mapping at the top level, got ${describeValue(value)}`,
      ...lines?.get(''),
    });
  }
  const raw = applyOverrides(value as Record<string, unknown>, overrides, `${source} (overrides)`);
  try {
    const config = resolveExperimentConfig(raw, source, lines);
    return lines === undefined ? { raw, config } : { raw, config, lines };
  } catch (error) {
    throw error instanceof ConfigError ? blameOverrides(error, Object.keys(overrides)) : error;
  }
}

/**
 * A value set by an override is not where the file wrote it: its problems name the
 * override instead of a line. A problem with a mapping that an override wrote into
 * keeps its line and names the override too.
 */
export function blameOverrides(error: ConfigError, overridden: readonly string[]): ConfigError {
  if (overridden.length === 0) return error;
  const problems = error.problems.map((problem): ConfigProblem => {
    const by = overridden.find((path) => isWithin(problem.key, path));
    if (by !== undefined) return { key: problem.key, message: `${problem.message} (set by override ${by})` };
    const under = overridden.find((path) => isWithin(path, problem.key));
    return under === undefined ? problem : { ...problem, message: `${problem.message} (after override ${under})` };
  });
  return new ConfigError(error.source, problems);
}

/** Whether `key` is `path` or a key under it. */
function isWithin(key: string, path: string): boolean {
  return key === path || key.startsWith(`${path}.`) || key.startsWith(`${path}[`);
}

/**
 * Writes a raw config as YAML that reads back to the same data: no anchors (aliases
 * were expanded), lists of scalars on one line (`target_size: [128, 128]`).
 */
export function serializeConfigYaml(raw: Record<string, unknown>): string {
  return dump(raw, {
    noRefs: true,
    lineWidth: -1,
    transform: (documents) =>
      visit(documents, (node) => {
        if (node.kind === 'sequence' && node.items.length > 0 && node.items.every((item) => item.kind === 'scalar')) {
          node.style = COLLECTION_STYLE.FLOW;
        }
      }),
  });
}

/**
 * Turns a config path sent by a client (`smoke/baseline.yaml`, or with the directory's
 * own name in front: `configs/smoke/baseline.yaml`) into an absolute path inside
 * `configsDir`. Refuses absolute paths, `..`, backslashes and files that are not
 * `.yaml`/`.yml`, so no request can read outside the configs directory.
 */
/** A resolved config file as a client names it (`configs/smoke/baseline.yaml`), never the server's absolute path. */
export function shownConfigPath(configsDir: string, file: string): string {
  return path.relative(path.dirname(path.resolve(configsDir)), file);
}

export function resolveConfigPath(configsDir: string, relativePath: string): string {
  const refuse = (why: string): ConfigError =>
    new ConfigError('configPath', { key: '', message: `${JSON.stringify(relativePath)} ${why}` });
  if (relativePath.trim() === '') throw refuse('is empty; name a .yaml file under the configs directory');
  if (relativePath.includes('\0')) throw refuse('contains a NUL character');
  if (relativePath.includes('\\')) throw refuse('contains a backslash; separate folders with "/"');
  if (path.posix.isAbsolute(relativePath) || path.win32.isAbsolute(relativePath)) {
    throw refuse('is absolute; name a file relative to the configs directory, e.g. "smoke/baseline.yaml"');
  }
  let segments = relativePath.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw refuse('contains ".."; only files under the configs directory can be used');
  const root = path.resolve(configsDir);
  // `configs/smoke/baseline.yaml`, as written from the repository root, names the same file.
  if (segments.length > 1 && (segments[0] === path.basename(root) || segments[0] === 'configs')) segments = segments.slice(1);
  if (!/\.ya?ml$/i.test(segments[segments.length - 1] ?? '')) throw refuse('is not a .yaml or .yml file');
  return path.join(root, ...segments);
}
