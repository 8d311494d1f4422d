// An evaluation's answer, rule by rule: eligible or not, the amount, every
// condition with its message, the policy text it comes from and, for the
// credit, the ledger. Used by the self-check and by the console.
import { h } from './dom.js';
import { t } from './i18n.js';
import { money, label, date, eligibility, conditionList, bureau } from './format.js';
import { ledgerView } from './ledger.js';

export function citationView(c) {
  if (!c) return null;
  return h('div', { class: 'citation' },
    h('p', null, h('strong', null, `${t('result.citation')}：`), c.document, c.title ? ` ${c.title}` : '', c.clause ? ` · ${c.clause}` : ''),
    c.text ? h('blockquote', null, c.text, c.paraphrase ? h('span', { class: 'hint' }, ` ${t('result.paraphrase')}`) : null) : null,
    (c.related || []).map((r) => h('p', { class: 'hint' }, `${t('result.related')}：${r.document} ${r.clause || ''}`, r.text ? ` — ${r.text}` : '')));
}

// payoutView says who pays, by name - the finance bureau of the subject's
// region (local) or the city's - and in which parts.
function payoutView(p, region) {
  if (!p?.items?.length) return null;
  const payer = p.payer === 'local' ? bureau(region) : t('payer.city');
  return h('p', { class: 'hint' }, `${t('result.payer')}：${payer}`,
    p.items.filter((i) => i.level).map((i) => ` · ${label('level', i.level)} ${money(i.amount)}`));
}

// resultCard is one rule's result for a subject of region (an
// enterprise's; a university's grant is the city's to pay).
export function resultCard(r, region) {
  return h('article', { class: 'card rule-result', dataset: { rule: r.rule } },
    h('div', { class: 'rule-head' },
      h('h3', null, label('rule', r.rule)),
      eligibility(r.eligible)),
    h('p', { class: 'amount-big' }, h('span', { class: 'hint' }, `${label('amount_of', r.rule)}：`), h('span', { class: 'amount-value' }, money(r.amount))),
    payoutView(r.payout, region),
    h('h4', null, t('result.conditions')),
    conditionList(r.conditions),
    r.ledger ? [h('h4', null, t('ledger.title')), ledgerView(r.ledger)] : null,
    citationView(r.citation));
}

// metaList is the date, the ruleset's version and digest of an answer.
export function metaList(resp, extra = []) {
  const rows = [
    ...extra,
    [t('results.as_of'), date(resp.as_of)],
    [t('results.ruleset'), resp.ruleset?.version],
    [t('results.digest'), resp.ruleset?.digest],
  ];
  return rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)]);
}
