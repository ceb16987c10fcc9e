import cliProgress from 'cli-progress';
import type { EpochMetrics, RunRecord } from '../../shared/contracts/run-record.ts';
import { describeMetrics } from '../../shared/observability/describe-metrics.ts';
import type { TrainProgress } from '../../shared/contracts/train-job.ts';
import type { ApiClient } from './api-client.ts';

type RunView = RunRecord & { progress: TrainProgress | number | null; waitingFor?: string | null };

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

/**
 * Follows a run until it ends: a progress bar (epoch, batch, loss, ETA) on a terminal,
 * and one line per finished epoch with its metrics on any output.
 */
export async function watchRun(client: ApiClient, runId: string, options: { pollMs?: number } = {}): Promise<RunRecord> {
  const interactive = process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    {
      format: '  {bar} {percentage}% | epoch {epoch}/{total_epochs} batch {batch} | loss {loss} | {speed} img/s | ETA {eta_text}',
      hideCursor: true,
      clearOnComplete: true,
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let barStarted = false;
  let printedEpochs = 0;
  let lastStatus = '';
  let lastWaitingFor: string | null = null;
  try {
    for (;;) {
      const run = await client.get<RunView>(`/api/v1/runs/${runId}`);
      if (run.epoch > printedEpochs) {
        const { epochs } = await client.get<{ epochs: EpochMetrics[] }>(`/api/v1/runs/${runId}/metrics`);
        for (const record of epochs.slice(printedEpochs)) log(`  epoch ${record.epoch + 1}/${run.totalEpochs}  ${describeMetrics(record)}`);
        printedEpochs = epochs.length;
      }
      if (run.status !== lastStatus) {
        log(`run ${run.id} is ${run.status}${run.worker ? ` on ${run.worker.host}${run.worker.backend ? ` (${run.worker.backend}, ${run.worker.device})` : ''}` : ''}`);
        lastStatus = run.status;
      }
      const waitingFor = run.waitingFor ?? null;
      if (waitingFor !== null && waitingFor !== lastWaitingFor) log(`  waiting for ${waitingFor}`);
      lastWaitingFor = waitingFor;
      const progress = typeof run.progress === 'object' && run.progress !== null ? run.progress : null;
      if (interactive && progress !== null && !FINISHED.has(run.status)) {
        const payload = {
          epoch: Math.min(progress.epoch + 1, progress.totalEpochs),
          total_epochs: progress.totalEpochs,
          batch: `${progress.batch}/${progress.batchesPerEpoch}`,
          loss: progress.loss === null ? '–' : progress.loss.toPrecision(4),
          speed: progress.imagesPerSecond === null ? '–' : progress.imagesPerSecond.toFixed(1),
          eta_text: progress.etaSeconds === null ? '–' : formatSeconds(progress.etaSeconds),
        };
        if (!barStarted) {
          bar.start(100, progress.progress, payload);
          barStarted = true;
        } else bar.update(progress.progress, payload);
      }
      if (FINISHED.has(run.status)) return run;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
    }
  } finally {
    if (barStarted) bar.stop();
  }

  function log(line: string): void {
    if (barStarted) {
      bar.stop();
      barStarted = false;
    }
    process.stdout.write(`${line}\n`);
  }
}

export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
