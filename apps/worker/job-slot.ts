import { type Job, WaitingError, type Worker } from 'bullmq';

type Processor<Data, Result> = (job: Job<Data>, token?: string) => Promise<Result>;

/**
 * One job at a time per worker process, whichever of its queues the job comes from.
 * Each queue has its own BullMQ Worker; while one of them runs a job, the others are
 * paused, so a busy process takes nothing more and an idle process elsewhere gets the
 * work. A paused Worker already blocked waiting for a job can still receive one in
 * that instant; it hands it straight back to its queue (`moveToWait`), where every
 * other worker can take it.
 */
export class JobSlot {
  private holder: Worker | null = null;
  private readonly members = new Set<Worker>();

  /** A Worker that shares the slot; paused at once if another holds it. */
  add(worker: Worker): void {
    this.members.add(worker);
    if (this.holder !== null) void worker.pause(true);
  }

  /** The processor of `worker()`, running only while that Worker holds the slot. */
  guard<Data, Result>(worker: () => Worker, processor: Processor<Data, Result>): Processor<Data, Result> {
    return async (job, token) => {
      const self = worker();
      if (!this.claim(self)) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      try {
        return await processor(job, token);
      } finally {
        this.release(self);
      }
    };
  }

  private claim(worker: Worker): boolean {
    if (this.holder !== null) return false;
    this.holder = worker;
    for (const other of this.members) if (other !== worker) void other.pause(true);
    return true;
  }

  private release(worker: Worker): void {
    if (this.holder !== worker) return;
    this.holder = null;
    for (const other of this.members) if (other !== worker && !other.closing) void other.resume();
  }
}
