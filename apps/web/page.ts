import type { Session } from './api.ts';

/** What every page gets: who is looking, and how to go elsewhere without a reload. */
export interface PageContext {
  session: Session;
  navigate(path: string): void;
}

/** A page on screen: it stops its timers and charts when the user leaves. */
export interface Page {
  dispose(): void;
}

/**
 * Calls `tick` now and every `intervalMs` after the previous call ended (never two at once),
 * until stopped: the pages' live updates. A failed call shows in `onError` and polling goes on.
 */
export class Poller {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly tick: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  start(): this {
    void this.run();
    return this;
  }

  /** Runs the next tick at once (after a user action), keeping the schedule after it. */
  now(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    this.timer = null;
    try {
      await this.tick();
    } catch (error) {
      this.onError(error);
    }
    if (!this.stopped && this.timer === null) this.timer = setTimeout(() => void this.run(), this.intervalMs);
  }
}
