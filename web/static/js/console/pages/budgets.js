// 预算指标: each payer's budget for a grant year - the appropriation, what
// its approved and paid payouts of that year's runs have committed, and
// what remains - and the form that sets one. The payer is one of Wenzhou's
// divisions, chosen by name (its finance bureau pays).
import { h, replace } from '../../dom.js';
import { t } from '../../i18n.js';
import { yuan, fromFen, toFen, sumFen, money, dateTime, today, payerName, plainAmount } from '../../format.js';
import { heading, table, form, field, input, regionSelect, notice } from '../ui.js';

export async function render(ctx) {
  const all = (await ctx.api('GET', '/v1/budgets')).budgets;
  if (!ctx.alive()) return;
  const thisYear = Number(today().slice(0, 4));
  const year = Number(ctx.query.get('year')) || Math.max(0, ...all.map((b) => b.year)) || thisYear;
  const years = [...new Set([...all.map((b) => b.year), thisYear, year])].sort((a, b) => b - a);

  ctx.root.append(heading(ctx, t('nav.budgets')), h('p', { class: 'lede' }, t('budgets.lede')));
  const message = h('div', { 'aria-live': 'polite' });
  const tabs = h('nav', { class: 'tabs', 'aria-label': t('f.grant_year') }, years.map((y) => h('a', { href: `#/budgets?year=${y}`, 'aria-current': y === year ? 'page' : null }, t('overview.year', y))));
  const list = h('section');

  const payer = regionSelect('', { any: t('f.choose'), payer: true });
  const yearInput = input({ inputmode: 'numeric', maxlength: 4, class: 'num', value: String(year) });
  const amount = input({ inputmode: 'decimal', class: 'num' });
  const set = form([
    h('h2', null, t('budgets.set')),
    field('payer', t('payout.payer'), payer, { hint: t('budgets.payer_hint') }),
    field('year', t('f.grant_year'), yearInput),
    field('amount', t('budgets.amount_yuan'), amount),
  ], t('budgets.set_button'), async () => {
    const y = yearInput.value.trim();
    // The payer and the year are the path's: the API names them payer and year when they are wrong.
    const b = await ctx.api('PUT', `/v1/budgets/${encodeURIComponent(payer.value || '-')}/${encodeURIComponent(y || '-')}`, { body: { amount: plainAmount(amount.value) } });
    amount.value = '';
    if (b.year !== year) {
      ctx.go(`#/budgets?year=${b.year}`);
      return;
    }
    replace(message, notice(t('budgets.saved', payerName(b.payer), b.year, money(b.amount)), 'ok'));
    await draw();
  });

  const edit = (b) => {
    payer.value = b.payer.code;
    yearInput.value = String(b.year);
    amount.value = fromFen(toFen(b.amount));
    amount.focus();
  };

  async function draw(list0) {
    const rows = list0 || (await ctx.api('GET', `/v1/budgets?year=${year}`)).budgets;
    if (!ctx.alive()) return;
    const sum = (f) => yuan(sumFen(rows, (b) => b[f]));
    replace(list, table(t('budgets.table', year), [
      { label: t('payout.payer'), cell: (b) => [payerName(b.payer), ' ', h('span', { class: 'mono hint' }, b.payer.code)] },
      { label: t('budget.amount'), amount: true, cell: (b) => yuan(b.amount) },
      { label: t('budget.committed'), amount: true, cell: (b) => yuan(b.committed) },
      { label: t('budget.remaining'), amount: true, cell: (b) => h('td', { class: `amount${toFen(b.remaining) < 0n ? ' over' : ''}` }, yuan(b.remaining), toFen(b.remaining) < 0n ? h('span', { class: 'hint' }, ` ${t('budgets.over')}`) : null) },
      { label: t('registry.updated'), cell: (b) => dateTime(b.updated_at) },
      { label: t('payouts.actions'), cell: (b) => h('button', { type: 'button', class: 'secondary', onclick: () => edit(b) }, t('btn.edit')) },
    ], rows, {
      empty: t('budgets.none', year),
      foot: [t('table.total'), sum('amount'), sum('committed'), sum('remaining'), '', ''],
      rowAttrs: (b) => ({ 'data-payer': b.payer.code }),
    }));
  }

  ctx.root.append(message, tabs, h('div', { class: 'layout' }, set, list));
  await draw(all.filter((b) => b.year === year));
}
