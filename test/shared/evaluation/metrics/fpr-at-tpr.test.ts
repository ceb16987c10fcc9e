import { describe, expect, it } from 'vitest';
import { fprAtTpr } from '../../../../shared/evaluation/metrics/index.ts';

describe('fprAtTpr (first roc_curve point with TPR ≥ target)', () => {
  it('reads the first point reaching the target, with its threshold', () => {
    // Curve (fpr, tpr, threshold): (0,0,∞) (0,1/3,0.8) (1/3,2/3,0.4) (1/3,1,0.35) (1,1,0.1).
    const scores = [0.1, 0.4, 0.35, 0.8, 0.4, 0.1];
    const labels = [0, 0, 1, 1, 1, 0];
    expect(fprAtTpr(scores, labels, 0.95)).toEqual({ fpr: 1 / 3, tpr: 1, threshold: 0.35 });
    expect(fprAtTpr(scores, labels, 0.5)).toEqual({ fpr: 1 / 3, tpr: 2 / 3, threshold: 0.4 });
    expect(fprAtTpr(scores, labels, 1 / 3)).toEqual({ fpr: 0, tpr: 1 / 3, threshold: 0.8 });
  });

  it('reads the curve after sklearn dropped collinear points, as the official code does', () => {
    // Without dropping, TPR 2/3 ≥ 0.6 is reached at threshold 0.8 with FPR 0.5; that point
    // is collinear, so sklearn's roc_curve (and the official FPR) skips to (0.75, 1) at 0.7.
    expect(fprAtTpr([0.9, 0.9, 0.8, 0.8, 0.7, 0.7, 0.1], [1, 0, 1, 0, 1, 0, 0], 0.6)).toEqual({
      fpr: 0.75,
      tpr: 1,
      threshold: 0.7,
    });
    // On a vertical run the FPR is the same but the threshold moves: 0.7, not 0.8.
    expect(fprAtTpr([0.9, 0.8, 0.7, 0.5, 0.1], [1, 1, 1, 0, 0], 0.5)).toEqual({ fpr: 0, tpr: 1, threshold: 0.7 });
  });

  it('takes 19 of 20 pathological images as reaching 95 % TPR exactly', () => {
    // 20 pathological at 1..20, 10 normals at 0.5, 1.5, ..., 9.5. Flagging ≥ 2 catches 19/20
    // = 0.95 (the same double as 0.95) and the 8 normals from 2.5 up.
    const pathological = Array.from({ length: 20 }, (_, i) => i + 1);
    const normals = Array.from({ length: 10 }, (_, i) => i + 0.5);
    const labels = [...pathological.map(() => 1), ...normals.map(() => 0)];
    expect(fprAtTpr([...pathological, ...normals], labels, 0.95)).toEqual({ fpr: 0.8, tpr: 0.95, threshold: 2 });
  });

  it('gives FPR 1 at the only threshold when all scores are equal, and rejects bad targets', () => {
    expect(fprAtTpr([0.3, 0.3, 0.3], [0, 1, 0], 0.95)).toEqual({ fpr: 1, tpr: 1, threshold: 0.3 });
    expect(() => fprAtTpr([0.1, 0.2], [0, 1], 0)).toThrow('fprAtTpr: targetTpr must be in (0, 1], got 0');
    expect(() => fprAtTpr([0.1, 0.2], [0, 1], 95)).toThrow(/got 95/);
    expect(() => fprAtTpr([0.1, 0.2], [1, 1], 0.95)).toThrow(/^FPR at TPR needs both normal/);
  });
});
