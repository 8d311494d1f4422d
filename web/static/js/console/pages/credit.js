// 抵免: a tax officer finds an enterprise, records its credit years, reads
// its ledger as a table and a chart, and verifies a claimed offset, with
// the verdict and the history of verifications.
import { h, replace } from '../../dom.js';
import { t } from '../../i18n.js';
import { idempotencyKey } from '../../api.js';
import { money, yuan, sumFen, date, dateTime, county, status, plainAmount } from '../../format.js';
import { creditCodeProblem } from '../../creditcode.js';
import { watchCreditCode, markField, creditCodeMessage } from '../../fields.js';
import { ledgerSummary } from '../../ledger.js';
import { heading, table, form, field, input, notice } from '../ui.js';

const AMOUNTS = ['investment', 'fiscal_subsidy', 'withdrawn', 'education_surcharge', 'local_education_surcharge'];

export async function render(ctx) {
  const code = ctx.params.code;
  ctx.root.append(heading(ctx, t('nav.credit')), finder(ctx, code));
  if (code) await enterprise(ctx, code);
}

function finder(ctx, code) {
  const box = input({ value: code || '', class: 'mono', maxlength: 18, spellcheck: 'false' });
  watchCreditCode(box);
  const f = h('form', { class: 'card filters', role: 'search', novalidate: true },
    field('credit_code', t('f.credit_code'), box), h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('btn.find'))));
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const c = box.value.trim().toUpperCase();
    if (creditCodeProblem(c)) {
      markField(box, creditCodeMessage(c) || t('credit.length'));
      box.focus();
      return;
    }
    ctx.go(`#/credit/${c}`);
  });
  return f;
}

async function enterprise(ctx, code) {
  const path = `/v1/enterprises/${encodeURIComponent(code)}`;
  const e = await ctx.api('GET', path);
  if (!ctx.alive()) return;
  ctx.title(`${t('nav.credit')} · ${e.name}`);
  const message = h('div', { 'aria-live': 'polite' });
  const years = h('section');
  const ledger = h('section');
  const verifications = h('section');
  ctx.root.append(h('h2', { class: 'subject-name' }, e.name), h('p', { class: 'hint' }, h('span', { class: 'mono' }, e.credit_code), ' · ', county(e.region)), message);

  const drawYears = (list) => replace(years, table(t('f.credit_years'), [
    { label: t('f.year'), cell: (y) => String(y.year) },
    ...AMOUNTS.map((a) => ({ label: t(`f.${a}`), amount: true, cell: (y) => yuan(y[a]) })),
    { label: t('registry.updated'), cell: (y) => dateTime(y.updated_at) },
  ], list, { empty: t('credit.no_years'), foot: [t('table.total'), ...AMOUNTS.map((a) => yuan(sumFen(list, (y) => y[a]))), ''] }));
  const refresh = async () => {
    const [ys, l, vs] = await Promise.all([
      ctx.api('GET', `${path}/credit-years`), ctx.api('GET', `${path}/credit-ledger`), ctx.api('GET', `${path}/credit-verifications`),
    ]);
    if (!ctx.alive()) return;
    drawYears(ys.credit_years);
    replace(ledger, h('h2', null, t('ledger.title')), ledgerSummary(l));
    replace(verifications, h('h2', null, t('credit.history')), table(null, [
      { label: t('credit.verified_at'), cell: (v) => dateTime(v.created_at) },
      { label: t('f.year'), cell: (v) => String(v.year) },
      { label: t('credit.claimed'), amount: true, cell: (v) => yuan(v.claimed_offset) },
      { label: t('credit.allowed'), amount: true, cell: (v) => yuan(v.allowed_offset) },
      { label: t('credit.difference'), amount: true, cell: (v) => yuan(v.difference) },
      { label: t('credit.verdict'), cell: (v) => status(v.verdict, 'verdict') },
      { label: t('credit.by'), cell: (v) => h('span', { class: 'mono' }, v.key_id) },
    ], vs.verifications.slice().reverse(), { empty: t('credit.no_history') }));
  };

  // Record a year.
  const year = input({ inputmode: 'numeric', maxlength: 4, class: 'num' });
  const inputs = Object.fromEntries(AMOUNTS.map((a) => [a, input({ class: 'num', inputmode: 'decimal' })]));
  const record = form([h('h2', null, t('credit.record')),
    field('year', t('f.year'), year),
    AMOUNTS.map((a) => field(a, t(`f.${a}`), inputs[a], a === 'withdrawn' ? { hint: t('credit.optional') } : {})),
  ], t('credit.record_button'), async () => {
    const body = {};
    for (const a of AMOUNTS) {
      const v = plainAmount(inputs[a].value);
      if (v || a !== 'withdrawn') body[a] = v;
    }
    const y = year.value.trim();
    await ctx.api('PUT', `${path}/credit-years/${encodeURIComponent(y || '-')}`, { body });
    replace(message, notice(t('credit.recorded', y), 'ok'));
    await refresh();
  });

  // Carry-in.
  const carry = input({ class: 'num', inputmode: 'decimal', value: e.credit_carry_in });
  const carryForm = form([h('h2', null, t('f.credit_carry_in')), field('credit_carry_in', t('f.credit_carry_in'), carry)], t('btn.save'), async () => {
    await ctx.api('PUT', `${path}/credit-carry-in`, { body: { credit_carry_in: plainAmount(carry.value) } });
    replace(message, notice(t('credit.carry_saved'), 'ok'));
    await refresh();
  });

  // Verify a claim.
  const vYear = input({ inputmode: 'numeric', maxlength: 4, class: 'num' });
  const claimed = input({ class: 'num', inputmode: 'decimal' });
  const verdict = h('div', { 'aria-live': 'polite' });
  const verify = form([h('h2', null, t('credit.verify')),
    field('year', t('f.year'), vYear), field('claimed_offset', t('credit.claimed'), claimed),
  ], t('credit.verify_button'), async () => {
    const y = vYear.value.trim();
    const v = await ctx.api('POST', '/v1/credit-verifications', {
      body: { credit_code: code, year: /^\d+$/.test(y) ? Number(y) : y, claimed_offset: plainAmount(claimed.value) },
      headers: { 'Idempotency-Key': idempotencyKey() },
    });
    replace(verdict, h('div', { class: `notice ${v.verdict === 'match' ? 'ok' : 'bad'}`, role: 'status' },
      h('p', null, h('strong', null, t('credit.verdict'), '：'), status(v.verdict, 'verdict')),
      h('p', null, t('credit.verdict_text', v.year, money(v.claimed_offset), money(v.allowed_offset), money(v.difference))),
      h('p', { class: 'hint' }, `${t('results.as_of')} ${date(v.as_of)} · ${t('results.ruleset')} ${v.ruleset_version}`)));
    await refresh();
  });
  verify.append(verdict);

  ctx.root.append(h('div', { class: 'layout' }, h('div', null, record, carryForm, verify), h('div', null, ledger, years, verifications)));
  await refresh();
}
