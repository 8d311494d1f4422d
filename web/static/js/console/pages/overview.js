// 概览: pending, approved and paid amounts by payer, from every page of
// GET /v1/payouts, as a chart with the table of the same numbers.
// (Phase 2 adds each payer's budget beside them.)
import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { yuan, fromFen, toFen, label } from '../../format.js';
import { barChart } from '../../chart.js';
import { all } from '../session.js';
import { heading, table } from '../ui.js';

const STATUSES = ['pending', 'approved', 'paid', 'rejected'];

export async function render(ctx) {
  ctx.root.append(heading(ctx, t('nav.overview')), h('p', { class: 'hint' }, t('overview.loading')));
  const payouts = await all('/v1/payouts', 'payouts');
  if (!ctx.alive()) return;
  const byPayer = new Map();
  for (const p of payouts) {
    const g = byPayer.get(p.payer.code) || { code: p.payer.code, name: p.payer.name, values: {}, count: 0 };
    g.values[p.status] = (g.values[p.status] || 0n) + toFen(p.amount);
    g.count += 1;
    byPayer.set(p.payer.code, g);
  }
  const groups = [...byPayer.values()].sort((a, b) => a.code.localeCompare(b.code));
  const series = ['pending', 'approved', 'paid'].map((id) => ({ id, label: label('status', id) }));
  const sum = (s) => groups.reduce((acc, g) => acc + (g.values[s] || 0n), 0n);
  const columns = [
    { label: t('payout.payer'), cell: (g) => `${g.name} ${g.code}` },
    { label: t('overview.count'), cell: (g) => h('td', { class: 'num' }, String(g.count)) },
    ...STATUSES.map((s) => ({ label: label('status', s), amount: true, cell: (g) => yuan(fromFen(g.values[s] || 0n)) })),
  ];
  ctx.root.replaceChildren(heading(ctx, t('nav.overview')),
    h('p', { class: 'hint' }, t('overview.lede', payouts.length)),
    groups.length
      ? h('div', { class: 'chart-block side' },
        barChart(groups.map((g) => ({ label: g.name, values: g.values })), series, t('overview.chart')),
        table(t('overview.table'), columns, groups, { foot: [t('table.total'), String(payouts.length), ...STATUSES.map((s) => yuan(fromFen(sum(s))))] }))
      : h('p', { class: 'hint' }, t('overview.empty')));
}
