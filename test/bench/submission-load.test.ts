import { describe, expect, it } from 'vitest';
import { runSubmissionLoad } from '../../bench/submission-load.ts';

describe('bench:load against a real API process', () => {
  it('300 concurrent submissions: every one accepted, listed once across the pages, and queued', async () => {
    let answered = 0;
    const report = await runSubmissionLoad({ runs: 300, concurrency: 16, pageSize: 40, onSubmitted: (n) => (answered = n) });
    expect(report.submissions.rejections).toEqual([]);
    expect(answered).toBe(300);
    expect(report.submissions.accepted).toBe(300);
    expect(report.listing).toMatchObject({ listed: 300, missing: 0, duplicates: 0, unexpected: 0, totals: [300] });
    expect(report.listing.pagesLatencyMs.count).toBe(8);
    expect(report.trainWaiting).toBe(300);
    expect(report.lost).toBe(0);
    expect(report.passed).toBe(true);
    expect(report.submissions.latencyMs.count).toBe(300);
    expect(report.submissions.latencyMs.p50).toBeGreaterThan(0);
    expect(report.apiMemory.after.rssBytes).toBeGreaterThan(0);
    expect(report.apiMemory.after.heapUsedBytes).toBeGreaterThan(0);
  });

  // The full benchmark: about a minute alone on a 2-core machine (bench/README.md).
  it.runIf(process.env.AELAB_SLOW_TESTS === '1')('10,000 submissions: none lost', async () => {
    const report = await runSubmissionLoad({ runs: 10_000, concurrency: 32, pageSize: 500 });
    expect(report.submissions.rejections).toEqual([]);
    expect(report.listing).toMatchObject({ listed: 10_000, missing: 0, duplicates: 0, unexpected: 0, totals: [10_000] });
    expect(report.trainWaiting).toBe(10_000);
    expect(report.passed).toBe(true);
  }, 900_000);
});
