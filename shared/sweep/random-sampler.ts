import type { SeededRandom } from '../random/seeded-random.ts';
import type { Sampler, SamplerContext, TrialParams } from './sampler.ts';
import { isCategorical, snapToParameter, type ParameterSpec, type SearchSpace } from './search-space.ts';

/**
 * Independent draws from each parameter's distribution, in the order the space lists
 * them; ignores the trials so far. Never exhausted: the sweep's trial budget ends it.
 */
export class RandomSampler implements Sampler {
  constructor(private readonly space: SearchSpace) {}

  propose(context: SamplerContext): TrialParams {
    return sampleSpace(this.space, context.random);
  }
}

/** One point of the space, drawing parameters in their listed order. */
export function sampleSpace(space: SearchSpace, random: SeededRandom): TrialParams {
  return Object.fromEntries(Object.entries(space).map(([path, spec]) => [path, sampleParameter(spec, random)]));
}

export function sampleParameter(spec: ParameterSpec, random: SeededRandom): unknown {
  if (isCategorical(spec)) return spec.values[random.nextInt(spec.values.length)];
  switch (spec.distribution) {
    case 'uniform':
      return snapToParameter(spec, random.uniform(spec.min, spec.max));
    case 'log_uniform':
      return snapToParameter(spec, Math.exp(random.uniform(Math.log(spec.min), Math.log(spec.max))));
    case 'int_uniform': {
      const step = spec.q ?? 1;
      return spec.min + step * random.nextInt(Math.floor((spec.max - spec.min) / step) + 1);
    }
  }
}
