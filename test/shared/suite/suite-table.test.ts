import { describe, expect, it } from 'vitest';
import type { DatasetResult, TaskResult } from '../../../shared/evaluation/evaluation-record.ts';
import { buildSuiteTable, suiteTableCsv, suiteTableMarkdown } from '../../../shared/suite/suite-table.ts';

function task(auroc: number, ssim: number, masks: boolean): TaskResult {
  const dataset: DatasetResult = {
    dataset: 'Pneumonia',
    normals: 10,
    pathological: 10,
    auroc,
    auprc: auroc - 0.1,
    fpr95: 0.5,
    fpr95_threshold: 0.1,
    fpr99: 0.9,
    fpr99_threshold: 0.05,
    pixel_auroc: masks ? 0.7 : null,
    pixel_auprc: masks ? 0.2 : null,
    best_dice: masks ? 0.3 : null,
    best_dice_threshold: masks ? 0.2 : null,
  };
  return { task: 'pneumonia', normal_dataset: 'Normal_RSNA', normal_l1: 0.1, normal_mse: 0.01, normal_ssim: ssim, datasets: [dataset], pictures: [] };
}

describe('the suite table', () => {
  const table = buildSuiteTable('paper', [
    { label: 'MorphAEus', runs: [{ runId: 'a1', tasks: [task(0.6, 0.5, false)] }, { runId: 'a2', tasks: [task(0.8, 0.7, false)] }] },
    { label: 'AE, "plain"', runs: [{ runId: 'b1', tasks: [task(0.55, 0.4, true)] }] },
  ]);

  it('summarises each metric over seeds: mean, sample std and n, keyed task/dataset/metric', () => {
    expect(table.suite).toBe('paper');
    const [morph, ae] = table.methods;
    expect(morph.runs).toEqual(['a1', 'a2']);
    expect(morph.metrics['pneumonia/Pneumonia/auroc'].mean).toBeCloseTo(0.7, 12);
    expect(morph.metrics['pneumonia/Pneumonia/auroc'].std).toBeCloseTo(Math.SQRT2 / 10, 12);
    expect(morph.metrics['pneumonia/Pneumonia/auroc'].n).toBe(2);
    expect(morph.metrics['pneumonia/Normal_RSNA/normal_ssim'].mean).toBeCloseTo(0.6, 12);
    // Pixel metrics only where the dataset has masks.
    expect(Object.keys(morph.metrics).some((key) => key.includes('pixel'))).toBe(false);
    expect(ae.metrics['pneumonia/Pneumonia/best_dice']).toEqual({ mean: 0.3, std: 0, n: 1 });
  });

  it('writes one markdown table per metric and one CSV row per method and metric', () => {
    const markdown = suiteTableMarkdown(table);
    expect(markdown).toContain('## auroc\n\n| method | pneumonia/Pneumonia |\n|---|---:|\n| MorphAEus | 0.700 ± 0.141 (2) |\n| AE, "plain" | 0.550 ± 0.000 (1) |');
    expect(markdown).toContain('| MorphAEus | – |');
    const csv = suiteTableCsv(table).trim().split('\n');
    expect(csv[0]).toBe('method,task,dataset,metric,mean,std,n');
    expect(csv).toContain('"AE, ""plain""",pneumonia,Pneumonia,best_dice,0.3,0,1');
    expect(csv).toHaveLength(1 + 5 + 8);
  });
});
