import type { SeededRandom } from '../../random/seeded-random.ts';

/** What every model builder takes besides its params. */
export interface BuildModelOptions {
  /** `reference` reproduces the official code's quirks; `corrected` switches them off (each model's params say which). */
  mode: 'reference' | 'corrected';
  /** Draws the initial weights (fork it from the run's generator); a model that samples forks its own stream from it. */
  random: SeededRandom;
  /** Input [height, width], the data loader's target size; each model says which sizes it takes. */
  inputSize: [number, number];
}

/** What fixes a model's shapes: the mode and the input size, not the weights. */
export type ModelShapeOptions = Omit<BuildModelOptions, 'random'>;
