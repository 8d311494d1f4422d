// 我的申报: an enterprise's or a university's own applications. It brings
// the facts the bureaus have not recorded (an enterprise its
// certifications, a university the donations of a year) with its evidence,
// reads the evaluation at once, follows the review and, when an
// application is returned (退回修改), reads why, corrects it and submits it
// again.
import { h, replace } from '../../dom.js';
import { t } from '../../i18n.js';
import { requestKeys } from '../../api.js';
import { money, dateTime, label } from '../../format.js';
import { heading, table, form, field, notice } from '../ui.js';
import {
  appStatus, isOpen, ifMatch, factsSummary, factsView, evaluationView, historyView, evidenceView, evidenceInput, uploadEvidence, factsForm,
} from '../application.js';

// flash carries what a submission said to the page it opens: the notice
// and each file's upload.
let flash = null;

export async function render(ctx) {
  if (ctx.params.id) return detail(ctx, ctx.params.id);
  if (location.hash.split('?')[0] === '#/mine/applications/new') return submit(ctx);
  return list(ctx);
}

async function list(ctx) {
  ctx.root.append(heading(ctx, t('nav.my_applications'), h('a', { href: '#/mine/applications/new', class: 'button' }, t('apply.new'))),
    h('p', { class: 'lede' }, t(`apply.lede_${ctx.me.role}`)));
  const { applications } = await ctx.api('GET', '/v1/applications?limit=1000');
  if (!ctx.alive()) return;
  ctx.root.append(table(t('nav.my_applications'), [
    { label: t('payouts.id'), cell: (a) => h('a', { href: `#/mine/applications/${a.id}` }, `#${a.id}`) },
    { label: t('payouts.rule'), cell: (a) => label('rule', a.rule) },
    { label: t('application.facts'), cell: (a) => factsSummary(a) },
    { label: t('application.amount'), amount: true, cell: (a) => money(a.evaluation.amount) },
    { label: t('runs.status'), cell: (a) => [appStatus(a.status), a.status === 'returned' ? h('p', { class: 'hint' }, t('apply.correct_hint')) : null] },
    { label: t('registry.updated'), cell: (a) => dateTime(a.updated_at) },
  ], applications.slice().reverse(), { empty: t('apply.none'), rowAttrs: (a) => ({ 'data-application': a.id }) }));
}

async function submit(ctx) {
  const kind = ctx.me.role;
  ctx.root.append(heading(ctx, t('apply.new')), h('p', null, h('a', { href: '#/mine/applications' }, t('apply.back'))),
    h('p', { class: 'lede' }, t(`apply.new_lede_${kind}`)));
  const facts = factsForm(kind);
  const files = evidenceInput();
  // One Idempotency-Key per application asked for: a retry after a lost
  // answer gets the same application, not a second one.
  const keys = requestKeys();
  const f = form([
    h('h2', null, label('rule', kind === 'enterprise' ? 'cert-grant' : 'donation-match')),
    facts.el,
    field('evidence', t('evidence.title'), files, { hint: t('evidence.hint') }),
  ], t('apply.submit'), async () => {
    const body = facts.body();
    const app = await ctx.api('POST', '/v1/applications', { body, headers: { 'Idempotency-Key': keys.for(body) } });
    keys.done();
    const notes = await uploadEvidence(ctx.api, app.id, [...files.files]);
    flash = { id: app.id, text: t('apply.submitted'), notes };
    ctx.go(`#/mine/applications/${app.id}`);
  });
  ctx.root.append(f);
}

// detail shows one application; it draws again after an upload or a
// correction, with what that said.
async function detail(ctx, id) {
  const app = await ctx.api('GET', `/v1/applications/${encodeURIComponent(id)}`);
  if (!ctx.alive()) return;
  const said = flash && String(flash.id) === String(app.id) ? flash : null;
  flash = null;
  const again = (text, notes) => { flash = { id: app.id, text, notes }; replace(ctx.root); return detail(ctx, id); };

  const state = {
    submitted: notice(t('apply.state_submitted'), ''),
    returned: notice(t('apply.state_returned', app.reason || ''), 'bad'),
    accepted: notice(t('apply.state_accepted'), 'ok'),
    rejected: notice(t('apply.state_rejected', app.reason || ''), 'bad'),
  }[app.status];
  ctx.root.append(
    heading(ctx, t('application.title', app.id), appStatus(app.status)),
    h('p', null, h('a', { href: '#/mine/applications' }, t('apply.back'))),
    h('div', { class: 'notices' }, said?.text ? notice(said.text, 'ok') : null, state),
    h('div', { class: 'layout' },
      evaluationView(app.evaluation),
      h('div', null, h('section', null, h('h2', null, t('application.facts')), factsView(app)),
        evidenceView(ctx, app, {
          notes: said?.notes || [],
          onUpload: isOpen(app) ? async (chosen) => again('', await uploadEvidence(ctx.api, app.id, chosen)) : null,
        }))));

  if (app.status === 'returned') {
    const facts = factsForm(ctx.me.role, app);
    ctx.root.append(form([h('h2', null, t('apply.correct')), h('p', { class: 'hint' }, t('apply.correct_lede')), facts.el], t('apply.resubmit'), async () => {
      await ctx.api('PUT', `/v1/applications/${app.id}`, { body: facts.body(), headers: ifMatch(app) });
      await again(t('apply.resubmitted'));
    }));
  }
  ctx.root.append(h('section', { class: 'history' }, h('h2', null, t('application.history')), historyView(app)));
}
