import type { EpochMetrics } from '../contracts/run-record.ts';

/** `train loss 0.0123 | val loss_prec 0.0130 …` from a metrics record, numbers first-class. */
export function describeMetrics(record: EpochMetrics): string {
  const parts: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'number' && path !== 'epoch') parts.push(`${path} ${formatNumber(value)}`);
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(inner, path.length > 0 ? `${path}.${key}` : key);
    }
  };
  walk(record, '');
  return parts.join('  ');
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1000 || Math.abs(value) < 1e-3 ? value.toExponential(3) : value.toPrecision(4);
}
