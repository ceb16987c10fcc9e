/** What one image's reconstruction gives: its anomaly map and the scores read from it. */
export interface ResidualScore {
  /** |x_rec − x| per pixel, in float32 as the official code computes it. */
  residual: Float32Array;
  /** The anomaly score: the mean of `residual`. */
  score: number;
  /** Mean squared error of the reconstruction. */
  mse: number;
}

/**
 * The official anomaly score of one image (docs/models.md §14): the map |x_rec − x| and its
 * mean. `aelab predict` and evaluation both score through here, so they agree. The map is
 * float32, as PyTorch's; its mean is summed in doubles with Neumaier's compensation, so the
 * score is that of the map to double rounding whatever the image size, where a float32
 * `tf.mean` on the backend adds its own rounding. bench/anomaly-score-vs-pytorch.ts
 * compares it with the official PyTorch score.
 */
export function residualScore(input: Float32Array, reconstruction: Float32Array): ResidualScore {
  if (input.length !== reconstruction.length || input.length === 0) {
    throw new Error(`residualScore: an image of ${input.length} pixels and a reconstruction of ${reconstruction.length}`);
  }
  const residual = new Float32Array(input.length);
  const absSum = new CompensatedSum();
  const squareSum = new CompensatedSum();
  for (let p = 0; p < input.length; p += 1) {
    const difference = Math.fround(reconstruction[p] - input[p]);
    residual[p] = Math.abs(difference);
    absSum.add(residual[p]);
    squareSum.add(difference * difference);
  }
  return { residual, score: absSum.value() / input.length, mse: squareSum.value() / input.length };
}

/** A double sum with Neumaier's running compensation of the low-order bits each addition loses. */
class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(term: number): void {
    const next = this.sum + term;
    this.compensation += Math.abs(this.sum) >= Math.abs(term) ? this.sum - next + term : term - next + this.sum;
    this.sum = next;
  }

  value(): number {
    return this.sum + this.compensation;
  }
}
