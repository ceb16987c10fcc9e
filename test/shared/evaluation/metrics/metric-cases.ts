import { SeededRandom } from '../../../../shared/random/seeded-random.ts';

/** How a random case of image scores is drawn. */
export interface RandomScoresSpec {
  /** At least this many images, and up to `extra` more. */
  minCount: number;
  extra: number;
  /** Scores lie on the grid 0, 1/levels, …: few levels make ties between and within classes common. */
  levels: number;
  /** The first images are labelled 0, 1, 0, … so that both classes occur; the rest at random. */
  fixedLabels: number;
}

export function randomScoresWithTies(seed: number, spec: RandomScoresSpec): { scores: number[]; labels: number[] } {
  const random = new SeededRandom(seed);
  const n = spec.minCount + random.nextInt(spec.extra);
  const scores = Array.from({ length: n }, () => random.nextInt(spec.levels) / spec.levels);
  const labels = Array.from({ length: n }, (_, i) => (i < spec.fixedLabels ? i % 2 : random.nextInt(2)));
  return { scores, labels };
}

/** Random residual maps on a grid of `levels` values (many ties) and random 0/1 masks with about `lesionFraction` ones. */
export function randomMaps(seed: number, images: number, pixels: number, levels = 16, lesionFraction = 0.2): { residuals: Float32Array[]; masks: Float32Array[] } {
  const random = new SeededRandom(seed);
  const residuals = Array.from({ length: images }, () => Float32Array.from({ length: pixels }, () => random.nextInt(levels) / levels));
  const masks = Array.from({ length: images }, () => Float32Array.from({ length: pixels }, () => (random.nextFloat() < lesionFraction ? 1 : 0)));
  return { residuals, masks };
}

/** The pixels of every map in one list, as the image-level metrics take them. */
export const flatten = (maps: Float32Array[]): number[] => maps.flatMap((m) => Array.from(m));

/** Image scores and labels (1 = pathological) small enough to work a metric out by hand. */
export interface HandCase {
  scores: number[];
  labels: number[];
}

/** Normals 0.1, 0.4, 0.1; pathological 0.35, 0.8, 0.4: one tie across the classes. */
export const CROSS_TIE: HandCase = { scores: [0.1, 0.4, 0.35, 0.8, 0.4, 0.1], labels: [0, 0, 1, 1, 1, 0] };
/** Three tied (pathological, normal) pairs at 0.9, 0.8, 0.7 and one normal at 0.1. */
export const TIED_PAIRS: HandCase = { scores: [0.9, 0.9, 0.8, 0.8, 0.7, 0.7, 0.1], labels: [1, 0, 1, 0, 1, 0, 0] };
/** The pathological images score above every normal one. */
export const SEPARATED: HandCase = { scores: [0.1, 0.2, 0.3, 0.4], labels: [0, 0, 1, 1] };
/** Every score equal; 2 of 5 images pathological. */
export const ALL_EQUAL: HandCase = { scores: [0.3, 0.3, 0.3, 0.3, 0.3], labels: [0, 1, 0, 0, 1] };

/** Two residual maps: lesion pixels 0.9 and 0.5, background 0.1, 0.5 and 0.2 (a tie at 0.5). */
export function twoImageMaps(): { residuals: Float32Array[]; masks: Float32Array[] } {
  return {
    residuals: [Float32Array.from([0.9, 0.1, 0.5]), Float32Array.from([0.5, 0.2])],
    masks: [Float32Array.from([1, 0, 0]), Float32Array.from([1, 0])],
  };
}
