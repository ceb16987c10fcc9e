/**
 * Tick values for an axis over [lo, hi]: multiples of 1, 2 or 5 × 10^k, about `target`
 * of them, all inside the range. A zero-width range gets the single tick `lo`.
 */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) return [lo];
  const rough = (hi - lo) / Math.max(1, target);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const ticks: number[] = [];
  // Rounding each tick to the step's decimals keeps 0.30000000000000004 off the axis.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k += 1) ticks.push(Number((k * step).toFixed(decimals)));
  return ticks;
}

/**
 * The shortest label that tells the ticks apart: as many decimals as the spacing needs,
 * trailing zeros dropped, exponent form for very large or very small magnitudes.
 */
export function formatTicks(ticks: readonly number[]): string[] {
  const spacing = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : Math.abs(ticks[0]) || 1;
  const largest = Math.max(...ticks.map(Math.abs));
  if (largest >= 1e5 || (largest > 0 && largest < 1e-3)) {
    const digits = Math.max(0, Math.floor(Math.log10(largest)) - Math.floor(Math.log10(spacing)));
    return ticks.map((t) => (t === 0 ? '0' : t.toExponential(Math.min(digits, 6))));
  }
  const decimals = Math.max(0, Math.ceil(-Math.log10(spacing) - 1e-9));
  return ticks.map((t) => String(Number(t.toFixed(decimals))));
}
