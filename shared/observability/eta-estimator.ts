/**
 * Seconds left, from how fast the fraction done has grown since the first observation.
 * A resumed run starts at its checkpoint's fraction, so the rate is measured from there.
 */
export class EtaEstimator {
  private start: { at: number; fraction: number } | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** Records progress (0..1) and returns the estimated seconds left, or null when unknown. */
  observe(fraction: number): number | null {
    const at = this.now();
    if (this.start === null) {
      this.start = { at, fraction };
      return null;
    }
    const gained = fraction - this.start.fraction;
    const elapsedSeconds = (at - this.start.at) / 1000;
    if (gained <= 0 || elapsedSeconds <= 0) return null;
    return Math.max(0, ((1 - fraction) * elapsedSeconds) / gained);
  }
}
