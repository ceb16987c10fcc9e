import { api, ApiError, type Session } from './api.ts';
import { h, replace } from './dom.ts';
import type { Page, PageContext } from './page.ts';
import { comparePage } from './pages/compare-page.ts';
import { loginPage } from './pages/login-page.ts';
import { runPage } from './pages/run-page.ts';
import { runsPage } from './pages/runs-page.ts';
import { sweepPage } from './pages/sweep-page.ts';
import { sweepsPage } from './pages/sweeps-page.ts';

/** Which page a path shows; unknown paths get a page that says so. */
function pageFor(path: string, root: HTMLElement, context: PageContext): Page {
  const [, first, second] = path.split('/').map((part) => decodeURIComponent(part));
  if (first === '' || first === 'runs') return second === undefined || second === '' ? runsPage(root, context) : runPage(root, context, second);
  if (first === 'sweeps') return second === undefined || second === '' ? sweepsPage(root, context) : sweepPage(root, context, second);
  if (first === 'compare') return comparePage(root, context);
  replace(root, h('h1', {}, 'Not found'), h('p', {}, `There is no page at ${path}.`));
  return { dispose: () => undefined };
}

class App {
  private current: Page | null = null;
  private readonly root = document.getElementById('app')!;

  async start(): Promise<void> {
    document.addEventListener('click', (event) => {
      const anchor = (event.target as Element | null)?.closest?.('a[data-link]');
      if (!(anchor instanceof HTMLAnchorElement) || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      this.navigate(anchor.getAttribute('href') ?? '/');
    });
    window.addEventListener('popstate', () => void this.show());
    await this.show();
  }

  navigate(path: string): void {
    history.pushState(null, '', path);
    void this.show();
  }

  private async show(): Promise<void> {
    this.current?.dispose();
    this.current = null;
    let session: Session;
    try {
      session = await api<Session>('/api/v1/session');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.showSession(null);
        this.current = loginPage(this.root, () => void this.show());
        return;
      }
      replace(this.root, h('p', { class: 'error' }, `The API did not answer: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    this.showSession(session);
    for (const anchor of document.querySelectorAll<HTMLAnchorElement>('header nav a')) {
      const href = anchor.getAttribute('href') ?? '';
      anchor.classList.toggle('active', href === '/' ? location.pathname === '/' || location.pathname.startsWith('/runs') : location.pathname.startsWith(href));
    }
    this.current = pageFor(location.pathname, this.root, { session, navigate: (path) => this.navigate(path) });
  }

  private showSession(session: Session | null): void {
    const slot = document.getElementById('session')!;
    if (session === null || !session.authRequired) {
      replace(slot, session === null ? null : h('span', { class: 'muted' }, 'open API (no tokens)'));
      return;
    }
    const logout = async () => {
      await fetch('/ui/session', { method: 'DELETE', credentials: 'same-origin' });
      await this.show();
    };
    replace(slot, h('span', { class: `badge role-${session.role}` }, session.role === 'write' ? 'write token' : 'read-only token'), ' ', h('button', { class: 'link', onclick: () => void logout() }, 'Log out'));
  }
}

void new App().start();
