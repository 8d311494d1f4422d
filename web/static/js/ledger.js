// A credit ledger (抵免台账) as a table and as a chart of the same years.
import { h } from './dom.js';
import { t } from './i18n.js';
import { yuan, money, sumFen, eligibility, conditionList } from './format.js';
import { ledgerChart } from './chart.js';

const COLUMNS = ['carry_in', 'generated', 'reversed', 'clawback', 'payable', 'offset', 'offset_education', 'offset_local', 'carry_out'];
const SUMMED = new Set(['generated', 'reversed', 'clawback', 'payable', 'offset', 'offset_education', 'offset_local']);

function ledgerTable(rows) {
  const total = {};
  for (const c of SUMMED) total[c] = sumFen(rows, (r) => r[c]);
  return h('div', { class: 'table-wrap' }, h('table', { class: 'ledger' },
    h('caption', null, t('ledger.caption')),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('ledger.year')),
      COLUMNS.map((c) => h('th', { scope: 'col', class: 'amount' }, t(`ledger.${c}`))))),
    h('tbody', null, rows.map((r) => h('tr', null,
      h('th', { scope: 'row' }, String(r.year), r.qualified === false ? h('span', { class: 'hint' }, ` ${t('ledger.not_qualified')}`) : null),
      COLUMNS.map((c) => h('td', { class: 'amount' }, yuan(r[c])))))),
    h('tfoot', null, h('tr', null, h('th', { scope: 'row' }, t('table.total')),
      COLUMNS.map((c) => h('td', { class: 'amount' }, SUMMED.has(c) ? yuan(total[c]) : c === 'carry_out' && rows.length ? yuan(rows[rows.length - 1].carry_out) : ''))))));
}

// ledgerView is the chart beside the table, with each year's conditions
// behind a "how was this calculated" disclosure.
export function ledgerView(rows) {
  if (!rows.length) return h('p', { class: 'hint' }, t('ledger.empty'));
  const why = rows.filter((r) => r.conditions?.length).map((r) => h('li', null, h('strong', null, String(r.year)), conditionList(r.conditions)));
  return h('div', { class: 'ledger-view' },
    h('div', { class: 'chart-block side' }, ledgerChart(rows, t('ledger.chart')), ledgerTable(rows)),
    why.length ? h('details', null, h('summary', null, t('ledger.why')), h('ul', null, why)) : null);
}

// ledgerSummary is an enterprise's ledger as GET …/credit-ledger gives it:
// eligible or not, the offset over its years, the conditions, the ledger.
export function ledgerSummary(l) {
  return [
    h('p', null, eligibility(l.eligible), ' ', t('credit.total_offset'), money(l.amount)),
    conditionList(l.conditions), ledgerView(l.ledger)];
}
