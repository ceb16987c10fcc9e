import { EtaEstimator } from '../../shared/observability/eta-estimator.ts';
import type { SuiteView } from '../../shared/suite/suite-view.ts';
import type { ApiClient } from './api-client.ts';
import { formatSeconds } from './watch-run.ts';

/**
 * Follows a suite until every run is evaluated or failed: one status line (runs done,
 * evaluating, running, queued, failed, ETA), redrawn in place on a terminal and printed
 * whenever the suite moves elsewhere, plus a line per run that finishes or fails.
 */
export async function watchSuite(client: ApiClient, name: string, options: { pollMs?: number } = {}): Promise<SuiteView> {
  const interactive = process.stdout.isTTY === true;
  const eta = new EtaEstimator();
  const reported = new Map<string, string>();
  let previous = '';
  for (;;) {
    const suite = await client.get<SuiteView>(`/api/v1/suites/${encodeURIComponent(name)}`);
    const line = statusLine(suite, eta.observe(suite.fraction));
    if (interactive) process.stdout.write('\r\x1b[K');
    for (const entry of suite.entries) {
      if (reported.get(entry.runId) === entry.state || (entry.state !== 'done' && entry.state !== 'failed')) continue;
      reported.set(entry.runId, entry.state);
      process.stdout.write(`  ${entry.label} seed ${entry.seed} (${entry.runId}): ${entry.state}${entry.error ? `: ${entry.error}` : ''}\n`);
    }
    // Off a terminal a line is printed when the suite moves, not each time its ETA does.
    const withoutEta = statusLine(suite, null);
    if (interactive) process.stdout.write(line);
    else if (withoutEta !== previous) process.stdout.write(`${line}\n`);
    previous = withoutEta;
    if (suite.status !== 'running') {
      if (interactive) process.stdout.write('\n');
      return suite;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 1000));
  }
}

export function statusLine(suite: SuiteView, etaSeconds: number | null): string {
  const { done, evaluating, running, queued, failed } = suite.counts;
  const left = suite.status !== 'running' ? suite.status : `ETA ${etaSeconds === null ? '–' : formatSeconds(etaSeconds)}`;
  return `suite ${suite.name}: ${done}/${suite.total} done, ${evaluating} evaluating, ${running} running, ${queued} queued, ${failed} failed | trained ${Math.floor(suite.fraction * 100)}% | ${left}`;
}
