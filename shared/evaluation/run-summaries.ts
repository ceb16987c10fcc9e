import { parseExperimentConfigText } from '../config/load-experiment-config.ts';
import type { ExperimentConfig } from '../config/experiment-config.ts';
import type { RunRepository } from '../runs/run-repository.ts';
import type { ArtifactStore } from '../storage/artifact-store.ts';
import { EvaluationRepository } from './evaluation-repository.ts';

/** What a row of the runs table shows beyond run.json. */
export interface RunSummary {
  /** The training data: the dataset's registry name, and for csv datasets the first train CSV. */
  dataset: string | null;
  /** AUROC of the first pathological dataset of the newest completed evaluation, with its id. */
  latestAuroc: { evalId: string; task: string; dataset: string; value: number } | null;
}

/**
 * Table summaries of runs. A run's config never changes, so its dataset is read once per
 * process; the AUROC is looked up on every call because evaluations come and go.
 */
export class RunSummaries {
  private readonly datasets = new Map<string, string | null>();
  private readonly evaluations: EvaluationRepository;

  constructor(
    store: ArtifactStore,
    private readonly runs: RunRepository,
  ) {
    this.evaluations = new EvaluationRepository(store);
  }

  async of(runId: string): Promise<RunSummary> {
    return { dataset: await this.datasetOf(runId), latestAuroc: await this.latestAuroc(runId) };
  }

  private async datasetOf(runId: string): Promise<string | null> {
    if (!this.datasets.has(runId)) {
      let dataset: string | null = null;
      try {
        dataset = describeDataset(parseExperimentConfigText(await this.runs.configYaml(runId), `runs/${runId}/config.yaml`).config);
      } catch {
        // A run whose config cannot be read still gets its row; the column stays empty.
      }
      this.datasets.set(runId, dataset);
    }
    return this.datasets.get(runId) ?? null;
  }

  private async latestAuroc(runId: string): Promise<RunSummary['latestAuroc']> {
    const newest = await this.evaluations.newestCompleted(runId);
    const first = newest === null ? undefined : (await this.evaluations.results(newest))?.[0];
    const dataset = first?.datasets[0];
    if (newest === null || first === undefined || dataset === undefined) return null;
    return { evalId: newest.id, task: first.task, dataset: dataset.dataset, value: dataset.auroc };
  }
}

function describeDataset(config: ExperimentConfig): string {
  const loader = config.trainer.dataLoader;
  const firstCsv = loader.dataDir.train[0];
  if (loader.name !== 'csv' || firstCsv === undefined) return loader.name;
  return firstCsv.split('/').filter((part) => part !== '.' && part.length > 0).join('/');
}
