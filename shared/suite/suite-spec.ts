import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, formatConfigProblem, type ConfigProblem } from '../config/config-error.ts';
import type { ExperimentConfig } from '../config/experiment-config.ts';
import { findKeyPosition, type KeyLineMap } from '../config/key-line-map.ts';
import { loadExperimentConfigFile, resolveConfigPath } from '../config/load-experiment-config.ts';
import { parseYaml } from '../config/parse-yaml.ts';
import { validateWithSchema } from '../config/validate-with-schema.ts';
import { type JobPriority, jobPrioritySchema } from '../contracts/job-priority.ts';
import { canonicalLabels, requiredLabelsSchema } from '../contracts/worker-labels.ts';
import { systemErrorCode } from '../errors/system-error-code.ts';
import { validateExperiment } from '../experiment/validate-experiment.ts';
import { suiteRunId } from './suite-run-id.ts';

/** A suite name is a folder under `reproductions/` and the front of its run ids. */
export const SUITE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** One method × seed of a suite: the run that trains it. */
export interface SuiteEntry {
  label: string;
  seed: number;
  runId: string;
  /** The config as the run trains it: the method's file, its overrides, the seed. */
  raw: Record<string, unknown>;
  config: ExperimentConfig;
}

/** A validated suite file. */
export interface SuiteSpec {
  name: string;
  seeds: number[];
  methods: { label: string; config: string; overrides: Record<string, unknown> }[];
  /** Given for every run of the suite, replacing what its config says; a method's overrides replace these in turn. */
  requires?: string[];
  priority?: JobPriority;
}

export interface ParsedSuite {
  spec: SuiteSpec;
  /** Method-major: every seed of the first method, then of the second… */
  entries: SuiteEntry[];
  /** Where each key is written, when the suite came from YAML text. */
  lines?: KeyLineMap;
}

const suiteSchema = z.strictObject({
  name: z.string().regex(SUITE_NAME, { error: 'expected letters, digits, "-" or "_" (at most 64), starting with a letter or digit' }),
  seeds: z.array(z.number().int().min(0).max(2 ** 32 - 1)).min(1),
  methods: z
    .array(
      z.strictObject({
        label: z.string().min(1).max(64),
        config: z.string().min(1),
        overrides: z.record(z.string(), z.unknown()).default({}),
      }),
    )
    .min(1),
  requires: requiredLabelsSchema.optional(),
  priority: jobPrioritySchema.optional(),
});

/** Reads and validates a suite YAML file; see `parseSuiteSpec`. */
export function loadSuiteSpecFile(filePath: string, source: string, configsDir: string): ParsedSuite {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    throw new ConfigError(source, { key: '', message: `cannot read the suite file (${systemErrorCode(error) ?? String(error)})` });
  }
  return parseSuiteSpec(text, source, configsDir);
}

/**
 * Validates a suite (YAML text, or the same structure as data) and loads every method's
 * config with its overrides and each seed. Every problem is one line naming the suite's
 * source, line and key (`methods[1].config`, `methods[2].label`, `seeds[1]`): a config
 * that is missing, invalid or without downstream tasks, a duplicate label or seed.
 */
export function parseSuiteSpec(input: unknown, source: string, configsDir: string): ParsedSuite {
  const { value, lines } = typeof input === 'string' ? parseYaml(input, source) : { value: input, lines: undefined };
  const written = validateWithSchema(suiteSchema, value, source, lines);
  const problems: ConfigProblem[] = [];
  written.seeds.forEach((seed, index) => {
    if (written.seeds.indexOf(seed) !== index) problems.push({ key: `seeds[${index}]`, message: `seed ${seed} is listed twice` });
  });
  const entries: SuiteEntry[] = [];
  written.methods.forEach((method, index) => {
    const key = `methods[${index}]`;
    const first = written.methods.findIndex((other) => other.label === method.label);
    if (first !== index) {
      problems.push({ key: `${key}.label`, message: `duplicate label "${method.label}" (also methods[${first}]); each method needs its own` });
      return;
    }
    for (const seed of written.seeds) {
      const overrides = { ...routingOverrides(written), ...method.overrides, seed, name: `${written.name}-${method.label}` };
      const loaded = loadMethodConfig(method.config, overrides, configsDir, `${key}.config`, problems);
      if (loaded === null) return;
      entries.push({ label: method.label, seed, runId: suiteRunId(written.name, method.label, seed), ...loaded });
    }
  });
  if (problems.length > 0) throw new ConfigError(source, problems.map((problem) => ({ ...problem, ...findKeyPosition(lines, problem.key) })));
  const spec: SuiteSpec = { name: written.name, seeds: written.seeds, methods: written.methods, ...routingOverrides(written) };
  return lines === undefined ? { spec, entries } : { spec, entries, lines };
}

/** The suite's own `requires` and `priority`, where it gives them, as config overrides. */
function routingOverrides(written: Pick<SuiteSpec, 'requires' | 'priority'>): Pick<SuiteSpec, 'requires' | 'priority'> {
  return {
    ...(written.requires === undefined ? {} : { requires: canonicalLabels(written.requires) }),
    ...(written.priority === undefined ? {} : { priority: written.priority }),
  };
}

/** The method's config with its overrides, or null after recording why it cannot be used. */
function loadMethodConfig(
  path: string,
  overrides: Record<string, unknown>,
  configsDir: string,
  key: string,
  problems: ConfigProblem[],
): { raw: Record<string, unknown>; config: ExperimentConfig } | null {
  try {
    const loaded = loadExperimentConfigFile(resolveConfigPath(configsDir, path), overrides, path);
    validateExperiment(loaded, path);
    if (Object.keys(loaded.config.downstreamTasks).length === 0) {
      problems.push({ key, message: `${JSON.stringify(path)} has no downstream_tasks, so its runs could not be evaluated for the table` });
      return null;
    }
    return { raw: loaded.raw, config: loaded.config };
  } catch (error) {
    if (error instanceof ConfigError) {
      const why = error.problems.map((problem) => formatConfigProblem(error.source, problem)).join('; ');
      problems.push({ key, message: `${JSON.stringify(path)} is not a usable experiment config: ${why}` });
      return null;
    }
    throw error;
  }
}
