import type { DataLoaderConfig, DownstreamTaskConfig } from '../config/experiment-config.ts';
import type { ImageDataset } from './image-dataset.ts';
import { openDataset } from './open-dataset.ts';

/** The loader of one downstream dataset: the task's loader, its test CSVs, its args over the task's. */
export function downstreamDatasetLoader(task: DownstreamTaskConfig, datasetName: string): DataLoaderConfig {
  const spec = task.datasets[datasetName];
  return {
    ...task.dataLoader,
    dataDir: { train: [], val: [], test: spec.test },
    args: { ...task.dataLoader.args, ...spec.args },
  };
}

/**
 * Opens the test split of every dataset of a downstream task. The first dataset whose name
 * contains "Normal" is the negative set (label 0), every other one positive, as the
 * official evaluator decides.
 */
export async function openTaskDatasets(
  task: DownstreamTaskConfig,
  taskName: string,
  dataRoot: string,
): Promise<Array<{ task: string; name: string; dataset: ImageDataset; label: 0 | 1 }>> {
  const names = Object.keys(task.datasets);
  const normal = names.find((name) => name.includes('Normal'));
  if (normal === undefined) {
    throw new Error(`downstream task "${taskName}": no dataset name contains "Normal" (the negative set, as in the official evaluator); datasets: ${names.join(', ')}`);
  }
  const entries = [];
  for (const name of names) {
    const loader = downstreamDatasetLoader(task, name);
    entries.push({ task: taskName, name, dataset: await openDataset(loader, 'test', { dataRoot }), label: (name === normal ? 0 : 1) as 0 | 1 });
  }
  return entries;
}
