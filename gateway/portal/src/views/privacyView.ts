// Revoke consent (sharing stops, the gateway deletes your rows) and erase (the same, and your registration is
// marked erased): each behind a confirmation dialog that says what will happen, signed in the browser.
import { describe } from '../api.ts';
import { h, notice } from '../dom.ts';
import { stop } from '../registration.ts';
import type { AppState } from '../state.ts';

export function privacyView(state: AppState, after: () => void): HTMLElement {
  const reg = state.dash?.registration;
  const status = h('div', { class: 'status-region', 'aria-live': 'polite' });
  if (reg?.status !== 'active')
    return h(
      'section',
      {},
      h('h2', {}, 'Privacy'),
      notice('info', reg ? `Your registration is ${reg.status}.` : 'Nothing is shared yet.'),
    );

  const action = (type: 'RevokeConsent' | 'EraseData', label: string, text: string) => {
    const dialog = h('dialog', { 'aria-labelledby': `${type}-t` }) as HTMLDialogElement;
    const confirm = h(
      'button',
      {
        type: 'button',
        class: 'danger',
        onclick: async () => {
          confirm.setAttribute('disabled', '');
          try {
            const r = await stop(state, type);
            dialog.close();
            state.flash = { kind: 'ok', text: `${label}: done. ${r.rowsDeleted} stored update(s) deleted.` };
            after();
          } catch (err) {
            dialog.close();
            status.replaceChildren(notice('error', describe(err)));
          }
        },
      },
      `Yes, ${label.toLowerCase()}`,
    );
    dialog.append(
      h('h3', { id: `${type}-t` }, `${label}?`),
      h('p', {}, text),
      h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'), confirm),
    );
    return h(
      'div',
      { class: 'card' },
      h('h3', {}, label),
      h('p', {}, text),
      h('button', { type: 'button', class: 'danger', onclick: () => dialog.showModal() }, `${label}…`),
      dialog,
    );
  };
  return h(
    'section',
    { 'aria-labelledby': 'pr-title' },
    h('h2', { id: 'pr-title' }, 'Privacy'),
    status,
    action(
      'RevokeConsent',
      'Revoke consent',
      'Your devices stop sharing now, and the gateway deletes every update it holds for you. Nothing of yours is sold after this.',
    ),
    action(
      'EraseData',
      'Erase my data',
      'Everything the gateway holds for you is deleted for good (its encryption key is destroyed) and your registration is closed. This cannot be undone.',
    ),
  );
}
