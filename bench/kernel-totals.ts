/** One kernel's share of a profiled step: every call of that kernel name added up. */
export interface KernelTotal {
  name: string;
  calls: number;
  milliseconds: number;
}

/**
 * Adds up tf.profile's per-call kernel times by kernel name, largest first. A kernel that
 * runs other kernels inside it (a kernel written with ops) is counted with them, so the
 * sum can exceed the step's wall time. tf.profile has awaited every time by the time it
 * returns; a time that is not a number (a backend timer error) counts as a call only.
 */
export function kernelTotals(kernels: ReadonlyArray<{ name: string; kernelTimeMs: unknown }>): KernelTotal[] {
  const byName = new Map<string, KernelTotal>();
  for (const kernel of kernels) {
    const total = byName.get(kernel.name) ?? { name: kernel.name, calls: 0, milliseconds: 0 };
    total.calls += 1;
    if (typeof kernel.kernelTimeMs === 'number') total.milliseconds += kernel.kernelTimeMs;
    byName.set(kernel.name, total);
  }
  return [...byName.values()].sort((a, b) => b.milliseconds - a.milliseconds || a.name.localeCompare(b.name));
}
