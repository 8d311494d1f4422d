// One enterprise: its record (edit name, county, group parent, the payee
// account its grants are paid to), its
// certifications (add, correct, record a revocation), its credit years and
// ledger, and what it is eligible for on the recorded facts.
import { h, replace } from '../../dom.js';
import { t } from '../../i18n.js';
import { idempotencyKey } from '../../api.js';
import { date, county, label } from '../../format.js';
import { watchCreditCode } from '../../fields.js';
import { ledgerView } from '../../ledger.js';
import { heading, table, form, field, input, regionSelect, select, notice, payeeFields } from '../ui.js';

const LEVELS = ['city', 'province', 'national'];

export async function render(ctx) {
  const code = ctx.params.code;
  const path = `/v1/enterprises/${encodeURIComponent(code)}`;
  const e = await ctx.api('GET', path);
  if (!ctx.alive()) return;
  const message = h('div', { 'aria-live': 'polite' });
  ctx.root.append(heading(ctx, e.name), h('p', { class: 'hint' }, h('span', { class: 'mono' }, e.credit_code), ' · ', county(e.region)),
    h('p', null, h('a', { href: '#/registry' }, t('registry.back'))), message);
  ctx.title(e.name);

  // The record.
  const name = input({ value: e.name, maxlength: 200 });
  const region = regionSelect(e.region);
  const pCode = input({ value: e.parent?.credit_code || '', class: 'mono', maxlength: 18 });
  watchCreditCode(pCode);
  const pPct = input({ value: e.parent?.ownership_pct || '', class: 'num', inputmode: 'decimal' });
  const pControl = h('input', { type: 'checkbox', checked: Boolean(e.parent?.actual_control), 'data-path': 'parent.actual_control' });
  const payee = payeeFields(e.payee);
  const edit = form([
    h('h2', null, t('enterprise.record')),
    field('name', t('f.enterprise_name'), name),
    field('region', t('f.region'), region),
    h('fieldset', null, h('legend', null, t('f.parent')),
      h('p', { class: 'hint' }, t('enterprise.parent_hint')),
      field('parent.credit_code', t('f.parent_code'), pCode),
      field('parent.ownership_pct', t('f.ownership_pct'), pPct),
      h('label', { class: 'inline' }, pControl, t('f.actual_control'))),
    payee.el,
  ], t('btn.save'), async () => {
    const body = { name: name.value.trim(), region: region.value, payee: payee.value() };
    if (pCode.value.trim()) {
      body.parent = { credit_code: pCode.value.trim(), ownership_pct: pPct.value.trim() };
      if (pControl.checked) body.parent.actual_control = true;
    }
    const saved = await ctx.api('PUT', path, { body });
    ctx.root.querySelector('h1').textContent = saved.name;
    replace(message, notice(t('enterprise.saved'), 'ok'));
  });

  // Certifications.
  const certs = h('section');
  const drawCerts = (list) => replace(certs, h('h2', null, t('f.certifications')), table(null, [
    { label: t('f.level'), cell: (c) => label('level', c.level) },
    { label: t('f.certified_on'), cell: (c) => date(c.certified_on) },
    { label: t('f.revoked_on'), cell: (c) => (c.revoked_on ? date(c.revoked_on) : '') },
    { label: t('payouts.actions'), cell: (c) => h('button', { type: 'button', class: 'secondary', onclick: () => editCert(c) }, t('btn.edit')) },
  ], list, { empty: t('enterprise.no_certs') }));
  const certForm = (c) => {
    const level = select(LEVELS.map((l) => [l, label('level', l)]), c?.level || 'city');
    const on = input({ type: 'date', value: c?.certified_on || '' });
    const off = input({ type: 'date', value: c?.revoked_on || '' });
    return form([
      h('h3', null, c ? t('enterprise.edit_cert', label('level', c.level)) : t('enterprise.add_cert')),
      field('level', t('f.level'), level), field('certified_on', t('f.certified_on'), on), field('revoked_on', t('f.revoked_on'), off),
    ], c ? t('btn.save') : t('btn.add'), async () => {
      const body = { level: level.value, certified_on: on.value };
      if (off.value) body.revoked_on = off.value;
      if (c) await ctx.api('PUT', `${path}/certifications/${c.id}`, { body });
      else await ctx.api('POST', `${path}/certifications`, { body, headers: { 'Idempotency-Key': idempotencyKey() } });
      replace(message, notice(t('enterprise.cert_saved'), 'ok'));
      const fresh = await ctx.api('GET', `${path}/certifications`);
      drawCerts(fresh.certifications);
      replace(certEditor, certForm(null));
    });
  };
  const certEditor = h('div', null, certForm(null));
  function editCert(c) {
    replace(certEditor, certForm(c));
    certEditor.querySelector('select').focus();
  }
  drawCerts(e.certifications);

  // Credit years and ledger.
  const ledger = h('section', null, h('h2', null, t('ledger.title')));
  ctx.root.append(h('div', { class: 'layout' }, edit, h('div', null, certs, certEditor)), ledger);
  const l = await ctx.api('GET', `${path}/credit-ledger`);
  if (!ctx.alive()) return;
  ledger.append(ledgerView(l.ledger),
    ['tax', 'admin'].includes(ctx.me.role) ? h('p', null, h('a', { href: `#/credit/${code}` }, t('enterprise.to_credit'))) : null);
}
