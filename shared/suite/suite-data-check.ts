import type { ConfigProblem } from '../config/config-error.ts';
import { openDataset } from '../data/open-dataset.ts';
import { openTaskDatasets } from '../data/downstream-dataset-loader.ts';
import type { ParsedSuite } from './suite-spec.ts';

/**
 * The data every method of a suite trains and is evaluated on, opened on `dataRoot` the
 * way a worker opens it (the csv loader checks every listed file): one problem per method
 * whose split CSVs or images are missing, keyed `methods[i].config`. Seeds share a
 * method's data, so each method is checked once.
 */
export async function missingDataProblems(suite: ParsedSuite, dataRoot: string): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  for (const [index, method] of suite.spec.methods.entries()) {
    const entry = suite.entries.find((candidate) => candidate.label === method.label);
    if (entry === undefined) continue;
    const { config } = entry;
    try {
      for (const split of ['train', 'val'] as const) await openDataset(config.trainer.dataLoader, split, { dataRoot });
      for (const [name, task] of Object.entries(config.downstreamTasks)) await openTaskDatasets(task, name, dataRoot);
    } catch (error) {
      problems.push({ key: `methods[${index}].config`, message: `${JSON.stringify(method.config)}: data missing on the data root ${dataRoot}: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return problems;
}
