// The overview: a chart of what was shared (rows per day) and what was earned (per rewards cycle), the totals,
// and the queries that used the provider's rows with what each paid them.
import { h, notice, svg, tokens } from '../dom.ts';
import type { AppState } from '../state.ts';

function barChart(
  title: string,
  points: { label: string; value: number; text: string }[],
  colour: string,
): HTMLElement {
  const W = 600;
  const H = 180;
  const max = Math.max(1, ...points.map((p) => p.value));
  const bw = points.length ? Math.min(60, (W - 20) / points.length) : 0;
  const bars = points.map((p, i) => {
    const bh = Math.round((p.value / max) * (H - 40));
    return svg(
      'g',
      {},
      svg(
        'rect',
        { x: 10 + i * bw + 2, y: H - 20 - bh, width: Math.max(1, bw - 4), height: bh, fill: colour },
        svg('title', {}, `${p.label}: ${p.text}`),
      ),
      svg('text', { x: 10 + i * bw + bw / 2, y: H - 5, 'text-anchor': 'middle', 'font-size': 11 }, p.label),
      svg(
        'text',
        { x: 10 + i * bw + bw / 2, y: H - 24 - bh, 'text-anchor': 'middle', 'font-size': 11, class: 'value' },
        p.text.split(' ')[0] as string,
      ),
    );
  });
  const chart = svg(
    'svg',
    {
      viewBox: `0 0 ${W} ${H}`,
      role: 'img',
      'aria-label': `${title}: ${points.map((p) => `${p.label} ${p.text}`).join(', ') || 'no data yet'}`,
      class: 'chart',
    },
    ...bars,
  );
  return h('figure', {}, h('figcaption', {}, title), chart as unknown as HTMLElement);
}

export function overviewView(state: AppState, reload: () => void): HTMLElement {
  const d = state.dash;
  if (!d) return h('p', {}, 'Loading…');
  const reg = d.registration;
  const shared = d.shared.days.slice(-14).map((x) => ({
    label: new Date(x.day * 1000).toISOString().slice(5, 10),
    value: x.rows,
    text: `${x.rows} updates`,
  }));
  const earned = (d.earnings?.cycles ?? []).slice(-14).map((c) => {
    const sum = c.lines.filter((l) => l.reason === 'query-share').reduce((s, l) => s + BigInt(l.amount), 0n);
    return { label: `#${c.cycle}`, value: Number(sum), text: `${tokens(sum.toString())} tokens` };
  });
  return h(
    'section',
    { 'aria-labelledby': 'ov-title' },
    h(
      'div',
      { class: 'row spread' },
      h('h2', { id: 'ov-title' }, 'Overview'),
      h('button', { type: 'button', onclick: reload }, 'Refresh'),
    ),
    reg
      ? h(
          'p',
          {},
          `Status: ${reg.status}. Consent version ${reg.policyVersion}, ${reg.devices.length} device(s), sharing ${Object.keys(reg.policy.fields).join(', ')}.`,
        )
      : notice('info', 'You are not sharing anything yet. Pair a device to start.'),
    h(
      'dl',
      { class: 'totals' },
      h('div', {}, h('dt', {}, 'Updates held for you'), h('dd', { 'data-testid': 'rows' }, String(d.shared.rows))),
      h(
        'div',
        {},
        h('dt', {}, 'Earned'),
        h('dd', { 'data-testid': 'earned' }, d.earnings ? tokens(d.earnings.totals.earned) : 'n/a'),
      ),
      h('div', {}, h('dt', {}, 'Paid to you'), h('dd', {}, d.earnings ? tokens(d.earnings.totals.paid) : 'n/a')),
      h(
        'div',
        {},
        h('dt', {}, 'Carried to next payout'),
        h('dd', {}, d.earnings ? tokens(d.earnings.totals.carried) : 'n/a'),
      ),
    ),
    h(
      'div',
      { class: 'charts' },
      barChart('Shared: updates per day (last 14 days)', shared, '#1f6feb'),
      d.earnings
        ? barChart('Earned per rewards cycle (tokens)', earned, '#1a7f37')
        : notice('info', 'Earnings are not available on this gateway yet.'),
    ),
    h('h3', {}, 'Queries that used your data'),
    d.usage?.length
      ? h(
          'table',
          { class: 'usage' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Query'),
              h('th', { scope: 'col' }, 'Cycle'),
              h('th', { scope: 'col' }, 'Your rows'),
              h('th', { scope: 'col' }, 'Paid to you'),
            ),
          ),
          h(
            'tbody',
            {},
            d.usage.map((u) =>
              h(
                'tr',
                {},
                h('td', {}, h('code', {}, u.queryId)),
                h('td', {}, String(u.cycle)),
                h('td', {}, String(u.rows)),
                h('td', {}, tokens(u.amount)),
              ),
            ),
          ),
        )
      : h('p', {}, 'No query has used your data yet.'),
  );
}
