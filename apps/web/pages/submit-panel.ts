import { api, ApiError } from '../api.ts';
import { h, replace } from '../dom.ts';

const EXAMPLE_PATH = 'configs/smoke/baseline.yaml';

/**
 * The "New run" form: a config path under the API's configs folder, or YAML pasted in.
 * A refused config shows the API's message, and for pasted YAML the line it names is
 * marked in a numbered copy of the text.
 */
export function submitPanel(submitted: (runId: string) => void): { toggle: HTMLButtonElement; panel: HTMLElement } {
  const path = h('input', { type: 'text', name: 'configPath', value: EXAMPLE_PATH, 'aria-label': 'config path', class: 'wide' });
  const yaml = h('textarea', { name: 'yaml', rows: 14, spellcheck: false, 'aria-label': 'config YAML', placeholder: 'name: my-run\nmodel: …' });
  const pathMode = h('input', { type: 'radio', name: 'source', value: 'path', checked: true, onchange: () => showMode() });
  const yamlMode = h('input', { type: 'radio', name: 'source', value: 'yaml', onchange: () => showMode() });
  const problem = h('div', { class: 'submit-error', role: 'alert' });
  const pathRow = h('div', { class: 'field' }, h('label', {}, 'Config path'), path);
  const yamlRow = h('div', { class: 'field', hidden: true }, h('label', {}, 'Config YAML'), yaml);
  const send = h('button', { type: 'submit', class: 'primary' }, 'Submit run');

  function showMode(): void {
    pathRow.hidden = !pathMode.checked;
    yamlRow.hidden = pathMode.checked;
  }

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    replace(problem);
    send.disabled = true;
    try {
      const body = pathMode.checked ? { configPath: path.value.trim() } : { config: yaml.value };
      const run = await api<{ id: string }>('/api/v1/runs', { method: 'POST', body });
      panel.hidden = true;
      submitted(run.id);
    } catch (error) {
      showProblem(error);
    } finally {
      send.disabled = false;
    }
  }

  function showProblem(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const line = error instanceof ApiError && typeof error.body.line === 'number' ? error.body.line : null;
    replace(problem, h('p', { class: 'error' }, message), yamlMode.checked && line !== null ? numberedYaml(yaml.value, line) : null);
  }

  const panel = h(
    'form',
    { class: 'card submit', hidden: true, onsubmit: (event) => void submit(event) },
    h('div', { class: 'modes' }, h('label', {}, pathMode, ' from a config file'), h('label', {}, yamlMode, ' from pasted YAML')),
    pathRow,
    yamlRow,
    h('div', { class: 'actions' }, send),
    problem,
  );
  const toggle = h('button', { class: 'primary', onclick: () => (panel.hidden = !panel.hidden) }, 'New run');
  return { toggle, panel };
}

/** The pasted YAML with line numbers, the line the API named marked, and a few lines around it. */
function numberedYaml(text: string, line: number): HTMLElement {
  const lines = text.split('\n');
  const first = Math.max(1, line - 3);
  const last = Math.min(lines.length, line + 3);
  const rows = [];
  for (let n = first; n <= last; n += 1) rows.push(h('div', { class: n === line ? 'yaml-line marked' : 'yaml-line' }, h('span', { class: 'line-number' }, String(n)), lines[n - 1] ?? ''));
  return h('pre', { class: 'yaml-excerpt' }, ...rows);
}
