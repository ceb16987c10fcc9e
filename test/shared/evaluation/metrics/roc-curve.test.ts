import { describe, expect, it } from 'vitest';
import { rocCurve } from '../../../../shared/evaluation/metrics/index.ts';

const third = 1 / 3;

describe('rocCurve (sklearn roc_curve)', () => {
  it('has one point per distinct score after (0, 0) at threshold Infinity', () => {
    // Normals 0.1, 0.4, 0.1; pathological 0.35, 0.8, 0.4. Scores ≥ 0.8 flag 1 pathological;
    // ≥ 0.4 add the tied pair (tpr 2/3, fpr 1/3); ≥ 0.35 the last pathological; ≥ 0.1 the
    // two normals. No three consecutive points are collinear, so none is dropped.
    const curve = rocCurve([0.1, 0.4, 0.35, 0.8, 0.4, 0.1], [0, 0, 1, 1, 1, 0]);
    expect(curve).toEqual({
      fpr: [0, 0, third, third, 1],
      tpr: [0, third, 2 * third, 1, 1],
      thresholds: [Infinity, 0.8, 0.4, 0.35, 0.1],
    });
  });

  it('drops the points collinear with their neighbours unless dropIntermediate is false', () => {
    // Tied pairs at 0.9, 0.8, 0.7 step (+1/4, +1/3) three times; the 0.8 point lies on the
    // straight line between its neighbours. sklearn 1.9.1 gives exactly these arrays.
    const scores = [0.9, 0.9, 0.8, 0.8, 0.7, 0.7, 0.1];
    const labels = [1, 0, 1, 0, 1, 0, 0];
    expect(rocCurve(scores, labels)).toEqual({
      fpr: [0, 0.25, 0.75, 1],
      tpr: [0, third, 1, 1],
      thresholds: [Infinity, 0.9, 0.7, 0.1],
    });
    expect(rocCurve(scores, labels, { dropIntermediate: false })).toEqual({
      fpr: [0, 0.25, 0.5, 0.75, 1],
      tpr: [0, third, 2 * third, 1, 1],
      thresholds: [Infinity, 0.9, 0.8, 0.7, 0.1],
    });
  });

  it('drops vertical and horizontal runs to their ends', () => {
    // Pathological 0.9, 0.8, 0.7 then normals 0.5, 0.1: the 0.8 point (vertical run) and
    // the 0.5 point (horizontal run) go.
    const curve = rocCurve([0.9, 0.8, 0.7, 0.5, 0.1], [1, 1, 1, 0, 0]);
    expect(curve).toEqual({ fpr: [0, 0, 0, 1], tpr: [0, third, 1, 1], thresholds: [Infinity, 0.9, 0.7, 0.1] });
  });

  it('rejects a single class', () => {
    expect(() => rocCurve([0.2, 0.4], [1, 1])).toThrow(
      'ROC curve needs both normal (label 0) and pathological (label 1) images; got only 2 pathological (label 1) images',
    );
  });
});
