import type { DataLoaderConfig, DownstreamTaskConfig } from '../config/experiment-config.ts';

/** The loader of one downstream dataset: the task's loader, its test CSVs, its args over the task's. */
export function downstreamDatasetLoader(task: DownstreamTaskConfig, datasetName: string): DataLoaderConfig {
  const spec = task.datasets[datasetName];
  return {
    ...task.dataLoader,
    dataDir: { train: [], val: [], test: spec.test },
    args: { ...task.dataLoader.args, ...spec.args },
  };
}
