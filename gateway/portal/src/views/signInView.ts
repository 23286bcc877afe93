// Sign up (a new key, encrypted in the browser, downloaded as a dag4 keystore file) or sign in (open a
// keystore file with its password). Either way the portal then signs the gateway's challenge.
import { describe } from '../api.ts';
import { field, h, notice } from '../dom.ts';
import { type AppState, signIn } from '../state.ts';
import { createKey, lockKey, unlockKeystore } from '../wallet.ts';

export function signInView(state: AppState, done: () => void): HTMLElement {
  const status = h('div', { class: 'status-region', 'aria-live': 'polite' });
  const show = (el: HTMLElement) => status.replaceChildren(el);
  if (state.flash) show(notice(state.flash.kind, state.flash.text));
  state.flash = undefined;

  const pw1 = h('input', { type: 'password', autocomplete: 'new-password' }) as HTMLInputElement;
  const pw2 = h('input', { type: 'password', autocomplete: 'new-password' }) as HTMLInputElement;
  const createBtn = h('button', { type: 'submit', class: 'primary' }, 'Create my wallet');
  const created = h('div');
  const createForm = h(
    'form',
    {
      'aria-labelledby': 'create-title',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        if (pw1.value.length < 8) return show(notice('error', 'Choose a password of at least 8 characters.'));
        if (pw1.value !== pw2.value) return show(notice('error', 'The two passwords are not the same.'));
        createBtn.setAttribute('disabled', '');
        show(notice('info', 'Creating and encrypting your key (this takes a few seconds)…'));
        try {
          const key = createKey();
          const file = await lockKey(key, pw1.value);
          const url = URL.createObjectURL(new Blob([JSON.stringify(file)], { type: 'application/json' }));
          const link = h(
            'a',
            { href: url, download: `datagraph-${key.address}.json`, class: 'button' },
            'Download my keystore file',
          );
          const go = h(
            'button',
            {
              type: 'button',
              class: 'primary',
              onclick: async () => {
                try {
                  await signIn(state, key);
                  done();
                } catch (err) {
                  show(notice('error', describe(err)));
                }
              },
            },
            'Continue to my dashboard',
          );
          created.replaceChildren(
            h('p', {}, 'Your address: ', h('code', { class: 'address' }, key.address)),
            h(
              'p',
              {},
              'Keep the keystore file and its password safe: they are the only way back in, and nobody can reset them.',
            ),
            h('div', { class: 'row' }, link, go),
          );
          show(notice('ok', 'Your wallet is ready.'));
        } catch (err) {
          show(notice('error', describe(err)));
        } finally {
          createBtn.removeAttribute('disabled');
        }
      },
    },
    h('h2', { id: 'create-title' }, 'New here? Create a wallet'),
    h('p', {}, 'Your key is made and encrypted in this browser. It never leaves it unencrypted.'),
    field('Password', pw1, 'At least 8 characters.'),
    field('Repeat the password', pw2),
    createBtn,
    created,
  );

  const fileIn = h('input', { type: 'file', accept: '.json,application/json' }) as HTMLInputElement;
  const pw = h('input', { type: 'password', autocomplete: 'current-password' }) as HTMLInputElement;
  const openBtn = h('button', { type: 'submit', class: 'primary' }, 'Unlock and sign in');
  const openForm = h(
    'form',
    {
      'aria-labelledby': 'open-title',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const file = fileIn.files?.[0];
        if (!file) return show(notice('error', 'Choose your keystore file first.'));
        openBtn.setAttribute('disabled', '');
        show(notice('info', 'Unlocking your keystore…'));
        try {
          let json: unknown;
          try {
            json = JSON.parse(await file.text());
          } catch {
            throw new Error('This file is not a keystore (it is not JSON).');
          }
          const key = await unlockKeystore(json, pw.value);
          await signIn(state, key);
          done();
        } catch (err) {
          const c = (err as { code?: string }).code;
          show(
            notice(
              'error',
              c === 'PR_KEYSTORE_PASSWORD'
                ? 'Wrong password for this keystore file. Check it and try again. (PR_KEYSTORE_PASSWORD)'
                : c === 'PR_KEYSTORE_INVALID'
                  ? 'This file is not a DataGraph/dag4 keystore. (PR_KEYSTORE_INVALID)'
                  : describe(err),
            ),
          );
        } finally {
          openBtn.removeAttribute('disabled');
        }
      },
    },
    h('h2', { id: 'open-title' }, 'Already have a wallet? Sign in'),
    field('Keystore file', fileIn, 'The .json file you downloaded when you signed up (dag4 keystores work too).'),
    field('Password', pw),
    openBtn,
  );

  return h(
    'main',
    { id: 'main', class: 'signin' },
    h('h1', {}, 'Share your health data on your terms'),
    h('p', { class: 'lead' }, 'Choose what leaves your devices, see who used it, and get paid each time.'),
    status,
    h(
      'div',
      { class: 'cards' },
      h('section', { class: 'card' }, createForm),
      h('section', { class: 'card' }, openForm),
    ),
  );
}
