import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadExperimentConfigFile } from '../shared/config/load-experiment-config.ts';
import { knownModelNames } from '../shared/ml/model-registry.ts';

export const REPO_ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
/** The configs the training benchmarks run; named like the official ones in projects/23_morphaeus/configs/cxr. */
export const CONFIG_DIR = path.join(REPO_ROOT, 'configs/experiments/cxr');

export interface BenchConfig {
  /** File name without .yaml. */
  name: string;
  path: string;
  modelName: string;
}

export function allConfigs(): BenchConfig[] {
  return readdirSync(CONFIG_DIR)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const configPath = path.join(CONFIG_DIR, file);
      return { name: file.slice(0, -'.yaml'.length), path: configPath, modelName: loadExperimentConfigFile(configPath).config.model.name };
    });
}

/** The configs `--models` names (by config or model name); all when absent. */
export function selectConfigs(configs: readonly BenchConfig[], filter: string[] | undefined): BenchConfig[] {
  if (filter === undefined) return [...configs];
  const unknown = filter.filter((name) => !configs.some((config) => config.name === name || config.modelName === name));
  if (unknown.length > 0) {
    const valid = [...new Set(configs.flatMap((config) => [config.name, config.modelName]))].sort();
    throw new Error(`--models: unknown ${unknown.map((name) => `"${name}"`).join(', ')}; valid: ${valid.join(', ')}`);
  }
  return configs.filter((config) => filter.includes(config.name) || filter.includes(config.modelName));
}

/** Registered models that no config in CONFIG_DIR builds (e.g. test models); the report names them. */
export function modelsWithoutConfig(configs: readonly BenchConfig[]): string[] {
  return knownModelNames().filter((model) => !configs.some((config) => config.modelName === model));
}

export function tfjsVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8')) as { version: string };
  return manifest.version;
}
