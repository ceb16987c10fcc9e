import { describe, expect, it } from 'vitest';
import { evaluateChildStart, parseEvaluateSupervisorMessage } from '../../../apps/worker/evaluate-child-messages.ts';

const job = { evalId: 'e1', runId: 'r1', checkpoint: 'best' as const, tasks: ['anomaly'] };

describe('the evaluate child protocol: start messages are checked where they are built and where they arrive', () => {
  it('a well-formed start is built and read back unchanged', () => {
    const start = evaluateChildStart({ job, storage: '/data', leaseToken: 'abc' });
    expect(parseEvaluateSupervisorMessage(JSON.parse(JSON.stringify(start)))).toEqual({ type: 'start', job, storage: '/data', leaseToken: 'abc' });
  });

  it('a start with a bad job is refused before it is sent, naming the field', () => {
    expect(() => evaluateChildStart({ job: { ...job, checkpoint: 'newest' as 'best' }, storage: '/data', leaseToken: 'abc' })).toThrow(/job\.checkpoint/);
  });

  it('the child refuses a malformed message instead of evaluating it', () => {
    expect(() => parseEvaluateSupervisorMessage({ type: 'start', job: { runId: 'r1' }, storage: '/data', leaseToken: 'abc' })).toThrow(/job\.evalId/);
    expect(() => parseEvaluateSupervisorMessage({ type: 'evaluate' })).toThrow(/malformed message/);
    expect(parseEvaluateSupervisorMessage({ type: 'ping' })).toEqual({ type: 'ping' });
  });
});
