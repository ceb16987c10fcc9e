import type { JobRouting } from '../routing/enqueue-routed-job.ts';
/** The states of an evaluation, as users see them. */
export const EVALUATION_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type EvaluationStatus = (typeof EVALUATION_STATUSES)[number];

/** Metrics of one pathological dataset scored against the task's normal set. */
export interface DatasetResult {
  dataset: string;
  normals: number;
  pathological: number;
  auroc: number;
  auprc: number;
  /** FPR at the first operating point with TPR ≥ 95 % (and 99 %), with its score threshold. */
  fpr95: number;
  fpr95_threshold: number;
  fpr99: number;
  fpr99_threshold: number;
  /** Pixel-level metrics where the dataset has masks; null otherwise. */
  pixel_auroc: number | null;
  pixel_auprc: number | null;
  best_dice: number | null;
  best_dice_threshold: number | null;
}

/**
 * One of the first test images of a dataset, as separate pictures on the strips' scales
 * (residual in inferno on [0, 0.5]), so that a gallery can set runs side by side.
 */
export interface ImageSample {
  dataset: string;
  /** Position in the dataset's test split: the same image in every run of the same task. */
  index: number;
  file: string;
  score: number;
  /** Picture keys relative to the evaluation folder. */
  input: string;
  reconstruction: string;
  residual: string;
}

/** Results of one downstream task: a normal set against one or more pathological sets. */
export interface TaskResult {
  task: string;
  normal_dataset: string;
  /** Reconstruction quality on the normal set (means over its images). */
  normal_l1: number;
  normal_mse: number;
  normal_ssim: number;
  datasets: DatasetResult[];
  /** Storage keys of the pictures, relative to the evaluation folder. */
  pictures: string[];
  /** The images of the strips one by one (absent in results written before samples were kept). */
  samples?: ImageSample[];
}

/** `runs/<runId>/eval/<evalId>/evaluation.json`. */
export interface EvaluationRecord {
  id: string;
  runId: string;
  checkpoint: 'best' | 'latest';
  tasks: string[];
  status: EvaluationStatus;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
  /** Images scored so far and in all. */
  scored: number;
  total: number;
  /** Where its job was queued (labels, priority, submitter), so a job lost with Redis is queued alike; absent in records from before routing. */
  routing?: JobRouting;
}
