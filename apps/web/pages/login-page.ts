import { api, ApiError } from '../api.ts';
import { h, replace } from '../dom.ts';
import type { Page } from '../page.ts';

/** The token form: the API keeps the token in an HttpOnly cookie, so no script here ever holds it after sending. */
export function loginPage(root: HTMLElement, loggedIn: () => void): Page {
  const input = h('input', { type: 'password', name: 'token', id: 'token', autocomplete: 'current-password', required: true, placeholder: 'API token' });
  const message = h('p', { class: 'error', role: 'alert' });
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      await api('/ui/session', { method: 'POST', body: { token: input.value } });
      input.value = '';
      loggedIn();
    } catch (error) {
      message.textContent = error instanceof ApiError && error.status === 401 ? 'That token is not one this API knows.' : String(error);
    }
  };
  replace(
    root,
    h(
      'form',
      { class: 'login card', onsubmit: (event) => void submit(event) },
      h('h1', {}, 'Log in'),
      h('p', { class: 'muted' }, 'This API needs a token (AELAB_API_TOKEN or a line of AELAB_API_TOKENS_FILE). A read token shows everything and changes nothing.'),
      h('label', { for: 'token' }, 'Token'),
      input,
      h('button', { type: 'submit', class: 'primary' }, 'Log in'),
      message,
    ),
  );
  input.focus();
  return { dispose: () => undefined };
}
