import { ConfigError } from '../config/config-error.ts';
import type { Sampler, SamplerContext, TrialParams } from './sampler.ts';
import { canonicalKey, isCategorical, type CategoricalParameter, type SearchSpace } from './search-space.ts';

/**
 * Every combination of the categorical values, in a fixed order: parameters in the order
 * the space lists them, the last one varying fastest (like nested for-loops). A point
 * already held by a finished or running trial is skipped, so a restarted controller never
 * proposes it twice; null once every point is taken.
 */
export class GridSampler implements Sampler {
  private readonly paths: string[];
  private readonly specs: CategoricalParameter[];

  /** Throws a ConfigError naming the first parameter that is not a `values` list. */
  constructor(space: SearchSpace, source = 'sweep') {
    assertGridSpace(space, source);
    this.paths = Object.keys(space);
    this.specs = this.paths.map((path) => space[path] as CategoricalParameter);
  }

  propose(context: SamplerContext): TrialParams | null {
    const taken = new Set([...context.finished, ...context.running].map((trial) => this.pointKey(trial.params)));
    const size = gridSize(Object.fromEntries(this.paths.map((path, i) => [path, this.specs[i]])));
    for (let index = 0; index < size; index++) {
      const point = this.pointAt(index);
      if (!taken.has(this.pointKey(point))) return point;
    }
    return null;
  }

  private pointAt(index: number): TrialParams {
    const point: TrialParams = {};
    let rest = index;
    for (let i = this.specs.length - 1; i >= 0; i--) {
      const values = this.specs[i].values;
      point[this.paths[i]] = values[rest % values.length];
      rest = Math.floor(rest / values.length);
    }
    return Object.fromEntries(this.paths.map((path) => [path, point[path]]));
  }

  private pointKey(params: TrialParams): string {
    return canonicalKey(this.paths.map((path) => params[path]));
  }
}

/** The number of grid points; Infinity when a parameter is not categorical. */
export function gridSize(space: SearchSpace): number {
  return Object.values(space).reduce((size, spec) => (isCategorical(spec) ? size * spec.values.length : Infinity), 1);
}

function assertGridSpace(space: SearchSpace, source: string): void {
  const problems = Object.entries(space)
    .filter(([, spec]) => !isCategorical(spec))
    .map(([path, spec]) => ({
      key: path,
      message: `grid search needs a \`values\` list, got distribution ${'distribution' in spec ? spec.distribution : '?'}; list the values to try, or use method random or tpe`,
    }));
  if (problems.length > 0) throw new ConfigError(source, problems);
}
