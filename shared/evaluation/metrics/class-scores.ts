/**
 * Scores split by class, each sorted ascending. Every ranking metric here is a walk over
 * these two arrays from the top, so one sort per class serves them all, and a
 * million-pixel evaluation costs two native typed-array sorts instead of an index sort.
 */
export interface ClassScores {
  /** Scores of the positives (pathological images, lesion pixels), ascending. */
  positives: Float64Array;
  /** Scores of the negatives (normal images, background pixels), ascending. */
  negatives: Float64Array;
}

/** How a metric names its classes in errors, e.g. AUROC over images or over pixels. */
export interface ClassNames {
  /** e.g. 'AUROC'. */
  metric: string;
  /** e.g. 'normal (label 0)'. */
  negative: string;
  /** e.g. 'pathological (label 1)'. */
  positive: string;
  /** e.g. 'images'. */
  unit: string;
}

/** Class names of the image-level metrics: label 0 = normal, label 1 = pathological. */
export function imageClassNames(metric: string): ClassNames {
  return { metric, negative: 'normal (label 0)', positive: 'pathological (label 1)', unit: 'images' };
}

/**
 * Checks one score and label per item (equal lengths, non-empty, finite scores, labels 0
 * or 1, as sklearn's input checks do), splits the scores by label and sorts them; throws
 * unless both classes are present.
 */
export function splitByLabel(scores: ArrayLike<number>, labels: ArrayLike<number>, names: ClassNames): ClassScores {
  const { metric } = names;
  if (scores.length !== labels.length) {
    throw new Error(`${metric}: got ${scores.length} scores but ${labels.length} labels; give one label per score`);
  }
  if (scores.length === 0) throw new Error(`${metric}: no scores given`);
  let positiveCount = 0;
  for (let i = 0; i < labels.length; i += 1) {
    const label = labels[i];
    if (label !== 0 && label !== 1) {
      throw new Error(`${metric}: label at index ${i} is ${label}; labels must be 0 (normal) or 1 (pathological)`);
    }
    if (!Number.isFinite(scores[i])) {
      throw new Error(`${metric}: score at index ${i} is ${scores[i]}; every score must be a finite number`);
    }
    positiveCount += label;
  }
  const positives = new Float64Array(positiveCount);
  const negatives = new Float64Array(scores.length - positiveCount);
  let p = 0;
  let n = 0;
  for (let i = 0; i < scores.length; i += 1) {
    if (labels[i] === 1) positives[p++] = scores[i];
    else negatives[n++] = scores[i];
  }
  return requireBothClasses({ positives: positives.sort(), negatives: negatives.sort() }, names);
}

/** Returns `classes` when both are present; otherwise throws, saying which one is missing. */
export function requireBothClasses(classes: ClassScores, names: ClassNames): ClassScores {
  const { positives, negatives } = classes;
  if (positives.length === 0 || negatives.length === 0) {
    const only = positives.length === 0 ? `${negatives.length} ${names.negative}` : `${positives.length} ${names.positive}`;
    throw new Error(
      `${names.metric} needs both ${names.negative} and ${names.positive} ${names.unit}; got only ${only} ${names.unit}`,
    );
  }
  return classes;
}
