/**
 * Child process of bench/vs-pytorch.ts: one evaluation job's work (evaluateRun, data
 * loading included) on a run prepared by bench/evaluation-fixture.ts, in its own process
 * so that its peak RSS is its own. Usage (by the parent, via fork): run-evaluation-case.ts
 * '<EvaluationCase as JSON>'; it answers one EvaluationCaseResult over IPC.
 */
import { evaluateRun } from '../shared/evaluation/evaluate-run.ts';
import { selectBackend } from '../shared/ml/backend/select-backend.ts';
import { openArtifactStore } from '../shared/storage/open-artifact-store.ts';

export interface EvaluationCase {
  storage: string;
  runId: string;
  dataRoot: string;
  backendRequest: string;
  /** The run's model: `auto` picks the backend for it, as the worker's evaluate child does. */
  modelName: string;
}

export type EvaluationCaseResult =
  | { status: 'measured'; seconds: number; images: number; auroc: number; peakRssBytes: number; device: string }
  | { status: 'failed'; reason: string };

async function evaluateCase(spec: EvaluationCase): Promise<EvaluationCaseResult> {
  const backend = await selectBackend(spec.backendRequest, spec.modelName);
  let images = 0;
  let lastShown = 0;
  const start = performance.now();
  const [task] = await evaluateRun({
    runId: spec.runId,
    evalId: 'bench',
    checkpoint: 'best',
    store: openArtifactStore(spec.storage),
    dataRoot: spec.dataRoot,
    onProgress: (scored, total) => {
      images = total;
      if (scored - lastShown >= total / 10 || scored === total) {
        lastShown = scored;
        process.stderr.write(`evaluation: ${scored}/${total} images\n`);
      }
    },
  });
  const seconds = (performance.now() - start) / 1000;
  return { status: 'measured', seconds, images, auroc: task.datasets[0].auroc, peakRssBytes: process.resourceUsage().maxRSS * 1024, device: `${backend.name}: ${backend.device}` };
}

const spec = JSON.parse(process.argv[2] ?? 'null') as EvaluationCase | null;
if (spec === null || process.send === undefined) throw new Error('usage: run-evaluation-case.ts <case JSON> (started by bench/vs-pytorch.ts over IPC)');
let result: EvaluationCaseResult;
try {
  result = await evaluateCase(spec);
} catch (error) {
  result = { status: 'failed', reason: error instanceof Error ? error.message : String(error) };
}
process.send(result);
process.disconnect();
