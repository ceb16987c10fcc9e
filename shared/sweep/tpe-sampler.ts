import type { SeededRandom } from '../random/seeded-random.ts';
import { sampleSpace } from './random-sampler.ts';
import type { Sampler, SamplerContext, TrialParams } from './sampler.ts';
import {
  canonicalKey,
  isCategorical,
  snapToParameter,
  type CategoricalParameter,
  type NumericParameter,
  type ParameterSpec,
  type SearchSpace,
} from './search-space.ts';

export interface TpeSamplerOptions {
  /** Proposals drawn at random before the model takes over, counted in finished trials. Default 10. */
  startupTrials?: number;
  /** Fraction of the observations that forms the "good" group l(x). Default 0.25. */
  gamma?: number;
  /** Candidates drawn from l(x) per parameter; the one with the largest l(x)/g(x) wins. Default 24. */
  candidates?: number;
}

/**
 * Tree-structured Parzen Estimator (Bergstra et al., NeurIPS 2011), independent per
 * parameter. The finished trials are ranked by loss; the best ⌈γ·n⌉ form the good group,
 * the rest the bad one. Each group gets a Parzen estimator per parameter: a truncated
 * Gaussian mixture in the parameter's own scale (log for log_uniform) with one kernel per
 * observation plus a wide prior kernel, or smoothed frequencies for a categorical. The
 * proposal takes, per parameter, the candidate drawn from l(x) that maximises l(x)/g(x).
 *
 * Constant liar: each running trial joins the bad group as if it had finished with the
 * worst loss, so proposals made while others train move away from their points.
 */
export class TpeSampler implements Sampler {
  private readonly startupTrials: number;
  private readonly gamma: number;
  private readonly candidates: number;

  constructor(
    private readonly space: SearchSpace,
    options: TpeSamplerOptions = {},
  ) {
    this.startupTrials = options.startupTrials ?? 10;
    this.gamma = options.gamma ?? 0.25;
    this.candidates = options.candidates ?? 24;
    if (!Number.isInteger(this.startupTrials) || this.startupTrials < 1) {
      throw new Error(`TpeSampler: startupTrials must be an integer >= 1, got ${this.startupTrials}`);
    }
    if (!(this.gamma > 0 && this.gamma < 1)) throw new Error(`TpeSampler: gamma must be in (0, 1), got ${this.gamma}`);
    if (!Number.isInteger(this.candidates) || this.candidates < 1) {
      throw new Error(`TpeSampler: candidates must be an integer >= 1, got ${this.candidates}`);
    }
  }

  propose(context: SamplerContext): TrialParams {
    if (context.finished.length < this.startupTrials) return sampleSpace(this.space, context.random);
    const ranked = context.finished
      .map((trial, order) => ({ params: trial.params, loss: Number.isFinite(trial.value) ? trial.value : Infinity, order }))
      .sort((a, b) => a.loss - b.loss || a.order - b.order)
      .map((trial) => trial.params);
    const observations = [...ranked, ...context.running.map((trial) => trial.params)];
    const goodCount = Math.min(ranked.length, Math.max(1, Math.ceil(this.gamma * observations.length)));
    const good = observations.slice(0, goodCount);
    const bad = observations.slice(goodCount);
    return Object.fromEntries(
      Object.entries(this.space).map(([path, spec]) => [path, this.proposeParameter(spec, path, good, bad, context.random)]),
    );
  }

