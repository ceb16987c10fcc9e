import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { evaluateJobSchema } from '../../../shared/contracts/evaluate-job.ts';
import { sweepJobSchema } from '../../../shared/contracts/sweep-job.ts';
import { trainJobSchema } from '../../../shared/contracts/train-job.ts';
import { JobPayloadError, parseJobPayload, takenJobPayload } from '../../../shared/queue/job-payload.ts';

describe('job payloads are checked against their schema where queued and where taken', () => {
  it('refuses a malformed train payload at enqueue, naming every bad field', () => {
    const attempt = () => parseJobPayload(trainJobSchema, { runId: '', config: 'yaml text' }, 'train job of run x');
    expect(attempt).toThrow(JobPayloadError);
    expect(attempt).toThrow(/train job of run x: malformed payload: runId: .*; config: /);
  });

  it('fails a taken job with a malformed payload for good, so that BullMQ does not retry it', () => {
    const job = { id: 'e1', queueName: 'evaluate', data: { evalId: 'e1', runId: 'r1', checkpoint: 'newest' } };
    expect(() => takenJobPayload(evaluateJobSchema, job)).toThrow(UnrecoverableError);
    expect(() => takenJobPayload(evaluateJobSchema, job)).toThrow(/evaluate job e1: malformed payload: checkpoint/);
  });

  it('passes well-formed payloads through unchanged', () => {
    expect(takenJobPayload(sweepJobSchema, { id: 's1', queueName: 'sweep', data: { sweepId: 's1' } })).toEqual({ sweepId: 's1' });
    const train = { runId: 'r1', config: { name: 'n' }, submittedBy: 'anonymous' };
    expect(parseJobPayload(trainJobSchema, train, 'train job')).toEqual(train);
  });
});
