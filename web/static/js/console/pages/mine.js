// An enterprise's or a university's own pages: what it is eligible for on
// the facts the bureaus recorded, the payee account it is paid to (its
// number masked), and (an enterprise) its credit ledger.
// Its payouts are on the payouts page, which shows a subject key its own.
import { h, replace } from '../../dom.js';
import { t } from '../../i18n.js';
import { resultCard, metaList } from '../../results.js';
import { ledgerSummary } from '../../ledger.js';
import { heading, field, input, payeeView } from '../ui.js';

export async function render(ctx) {
  const { role, subject } = ctx.me;
  const base = role === 'enterprise' ? `/v1/enterprises/${encodeURIComponent(subject)}` : `/v1/universities/${encodeURIComponent(subject)}`;
  const who = await ctx.api('GET', base);
  if (!ctx.alive()) return;
  if (location.hash.startsWith('#/mine/ledger')) {
    const l = await ctx.api('GET', `${base}/credit-ledger`);
    if (!ctx.alive()) return;
    ctx.root.append(heading(ctx, t('nav.my_ledger')), h('p', { class: 'subject-name' }, who.name), ...ledgerSummary(l));
    return;
  }
  ctx.root.append(heading(ctx, t('nav.mine')), h('p', { class: 'subject-name' }, who.name),
    h('section', { class: 'card payee' }, h('h2', null, t('payee.title')), payeeView(who.payee), h('p', { class: 'hint' }, t('payee.own_hint'))),
    h('p', null, h('a', { href: '#/mine/applications' }, t('mine.to_applications'))));
  const box = h('div');
  let query = '';
  if (role === 'university') {
    const year = input({ inputmode: 'numeric', maxlength: 4, class: 'num', value: ctx.query.get('grant_year') || '' });
    const f = h('form', { class: 'card filters' }, field('grant_year', t('f.grant_year'), year), h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('btn.evaluate'))));
    f.addEventListener('submit', (ev) => { ev.preventDefault(); ctx.go(`#/mine?grant_year=${encodeURIComponent(year.value.trim())}`); });
    ctx.root.append(f);
    if (ctx.query.get('grant_year')) query = `?grant_year=${encodeURIComponent(ctx.query.get('grant_year'))}`;
  }
  ctx.root.append(box);
  const resp = await ctx.api('GET', `${base}/evaluation${query}`);
  if (!ctx.alive()) return;
  replace(box, h('dl', { class: 'meta' }, metaList(resp)), resp.results.map((r) => resultCard(r, who.region)), h('p', { class: 'disclaimer' }, t('mine.note')));
}