  private proposeParameter(spec: ParameterSpec, path: string, good: TrialParams[], bad: TrialParams[], random: SeededRandom): unknown {
    const values = (group: TrialParams[]) => group.map((params) => params[path]);
    const l = estimatorFor(spec, values(good));
    const g = estimatorFor(spec, values(bad));
    let best: unknown;
    let bestScore = -Infinity;
    for (let i = 0; i < this.candidates; i++) {
      const candidate = l.sample(random);
      const score = l.logDensity(candidate) - g.logDensity(candidate);
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
    return best;
  }
}

interface ParzenEstimator {
  sample(random: SeededRandom): unknown;
  logDensity(value: unknown): number;
}

function estimatorFor(spec: ParameterSpec, observed: unknown[]): ParzenEstimator {
  return isCategorical(spec) ? categoricalEstimator(spec, observed) : numericEstimator(spec, observed);
}

/** Frequencies with one pseudo-count per category, so no value ever gets probability 0. */
function categoricalEstimator(spec: CategoricalParameter, observed: unknown[]): ParzenEstimator {
  const index = new Map(spec.values.map((value, i) => [canonicalKey(value), i]));
  const weights = spec.values.map(() => 1);
  for (const value of observed) {
    const i = index.get(canonicalKey(value));
    if (i !== undefined) weights[i] += 1;
  }
  const total = weights.reduce((sum, w) => sum + w, 0);
  return {
    sample(random) {
      let u = random.nextFloat() * total;
      for (let i = 0; i < weights.length; i++) {
        u -= weights[i];
        if (u < 0) return spec.values[i];
      }
      return spec.values[weights.length - 1];
    },
    logDensity(value) {
      const i = index.get(canonicalKey(value));
      return i === undefined ? -Infinity : Math.log(weights[i] / total);
    },
  };
}

/**
 * An equal-weight mixture of Gaussians truncated to the parameter's range, in its
 * internal scale: one kernel per observation, as wide as the larger gap to its sorted
 * neighbours (clipped to [range/min(100, n+1), range]), plus a prior kernel at the
 * centre as wide as the range. Integers and quantised values get half a step of room at
 * both ends so the end values are as likely as the others.
 */
function numericEstimator(spec: NumericParameter, observed: unknown[]): ParzenEstimator {
  const toInternal = (x: number) => (spec.distribution === 'log_uniform' ? Math.log(x) : x);
  const step = spec.q ?? (spec.distribution === 'int_uniform' ? 1 : 0);
  const low = toInternal(spec.distribution === 'log_uniform' ? spec.min : spec.min - step / 2);
  const high = toInternal(spec.distribution === 'log_uniform' ? spec.max : spec.max + step / 2);
  const range = high - low;
  const points = observed
    .filter((value): value is number => typeof value === 'number' && Number.isFinite(value) && (spec.distribution !== 'log_uniform' || value > 0))
    .map((value) => Math.min(high, Math.max(low, toInternal(value))))
    .sort((a, b) => a - b);
  const minSigma = range / Math.min(100, points.length + 1);
  const kernels = points.map((mu, i) => {
    const left = mu - (i === 0 ? low : points[i - 1]);
    const right = (i === points.length - 1 ? high : points[i + 1]) - mu;
    return { mu, sigma: Math.min(range, Math.max(minSigma, left, right)) };
  });
  kernels.push({ mu: (low + high) / 2, sigma: range });
  const logMass = kernels.map(({ mu, sigma }) => Math.log(Math.max(1e-300, normalCdf((high - mu) / sigma) - normalCdf((low - mu) / sigma))));
  const logWeight = -Math.log(kernels.length);
  const fromInternal = (x: number) => snapToParameter(spec, spec.distribution === 'log_uniform' ? Math.exp(x) : x);
  return {
    sample(random) {
      const { mu, sigma } = kernels[random.nextInt(kernels.length)];
      for (let attempt = 0; attempt < 100; attempt++) {
        const x = random.normal(mu, sigma);
        if (x >= low && x <= high) return fromInternal(x);
      }
      return fromInternal(mu);
    },
    logDensity(value) {
      const x = toInternal(value as number);
      const terms = kernels.map(({ mu, sigma }, i) => logWeight - 0.5 * ((x - mu) / sigma) ** 2 - Math.log(sigma * Math.sqrt(2 * Math.PI)) - logMass[i]);
      const top = Math.max(...terms);
      return top + Math.log(terms.reduce((sum, t) => sum + Math.exp(t - top), 0));
    },
  };
}

function normalCdf(z: number): number {
  return 0.5 * (1 + erf(z / Math.SQRT2));
}

/** Abramowitz & Stegun 7.1.26; absolute error below 1.5e-7, ample for kernel masses. */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-a * a));
}
