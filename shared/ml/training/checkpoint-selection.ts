import type { TrainerParams } from '../../config/experiment-config.ts';
import { SELECTABLE_METRICS, selectOnKey } from '../../config/select-on.ts';
import type { AutoencoderModel } from '../autoencoder-model.ts';
import type { BestSoFar } from './epoch-record.ts';
import type { ValidationTaskScorer } from './validation-task-scorer.ts';

/** A value an epoch offers for `checkpoints/best`, named as in the epoch record (`val.<key>`). */
export interface SelectionCandidate {
  metric: string;
  value: number;
}

/**
 * What chooses `checkpoints/best`: by default the trainer's validation loss (lower is
 * better, every epoch); with `select_on` the metric of a labelled validation task, scored
 * every `select_every` epochs and at the last one, better in the metric's own direction.
 */
export class CheckpointSelection {
  constructor(
    private readonly params: Pick<TrainerParams, 'selectOn' | 'selectEvery'>,
    private readonly scorer: ValidationTaskScorer | null,
  ) {
    if (params.selectOn !== null && scorer === null) {
      throw new Error(`trainer.params.select_on ${selectOnKey(params.selectOn)} needs its validation task opened for training`);
    }
  }

  /** This epoch's candidate: the validation loss, or the task's metric when it is scored this epoch, else null. */
  async candidate(epoch: number, totalEpochs: number, model: AutoencoderModel, loss: SelectionCandidate): Promise<SelectionCandidate | null> {
    const { selectOn, selectEvery } = this.params;
    if (selectOn === null) return loss;
    if ((epoch + 1) % selectEvery !== 0 && epoch + 1 !== totalEpochs) return null;
    return { metric: `val.${selectOnKey(selectOn)}`, value: await this.scorer!.score(model) };
  }

  /** Whether `value` is better than the best so far; a value that is not finite never is. */
  improves(value: number, best: BestSoFar | null): boolean {
    if (!Number.isFinite(value)) return false;
    if (best === null) return true;
    const goal = this.params.selectOn === null ? 'minimize' : SELECTABLE_METRICS[this.params.selectOn.metric];
    return goal === 'minimize' ? value < best.value : value > best.value;
  }
}
