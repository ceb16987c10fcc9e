import { api, ApiError } from './api.ts';
import { h, link, replace } from './dom.ts';
import { Poller, type Page, type PageContext } from './page.ts';

/** Which resource a live page follows, and where its list is. */
export interface LiveResource {
  /** `run` or `sweep`: the API collection is its plural. */
  noun: 'run' | 'sweep';
  id: string;
  list: { path: string; label: string };
}

/**
 * A page that polls one run or sweep of the API while it changes. The header row, the
 * page shown when the id does not exist, and the cancel action are the same for both.
 */
export abstract class LivePage implements Page {
  protected readonly base: string;
  protected readonly header = h('div', { class: 'title-row' });
  protected readonly poller: Poller;

  protected constructor(
    protected readonly root: HTMLElement,
    protected readonly context: PageContext,
    private readonly resource: LiveResource,
    intervalMs: number,
  ) {
    this.base = `/api/v1/${resource.noun}s/${encodeURIComponent(resource.id)}`;
    this.poller = new Poller(() => this.update(), intervalMs, (error) => this.failed(error));
  }

  dispose(): void {
    this.poller.stop();
  }

  /** One poll: fetch the resource and show what changed. */
  protected abstract update(): Promise<void>;

  /** An update that failed for another reason than a missing id; by default the next poll tries again. */
  protected showUpdateError(_error: unknown): void {}

  protected async cancel(): Promise<void> {
    const { noun, id } = this.resource;
    if (!confirm(`Cancel ${noun} ${id}?`)) return;
    await api(`${this.base}/cancel`, { method: 'POST' }).catch((error: unknown) => alert(String(error)));
    this.poller.now();
  }

  private failed(error: unknown): void {
    if (!(error instanceof ApiError && error.status === 404)) {
      this.showUpdateError(error);
      return;
    }
    this.dispose();
    const { noun, id, list } = this.resource;
    const title = `${noun[0].toUpperCase()}${noun.slice(1)} not found`;
    replace(this.root, h('h1', {}, title), h('p', { class: 'not-found' }, `There is no ${noun} with the id "${id}".`), h('p', {}, link(list.path, list.label)));
  }
}
