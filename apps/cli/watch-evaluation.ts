import type { EvaluationRecord } from '../../shared/evaluation/evaluation-record.ts';
import { ApiClient, CliError } from './api-client.ts';

const FINISHED = new Set(['completed', 'failed']);

/**
 * Waits for an evaluation to end, printing how many test images are scored as it goes
 * (a line each quarter). An evaluation that does not exist yet (the worker queues it when
 * training ends) is waited for up to `appearWithinMs`.
 */
export async function watchEvaluation(client: ApiClient, evalId: string, options: { pollMs?: number; appearWithinMs?: number } = {}): Promise<EvaluationRecord> {
  const appearBy = Date.now() + (options.appearWithinMs ?? 30_000);
  let shownQuarter = -1;
  for (;;) {
    const evaluation = await client.get<EvaluationRecord>(`/api/v1/evaluations/${evalId}`).catch((error: unknown) => {
      if (error instanceof CliError && /→ 404/.test(error.message) && Date.now() < appearBy) return null;
      throw error;
    });
    if (evaluation !== null) {
      const quarter = evaluation.total > 0 ? Math.floor((4 * evaluation.scored) / evaluation.total) : 0;
      if (quarter > shownQuarter && evaluation.total > 0) {
        process.stdout.write(`  evaluation ${evalId}: ${evaluation.scored}/${evaluation.total} test images scored\n`);
        shownQuarter = quarter;
      }
      if (FINISHED.has(evaluation.status)) return evaluation;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}
