export const SWEEP_STATUSES = ['queued', 'running', 'completed', 'cancelled', 'failed'] as const;
export type SweepStatus = (typeof SWEEP_STATUSES)[number];

/** `sweeps/<id>/sweep.json`: what the sweep is and how far it got. */
export interface SweepRecord {
  id: string;
  name: string;
  status: SweepStatus;
  method: string;
  metric: { name: string; goal: 'minimize' | 'maximize' };
  maxTrials: number;
  maxConcurrent: number;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
}

export type TrialStatus = 'running' | 'stopped' | 'completed' | 'failed' | 'cancelled';

/** A trial as the controller and the API see it. */
export interface TrialView {
  index: number;
  runId: string;
  params: Record<string, unknown>;
  status: TrialStatus;
  /** Epochs the trial is allowed (its current rung under ASHA). */
  budget: number;
  epochsRun: number;
  /** The sweep metric at the trial's last report, or null before its first. */
  value: number | null;
  /** Metric value per reported epoch (rung). */
  reports: Record<string, number>;
}
