import type { ReconstructionLoss } from './reconstruction-loss.ts';

/**
 * A criterion that changes with every call, as the official VAEHigLoss does with its
 * capacity counter. The trainer saves `state()` (plain JSON) in its checkpoints and hands
 * it back to `restore` on resume, so a resumed run continues the same schedule.
 */
export type StatefulReconstructionLoss = ReconstructionLoss & {
  state(): unknown;
  /** Throws, naming what is wrong, when `state` is not what `state()` returns. */
  restore(state: unknown): void;
};

export function isStatefulLoss(loss: ReconstructionLoss): loss is StatefulReconstructionLoss {
  const candidate = loss as Partial<StatefulReconstructionLoss>;
  return typeof candidate.state === 'function' && typeof candidate.restore === 'function';
}

/**
 * The trainer state of a trainer whose only state is its criterion's: `{loss}` for a
 * stateful criterion, null otherwise.
 */
export function criterionTrainerState(criterion: ReconstructionLoss): { state(): unknown; restore(state: unknown): void } {
  return {
    state: () => (isStatefulLoss(criterion) ? { loss: criterion.state() } : null),
    restore(state) {
      if (isStatefulLoss(criterion)) criterion.restore((state as { loss?: unknown } | null)?.loss);
    },
  };
}
