// The portal's entry: a hash router over five pages. The key and session live only in this page's memory.
import { describe } from './api.ts';
import { h, notice } from './dom.ts';
import { type AppState, refresh, signOut } from './state.ts';
import { consentView } from './views/consentView.ts';
import { devicesView } from './views/devicesView.ts';
import { overviewView } from './views/overviewView.ts';
import { privacyView } from './views/privacyView.ts';
import { signInView } from './views/signInView.ts';

const PAGES = [
  ['overview', 'Overview'],
  ['devices', 'Devices'],
  ['consent', 'Consent'],
  ['privacy', 'Privacy'],
] as const;

const state: AppState = { pending: [] };
const root = document.getElementById('app') as HTMLElement;

function go(page: string): void {
  if (location.hash === `#/${page}`) void render();
  else location.hash = `#/${page}`;
}

async function render(): Promise<void> {
  try {
    if (!state.token || !(await refresh(state))) {
      root.replaceChildren(signInView(state, () => go('overview')));
      return;
    }
    const page = location.hash.replace(/^#\//, '') || 'overview';
    const flash = state.flash;
    state.flash = undefined;
    const nav = h(
      'nav',
      { 'aria-label': 'Portal' },
      h(
        'ul',
        {},
        PAGES.map(([id, label]) =>
          h('li', {}, h('a', { href: `#/${id}`, 'aria-current': id === page ? 'page' : undefined }, label)),
        ),
      ),
    );
    const body =
      page === 'devices'
        ? devicesView(
            state,
            () => go('overview'),
            () => go('consent'),
          )
        : page === 'consent'
          ? consentView(state, () => go('overview'))
          : page === 'privacy'
            ? privacyView(state, () => go('overview'))
            : overviewView(state, () => void render());
    const out = h(
      'button',
      {
        type: 'button',
        class: 'link',
        onclick: async () => {
          signOut(state, { kind: 'info', text: 'Signed out.' });
          void render();
        },
      },
      'Sign out',
    );
    root.replaceChildren(
      h(
        'header',
        {},
        h('div', { class: 'brand' }, 'DataGraph'),
        h('code', { class: 'address', title: 'your address' }, state.key?.address ?? ''),
        out,
      ),
      nav,
      h('main', { id: 'main', tabindex: -1 }, flash ? notice(flash.kind, flash.text) : null, body),
    );
    (document.getElementById('main') as HTMLElement).focus();
  } catch (e) {
    root.replaceChildren(
      h(
        'main',
        { id: 'main' },
        h('h1', {}, 'DataGraph'),
        notice('error', describe(e)),
        h('button', { type: 'button', onclick: () => void render() }, 'Try again'),
      ),
    );
  }
}

window.addEventListener('hashchange', () => void render());
void render();
