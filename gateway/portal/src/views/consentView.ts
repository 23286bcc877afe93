// The consent editor: field by field (each field has its catalogue cadence), exact or coarse, an expiry, and a
// live preview of an update body exactly as the device would send it under this policy.
import {
  type Cadence,
  type ConsentPolicy,
  catalogue,
  coarsen,
  FIELD_NAMES,
  type FieldName,
  fieldSpec,
  roundToCatalogue,
} from '@datagraph/protocol';
import { describe } from '../api.ts';
import { field, h, notice } from '../dom.ts';
import { register } from '../registration.ts';
import type { AppState } from '../state.ts';

type Consent = Pick<ConsentPolicy, 'fields' | 'generalisation' | 'expiresAt'>;

const CADENCES: Cadence[] = ['hourly', 'daily', 'profile'];

function example(name: FieldName, coarse: boolean): string | number {
  const s = fieldSpec(name);
  if (s.kind === 'categorical') return s.values[Math.floor(s.values.length / 2)] as string;
  const v = roundToCatalogue(name, s.min + (s.max - s.min) * 0.37);
  return coarse ? coarsen(name, v) : v;
}

/** What one update of `cadence` carries under `consent`: the body the device signs, values illustrative. */
export function previewBody(provider: string, version: number, cadence: Cadence, c: Consent) {
  const fields: Record<string, string | number> = {};
  for (const f of FIELD_NAMES)
    if (c.fields[f]?.includes(cadence)) fields[f] = example(f, c.generalisation[f] === 'coarse');
  if (Object.keys(fields).length === 0) return null;
  return {
    v: 1,
    id: '(a new random id per update)',
    provider,
    device: '(your device address)',
    seq: 1,
    cadence,
    window: cadence === 'profile' ? '(when the profile changed)' : { start: '(window start)', end: '(window end)' },
    policyVersion: version,
    fields,
    salt: '(128 random bits, new per update)',
  };
}

export function consentView(state: AppState, after: () => void): HTMLElement {
  const reg = state.dash?.registration;
  const devices = [...(reg?.devices ?? []), ...state.pending];
  const c: Consent = reg
    ? {
        fields: { ...reg.policy.fields },
        generalisation: { ...reg.policy.generalisation },
        expiresAt: reg.policy.expiresAt,
      }
    : { fields: { steps: ['hourly'] }, generalisation: {}, expiresAt: null };
  const status = h('div', { class: 'status-region', 'aria-live': 'polite' });
  const preview = h('div', { class: 'preview' });
  const provider = state.key?.address ?? '';
  const nextVersion = (reg?.policyVersion ?? 0) + 1;

  const renderPreview = () => {
    const parts: HTMLElement[] = [];
    for (const cad of CADENCES) {
      const body = previewBody(provider, nextVersion, cad, c);
      if (body)
        parts.push(
          h('h4', {}, `Each ${cad} update`),
          h('pre', { tabindex: 0, 'data-cadence': cad }, JSON.stringify(body, null, 2)),
        );
    }
    const never = FIELD_NAMES.filter((f) => !c.fields[f]);
    preview.replaceChildren(
      ...(parts.length ? parts : [h('p', {}, 'Nothing would leave your devices.')]),
      h(
        'p',
        { class: 'hint' },
        `Never sent: ${never.join(', ') || 'nothing'}. Raw sensor samples never leave the device.`,
      ),
    );
  };

  const rows = FIELD_NAMES.map((name) => {
    const s = catalogue[name];
    const share = h('input', {
      type: 'checkbox',
      id: `share-${name}`,
      checked: Boolean(c.fields[name]),
    }) as HTMLInputElement;
    const coarse = h('input', {
      type: 'checkbox',
      id: `coarse-${name}`,
      checked: c.generalisation[name] === 'coarse',
      disabled: s.kind !== 'numeric',
    }) as HTMLInputElement;
    share.addEventListener('change', () => {
      if (share.checked) c.fields[name] = [s.cadence];
      else delete c.fields[name];
      renderPreview();
    });
    coarse.addEventListener('change', () => {
      if (coarse.checked) c.generalisation[name] = 'coarse';
      else delete c.generalisation[name];
      renderPreview();
    });
    const unit = s.kind === 'numeric' ? `${s.unit}, coarse step ${s.coarseStep}` : s.values.join(' / ');
    return h(
      'tr',
      {},
      h('td', {}, share, ' ', h('label', { for: share.id }, s.label), h('div', { class: 'hint' }, `${name} (${unit})`)),
      h('td', {}, s.cadence),
      h('td', {}, s.kind === 'numeric' ? [coarse, ' ', h('label', { for: coarse.id }, 'Round')] : 'n/a'),
    );
  });

  const expiry = h('input', { type: 'date', id: 'consent-expiry' }) as HTMLInputElement;
  if (c.expiresAt) expiry.value = new Date(c.expiresAt * 1000).toISOString().slice(0, 10);
  expiry.addEventListener('change', () => {
    c.expiresAt = expiry.value ? Math.floor(Date.parse(`${expiry.value}T23:59:59Z`) / 1000) : null;
  });

  const save = h(
    'button',
    { type: 'submit', class: 'primary' },
    reg ? 'Sign and save my consent' : 'Sign and register',
  );
  const form = h(
    'form',
    {
      onsubmit: async (e: Event) => {
        e.preventDefault();
        if (devices.length === 0) return status.replaceChildren(notice('error', 'Pair a device first (Devices page).'));
        if (Object.keys(c.fields).length === 0)
          return status.replaceChildren(notice('error', 'Choose at least one field, or use Privacy to stop sharing.'));
        if (c.expiresAt !== null && c.expiresAt * 1000 <= Date.now())
          return status.replaceChildren(notice('error', 'The expiry date is in the past.'));
        save.setAttribute('disabled', '');
        try {
          await register(state, devices, c);
          state.pending = [];
          state.flash = { kind: 'ok', text: `Consent saved (version ${nextVersion}). Your devices receive it now.` };
          after();
        } catch (err) {
          status.replaceChildren(notice('error', describe(err)));
          save.removeAttribute('disabled');
        }
      },
    },
    h(
      'table',
      { class: 'consent' },
      h('caption', {}, 'What may leave your devices'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Share'),
          h('th', { scope: 'col' }, 'Cadence'),
          h('th', { scope: 'col' }, 'Generalise'),
        ),
      ),
      h('tbody', {}, rows),
    ),
    field('Consent ends on (optional)', expiry, 'After this day nothing is shared until you save a new consent.'),
    save,
  );
  renderPreview();
  return h(
    'section',
    { 'aria-labelledby': 'consent-title' },
    h('h2', { id: 'consent-title' }, 'Consent'),
    status,
    h(
      'div',
      { class: 'split' },
      form,
      h(
        'aside',
        { 'aria-labelledby': 'preview-title', class: 'card' },
        h('h3', { id: 'preview-title' }, 'Exactly what will leave your device'),
        preview,
      ),
    ),
  );
}
