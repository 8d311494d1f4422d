// 概览: one grant year's payouts by payer - pending, approved and paid - and
// each payer's budget (预算指标) against what it has committed (已占用) and
// what remains (可用余额), as a chart beside the table of the same numbers.
// A payout belongs to the grant year of the run that recorded it, as the
// budgets count it.
import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { yuan, toFen, sumFen, label, payerName, today } from '../../format.js';
import { barChart } from '../../chart.js';
import { all } from '../session.js';
import { heading, table, field, select } from '../ui.js';

const STATUSES = ['pending', 'approved', 'paid', 'rejected'];

export async function render(ctx) {
  ctx.root.append(heading(ctx, t('nav.overview')), h('p', { class: 'hint' }, t('overview.loading')));
  const [runs, payouts, budgets] = await Promise.all([
    all('/v1/payout-runs', 'runs'), all('/v1/payouts', 'payouts'), ctx.api('GET', '/v1/budgets').then((b) => b.budgets),
  ]);
  if (!ctx.alive()) return;
  const runYear = new Map(runs.map((r) => [r.id, r.grant_year || Number(r.as_of.slice(0, 4))]));
  const years = [...new Set([...runYear.values(), ...budgets.map((b) => b.year), Number(today().slice(0, 4))])].sort((a, b) => b - a);
  // The year asked for, else the latest run's, else this year.
  const year = Number(ctx.query.get('year')) || (runs.length ? runYear.get(runs[0].id) : Number(today().slice(0, 4)));

  const byPayer = new Map();
  const group = (code, name) => {
    if (!byPayer.has(code)) byPayer.set(code, { code, name, values: { pending: 0n, approved: 0n, paid: 0n }, count: 0, budget: null });
    return byPayer.get(code);
  };
  const shown = payouts.filter((p) => runYear.get(p.run_id) === year);
  for (const p of shown) {
    const g = group(p.payer.code, p.payer.name);
    g.values[p.status] = (g.values[p.status] || 0n) + toFen(p.amount);
    g.count += 1;
  }
  for (const b of budgets.filter((x) => x.year === year)) {
    const g = group(b.payer.code, b.payer.name);
    g.budget = b;
    g.values.budget = toFen(b.amount);
  }
  const groups = [...byPayer.values()].sort((a, b) => a.code.localeCompare(b.code));

  const yearSelect = select(years.map((y) => [String(y), t('overview.year', y)]), String(year));
  const pick = h('form', { class: 'card filters' }, field('year', t('f.grant_year'), yearSelect),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('btn.show'))));
  pick.addEventListener('submit', (ev) => { ev.preventDefault(); ctx.go(`#/overview?year=${yearSelect.value}`); });
  yearSelect.addEventListener('change', () => ctx.go(`#/overview?year=${yearSelect.value}`));

  const series = [...['pending', 'approved', 'paid'].map((id) => ({ id, label: label('status', id) })), { id: 'budget', label: t('budget.amount') }];
  const sum = (f) => groups.reduce((acc, g) => acc + f(g), 0n);
  const budgetCell = (g, f) => (g.budget ? h('td', { class: `amount${f === 'remaining' && toFen(g.budget.remaining) < 0n ? ' over' : ''}` }, yuan(g.budget[f])) : h('td', { class: 'hint' }, f === 'amount' ? t('budget.none') : ''));
  const columns = [
    { label: t('payout.payer'), cell: (g) => h('td', { class: 'nowrap' }, payerName(g), ' ', h('span', { class: 'mono hint' }, g.code)) },
    { label: t('overview.count'), num: true, cell: (g) => String(g.count) },
    ...STATUSES.map((s) => ({ label: label('status', s), amount: true, cell: (g) => yuan(g.values[s] || 0n) })),
    { label: t('budget.amount'), amount: true, cell: (g) => budgetCell(g, 'amount') },
    { label: t('budget.committed'), amount: true, cell: (g) => budgetCell(g, 'committed') },
    { label: t('budget.remaining'), amount: true, cell: (g) => budgetCell(g, 'remaining') },
  ];
  const withBudget = groups.filter((g) => g.budget);
  const foot = [t('table.total'), String(shown.length), ...STATUSES.map((s) => yuan(sum((g) => g.values[s] || 0n))),
    ...['amount', 'committed', 'remaining'].map((f) => (withBudget.length ? yuan(sumFen(withBudget, (g) => g.budget[f])) : ''))];
  ctx.root.replaceChildren(heading(ctx, t('nav.overview')), pick,
    groups.length
      ? h('div', { class: 'chart-block' },
        h('p', { class: 'hint' }, t('overview.lede', year, shown.length)),
        barChart(groups.map((g) => ({ label: payerName(g), values: g.values })), series, t('overview.chart', year)),
        table(t('overview.table', year), columns, groups, { foot, rowAttrs: (g) => ({ 'data-payer': g.code }) }))
      : h('p', { class: 'hint' }, t('overview.empty', year)),
    h('p', null, h('a', { href: `#/budgets?year=${year}` }, t('overview.to_budgets'))));
}
