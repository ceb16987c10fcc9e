export { auprc } from './auprc.ts';
export { auroc } from './auroc.ts';
export { bestDice, type BestDice } from './best-dice.ts';
export { fprAtTpr, type RocPoint } from './fpr-at-tpr.ts';
export { pixelAuprc } from './pixel-auprc.ts';
export { pixelAuroc } from './pixel-auroc.ts';
export { rocCurve, type RocCurve, type RocCurveOptions } from './roc-curve.ts';
export { ssim } from './ssim.ts';
