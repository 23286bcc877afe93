// Pair a device with the code its agent prints (`datagraph agent init`). The code is checked in the browser
// (protocol's pairing-code format, with its checksum); a registered provider signs a new registration at once,
// a new one goes on to the consent editor first.
import { describe } from '../api.ts';
import { field, h, notice } from '../dom.ts';
import { register } from '../registration.ts';
import type { AppState } from '../state.ts';
import { readPairingCode } from '../wallet.ts';

export function devicesView(state: AppState, after: () => void, toConsent: () => void): HTMLElement {
  const reg = state.dash?.registration;
  const status = h('div', { class: 'status-region', 'aria-live': 'polite' });
  const code = h('input', {
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'DG1-XXXX-XXXX-…',
  }) as HTMLInputElement;
  const btn = h('button', { type: 'submit', class: 'primary' }, 'Pair this device');
  const list = [
    ...(reg?.devices ?? []).map((d) => ({ ...d, state: 'paired' })),
    ...state.pending.map((d) => ({ ...d, state: 'waiting for consent' })),
  ];
  const form = h(
    'form',
    {
      onsubmit: async (e: Event) => {
        e.preventDefault();
        let device: ReturnType<typeof readPairingCode>;
        try {
          device = readPairingCode(code.value);
        } catch (err) {
          code.setAttribute('aria-invalid', 'true');
          code.focus();
          return status.replaceChildren(notice('error', `That pairing code is not right: ${describe(err)}`));
        }
        code.removeAttribute('aria-invalid');
        if (list.some((d) => d.address === device.address))
          return status.replaceChildren(notice('info', 'This device is already paired.'));
        if (reg?.status !== 'active') {
          state.pending.push(device);
          state.flash = { kind: 'info', text: 'Device recognised. Now choose what it may share, then sign.' };
          return toConsent();
        }
        btn.setAttribute('disabled', '');
        try {
          await register(state, [...reg.devices, device], reg.policy);
          state.flash = { kind: 'ok', text: `Device ${device.address} paired under your current consent.` };
          after();
        } catch (err) {
          status.replaceChildren(notice('error', describe(err)));
          btn.removeAttribute('disabled');
        }
      },
    },
    field(
      'Pairing code',
      code,
      'Shown by your device (or by the command datagraph agent init). Case and dashes do not matter.',
    ),
    btn,
  );
  return h(
    'section',
    { 'aria-labelledby': 'dev-title' },
    h('h2', { id: 'dev-title' }, 'Devices'),
    status,
    form,
    h('h3', {}, 'Your devices'),
    list.length
      ? h(
          'ul',
          { class: 'devices' },
          list.map((d) =>
            h('li', {}, h('code', { class: 'address' }, d.address), ' ', h('span', { class: 'tag' }, d.state)),
          ),
        )
      : h('p', {}, 'No device yet.'),
  );
}
