import type { Promotion, TrialReport, TrialScheduler } from './scheduler.ts';

export interface AshaSchedulerOptions {
  /** r: epochs every trial gets before its first decision. Required, an integer >= 1. */
  minEpochs: number;
  /** η: only the best 1/η of the trials at a rung go on to the next. Default 3. */
  reductionFactor?: number;
  /** R: the full budget of a trial, the last rung. Required, an integer >= minEpochs. */
  maxEpochs: number;
}

/**
 * Asynchronous Successive Halving (Li et al., MLSys 2020). Rungs sit at r·η^k epochs
 * below R, and at R itself. A trial that reaches a rung goes on when its loss ranks among
 * the best ⌊n/η⌋ of the n trials that have reported at that rung so far (itself included;
 * equal losses rank by who reported first). As in the paper, and unlike Ray Tune's
 * quantile cutoff, the first η−1 trials at a rung stop: nobody is known to be in the top
 * 1/η yet. They are not lost: as more trials report the top group widens, and
 * `promotable` names the stopped trial that now belongs to it, which the controller
 * resumes from its checkpoint (the paper's promotion). Decisions are taken as reports
 * arrive, so how many go on depends on the order (each report that beats all earlier
 * ones from the η-th on does); judged against the complete rung, exactly ⌊n/η⌋ would.
 */
export class AshaScheduler implements TrialScheduler {
  private readonly rungEpochs: number[];
  private readonly eta: number;

  constructor(options: AshaSchedulerOptions) {
    const { minEpochs, maxEpochs } = options;
    this.eta = options.reductionFactor ?? 3;
    if (!Number.isInteger(minEpochs) || minEpochs < 1) throw new Error(`ASHA: min_epochs must be an integer >= 1, got ${minEpochs}`);
    if (!Number.isInteger(maxEpochs) || maxEpochs < minEpochs) {
      throw new Error(`ASHA: max_epochs must be an integer >= min_epochs (${minEpochs}), got ${maxEpochs}`);
    }
    if (!Number.isFinite(this.eta) || this.eta < 2) throw new Error(`ASHA: reduction_factor must be >= 2, got ${this.eta}`);
    this.rungEpochs = [];
    for (let epoch = minEpochs; epoch < maxEpochs; epoch = Math.round(epoch * this.eta)) this.rungEpochs.push(epoch);
    this.rungEpochs.push(maxEpochs);
  }

  rungs(): number[] {
    return [...this.rungEpochs];
  }

  decide(report: TrialReport, reports: readonly TrialReport[]): 'continue' | 'stop' {
    if (!this.isCuttingRung(report.epoch)) return 'continue';
    const others = reports.filter((r) => r.epoch === report.epoch && r.trialId !== report.trialId);
    return this.inTopGroup(report.trialId, [...latestPerTrial(others), report]) ? 'continue' : 'stop';
  }

  promotable(reports: readonly TrialReport[], busy: ReadonlySet<number>): Promotion | null {
    const stopped = this.stoppedTrials(reports).filter(({ report }) => !busy.has(report.trialId));
    const candidates = stopped.filter(({ report }) =>
      this.inTopGroup(report.trialId, latestPerTrial(reports.filter((r) => r.epoch === report.epoch))),
    );
    // Deepest rung first (closest to a finished trial), then the best loss, then the earliest report.
    candidates.sort((a, b) => b.report.epoch - a.report.epoch || rankLoss(a.report) - rankLoss(b.report) || a.index - b.index);
    const chosen = candidates[0];
    if (chosen === undefined) return null;
    const fromEpoch = chosen.report.epoch;
    return { trialId: chosen.report.trialId, fromEpoch, toEpoch: this.rungEpochs[this.rungEpochs.indexOf(fromEpoch) + 1] };
  }

  /** Trials whose last rung report was below the final rung and was answered 'stop' when it came. */
  private stoppedTrials(reports: readonly TrialReport[]): { report: TrialReport; index: number }[] {
    const last = new Map<number, { report: TrialReport; index: number }>();
    reports.forEach((report, index) => {
      if (!this.rungEpochs.includes(report.epoch)) return;
      const previous = last.get(report.trialId);
      if (previous === undefined || report.epoch >= previous.report.epoch) last.set(report.trialId, { report, index });
    });
    return [...last.values()].filter(
      ({ report, index }) => this.isCuttingRung(report.epoch) && this.decide(report, reports.slice(0, index + 1)) === 'stop',
    );
  }

  private isCuttingRung(epoch: number): boolean {
    return this.rungEpochs.indexOf(epoch) >= 0 && epoch < this.rungEpochs[this.rungEpochs.length - 1];
  }

  private inTopGroup(trialId: number, atRung: TrialReport[]): boolean {
    const ranked = atRung.map((report, order) => ({ report, order })).sort((a, b) => rankLoss(a.report) - rankLoss(b.report) || a.order - b.order);
    const size = Math.floor(ranked.length / this.eta);
    return ranked.slice(0, size).some(({ report }) => report.trialId === trialId);
  }
}

/** The last report of each trial, in the order of those last reports' first appearance. */
function latestPerTrial(reports: readonly TrialReport[]): TrialReport[] {
  const latest = new Map<number, TrialReport>();
  for (const report of reports) latest.set(report.trialId, report);
  return [...latest.values()];
}

/** A diverged trial (NaN or infinite loss) ranks below every finite one. */
function rankLoss(report: TrialReport): number {
  return Number.isFinite(report.value) ? report.value : Infinity;
}
