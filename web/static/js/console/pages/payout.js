// One payout with the decision behind it: the conditions as they were
// checked, the ruleset, and the policy text the rule cites.
import { h, replace } from '../../dom.js';
import { t } from '../../i18n.js';
import { ApiError } from '../../api.js';
import { money, date, dateTime, status, label, county, conditionList } from '../../format.js';
import { citationView } from '../../results.js';
import { heading, notice } from '../ui.js';
import { payoutAction, rejectDialog } from '../payoutactions.js';

export async function render(ctx) {
  const staff = ctx.me.role === 'finance' || ctx.me.role === 'admin';
  let p = await ctx.api('GET', `/v1/payouts/${encodeURIComponent(ctx.params.id)}`);
  const d = p.decision || {};
  const [rule, run] = await Promise.all([
    ctx.api('GET', `/v1/rules/${encodeURIComponent(p.rule)}${d.as_of ? `?as_of=${d.as_of}` : ''}`).catch(() => null),
    staff ? ctx.api('GET', `/v1/payout-runs/${p.run_id}`).catch(() => null) : null,
  ]);
  if (!ctx.alive()) return;
  const box = h('div');
  const message = h('div', { 'aria-live': 'polite' });
  ctx.root.append(heading(ctx, t('payout.title', p.id)), h('p', null, h('a', { href: '#/payouts' }, t('payout.back'))), message, box);

  const act = async (verb, body) => {
    try {
      p = await payoutAction(ctx, p, verb, body);
      replace(message, notice(t(`payouts.done_${verb}`), 'ok'));
      draw();
    } catch (e) {
      if (!(e instanceof ApiError) || e.status === 401) throw e;
      replace(message, notice(e.message, 'bad'));
    }
  };

  function draw() {
    const sub = d.subject || {};
    replace(box,
      h('section', { class: 'card' },
        h('p', { class: 'amount-big' }, money(p.amount), ' ', status(p.status)),
        h('dl', { class: 'meta' },
          h('dt', null, t('payouts.subject')), h('dd', null, `${p.subject_name} ${p.subject}`),
          h('dt', null, t('payouts.rule')), h('dd', null, label('rule', p.rule)),
          p.level ? [h('dt', null, t('f.level')), h('dd', null, label('level', p.level))] : [h('dt', null, t('f.grant_year')), h('dd', null, String(p.grant_year))],
          h('dt', null, t('payout.payer')), h('dd', null, `${p.payer.name} ${p.payer.code}`),
          h('dt', null, t('payouts.run')), h('dd', null, h('a', { href: `#/runs/${p.run_id}` }, `#${p.run_id}`)),
          h('dt', null, t('payouts.created')), h('dd', null, dateTime(p.created_at)),
          p.approved_at ? [h('dt', null, label('status', 'approved')), h('dd', null, dateTime(p.approved_at))] : null,
          p.paid_at ? [h('dt', null, label('status', 'paid')), h('dd', null, dateTime(p.paid_at))] : null,
          p.rejected_at ? [h('dt', null, label('status', 'rejected')), h('dd', null, `${dateTime(p.rejected_at)} · ${p.reason || ''}`)] : null,
          run ? [h('dt', null, t('payout.clerk')), h('dd', { class: 'mono' }, run.key_id)] : null,
          p.approved_by ? [h('dt', null, t('payout.approver')), h('dd', { class: 'mono' }, p.approved_by)] : null),
        staff ? h('p', { class: 'hint' }, t('payout.four_eyes')) : null,
        staff && p.status === 'pending' ? h('div', { class: 'actions' },
          h('button', { type: 'button', onclick: () => act('approve') }, t('btn.approve')),
          h('button', { type: 'button', class: 'secondary', onclick: () => rejectDialog(ctx, p, (updated) => {
            p = updated;
            replace(message, notice(t('payouts.done_reject'), 'ok'));
            draw();
          }) }, t('btn.reject'))) : null,
        staff && p.status === 'approved' ? h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => act('paid') }, t('btn.paid'))) : null),
      h('section', { class: 'card' },
        h('h2', null, t('payout.decision')),
        h('dl', { class: 'meta' },
          h('dt', null, t('results.as_of')), h('dd', null, date(d.as_of)),
          h('dt', null, t('results.ruleset')), h('dd', null, p.ruleset_version),
          h('dt', null, t('results.digest')), h('dd', null, p.ruleset_digest),
          sub.region ? [h('dt', null, t('f.region')), h('dd', null, county(sub.region))] : null,
          (sub.certifications || []).length ? [h('dt', null, t('f.certifications')), h('dd', null,
            sub.certifications.map((c) => `${label('level', c.level)} ${date(c.certified_on)}${c.revoked_on ? ` (${t('f.revoked_on')} ${date(c.revoked_on)})` : ''}`).join('；'))] : null),
        h('h3', null, t('result.conditions')),
        conditionList(d.conditions),
        rule ? citationView(rule.rule.citation) : null));
  }
  draw();
}
