// One university: its record (edit, with the payee account its match is
// paid to) and its donations (add).
import { h, replace } from '../../dom.js';
import { t } from '../../i18n.js';
import { idempotencyKey } from '../../api.js';
import { date, label, yuan, sumFen, plainAmount } from '../../format.js';
import { heading, table, form, field, input, select, notice, payeeFields } from '../ui.js';

const FORMS = ['cash', 'in_kind', 'equity', 'other'];

export async function render(ctx) {
  const code = ctx.params.code;
  const path = `/v1/universities/${encodeURIComponent(code)}`;
  const u = await ctx.api('GET', path);
  if (!ctx.alive()) return;
  const message = h('div', { 'aria-live': 'polite' });
  ctx.root.append(heading(ctx, u.name), h('p', { class: 'hint mono' }, u.code),
    h('p', null, h('a', { href: '#/registry?tab=universities' }, t('registry.back'))), message);

  const name = input({ value: u.name, maxlength: 200 });
  const ownership = select([['public', label('ownership', 'public')], ['private', label('ownership', 'private')]], u.ownership);
  const affiliation = select(['city', 'province', 'central', 'other'].map((a) => [a, label('affiliation', a)]), u.affiliation);
  const payee = payeeFields(u.payee);
  const edit = form([h('h2', null, t('university.record')),
    field('name', t('f.university_name'), name), field('ownership', t('f.ownership'), ownership), field('affiliation', t('f.affiliation'), affiliation),
    payee.el,
  ], t('btn.save'), async () => {
    const saved = await ctx.api('PUT', path, { body: { name: name.value.trim(), ownership: ownership.value, affiliation: affiliation.value, payee: payee.value() } });
    ctx.root.querySelector('h1').textContent = saved.name;
    replace(message, notice(t('enterprise.saved'), 'ok'));
  });

  const donations = h('section');
  const draw = (list) => replace(donations, h('h2', null, t('f.donations')), table(null, [
    { label: t('f.amount'), amount: true, cell: (d) => yuan(d.amount) },
    { label: t('f.form'), cell: (d) => label('form', d.form) },
    { label: t('f.via_foundation'), cell: (d) => (d.via_foundation ? t('yes') : t('no')) },
    { label: t('f.arrived_on'), cell: (d) => (d.arrived_on ? date(d.arrived_on) : t('university.pledge')) },
  ], list, { empty: t('university.no_donations'), foot: [yuan(sumFen(list, (d) => d.amount))] }));
  draw(u.donations);

  const amount = input({ class: 'num', inputmode: 'decimal' });
  const kind = select(FORMS.map((f) => [f, label('form', f)]), 'cash');
  const via = h('input', { type: 'checkbox', checked: true, 'data-path': 'via_foundation' });
  const arrived = input({ type: 'date' });
  const add = form([h('h3', null, t('university.add_donation')),
    field('amount', t('f.amount'), amount), field('form', t('f.form'), kind),
    h('label', { class: 'inline' }, via, t('f.via_foundation')),
    field('arrived_on', t('f.arrived_on'), arrived, { hint: t('university.arrived_hint') }),
  ], t('btn.add'), async () => {
    await ctx.api('POST', `${path}/donations`, {
      body: { amount: plainAmount(amount.value), form: kind.value, via_foundation: via.checked, arrived_on: arrived.value || null },
      headers: { 'Idempotency-Key': idempotencyKey() },
    });
    replace(message, notice(t('university.donation_saved'), 'ok'));
    draw((await ctx.api('GET', `${path}/donations`)).donations);
    amount.value = '';
  });
  ctx.root.append(h('div', { class: 'layout' }, edit, h('div', null, donations, add)));
}
