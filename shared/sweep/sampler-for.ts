import { GridSampler } from './grid-sampler.ts';
import { RandomSampler } from './random-sampler.ts';
import type { Sampler } from './sampler.ts';
import type { SweepSpec } from './sweep-spec.ts';
import { TpeSampler } from './tpe-sampler.ts';

/** The sampler a sweep's `method` names. */
export function samplerFor(spec: SweepSpec): Sampler {
  switch (spec.method) {
    case 'grid':
      return new GridSampler(spec.parameters, `sweep ${spec.name}`);
    case 'random':
      return new RandomSampler(spec.parameters);
    case 'tpe':
      return new TpeSampler(spec.parameters);
  }
}
