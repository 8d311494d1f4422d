// 申报审核: the finance bureau's queue of applications (申报) and the review
// of one: the subject and what the registry holds of it, the facts
// claimed, the evaluation (conditions ✔/✘, the policy text, the amount),
// the evidence in a viewer, the history; accept (受理), return for
// correction (退回修改) or reject (不予受理) with a reason. Four eyes is the
// API's to enforce (not the key that submitted or corrected it): its 403,
// or a 409 when the application changed since the page read it, is shown
// in words beside the buttons.
import { h, replace } from '../../dom.js';
import { t } from '../../i18n.js';
import { ApiError, idempotencyKey } from '../../api.js';
import { money, date, dateTime, label, county, eligibility } from '../../format.js';
import { heading, table, field, select, notice, confirmDialog, moreButton } from '../ui.js';
import { appStatus, ifMatch, factsSummary, factsView, evaluationView, historyView, evidenceView } from '../application.js';

const STATUSES = ['submitted', 'returned', 'accepted', 'rejected'];
const RULES = ['cert-grant', 'donation-match'];

// subjectOf reads the registry's record of an applicant (its name, what
// is recorded of it); null when there is none. cache shares one read
// between the applications of a page.
function subjectOf(ctx, app, cache = new Map()) {
  const key = `${app.subject_kind}/${app.subject}`;
  if (!cache.has(key)) {
    const path = app.subject_kind === 'enterprise' ? '/v1/enterprises/' : '/v1/universities/';
    cache.set(key, ctx.api('GET', path + encodeURIComponent(app.subject)).catch((e) => {
      if (!(e instanceof ApiError) || e.status === 401) throw e;
      return null;
    }));
  }
  return cache.get(key);
}

export async function render(ctx) {
  if (ctx.params.id) return review(ctx, ctx.params.id);
  return queue(ctx);
}

async function queue(ctx) {
  const q = ctx.query;
  // The queue opens on what is waiting: submitted. "all" shows every status.
  const st = q.get('status') || 'submitted';
  ctx.root.append(heading(ctx, t('nav.applications')), h('p', { class: 'lede' }, t('review.lede')));
  const statusSel = select([['all', t('payouts.any')], ...STATUSES.map((s) => [s, label('application', s)])], st);
  const ruleSel = select([['', t('payouts.any')], ...RULES.map((r) => [r, label('rule', r)])], q.get('rule') || '');
  const f = h('form', { class: 'card filters', role: 'search' },
    field('status', t('runs.status'), statusSel), field('rule', t('payouts.rule'), ruleSel),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('btn.filter'))));
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams({ status: statusSel.value });
    if (ruleSel.value) p.set('rule', ruleSel.value);
    ctx.go(`#/applications?${p}`);
  });
  const section = h('section');
  ctx.root.append(f, section);
  const shown = [];
  const names = new Map();
  const load = async (after = 0) => {
    const p = new URLSearchParams({ limit: '100' });
    if (st !== 'all') p.set('status', st);
    if (q.get('rule')) p.set('rule', q.get('rule'));
    if (after) p.set('after', String(after));
    const page = await ctx.api('GET', `/v1/applications?${p}`);
    const records = await Promise.all(page.applications.map((a) => subjectOf(ctx, a, names)));
    if (!ctx.alive()) return;
    page.applications.forEach((a, i) => shown.push({ app: a, who: records[i] }));
    replace(section, table(t('review.queue', st === 'all' ? t('payouts.any') : label('application', st)), [
      { label: t('payouts.id'), cell: ({ app }) => h('a', { href: `#/applications/${app.id}` }, `#${app.id}`) },
      { label: t('review.subject'), cell: ({ app, who }) => h('span', null, h('span', { class: 'subject-name' }, who?.name || ''), h('br'), h('span', { class: 'mono hint' }, app.subject)) },
      { label: t('payouts.rule'), cell: ({ app }) => label('rule', app.rule) },
      { label: t('application.facts'), cell: ({ app }) => factsSummary(app) },
      { label: t('application.amount'), amount: true, cell: ({ app }) => [money(app.evaluation.amount), h('br'), eligibility(app.evaluation.eligible)] },
      { label: t('evidence.title'), num: true, cell: ({ app }) => String(app.attachments.length) },
      { label: t('runs.status'), cell: ({ app }) => appStatus(app.status) },
      { label: t('review.submitted_at'), cell: ({ app }) => dateTime(app.created_at) },
    ], shown, { empty: t('review.none'), rowAttrs: ({ app }) => ({ 'data-application': app.id }) }),
    moreButton(page.next_after, load));
  };
  await load();
}

// registryView is what the registry holds of the applicant, beside what
// it claims: its county and recorded certifications, or its donations.
function registryView(app, who) {
  if (!who) return h('p', { class: 'hint' }, t('review.no_record'));
  if (app.subject_kind === 'enterprise') {
    return h('dl', { class: 'meta' },
      h('dt', null, t('f.region')), h('dd', null, county(who.region)),
      h('dt', null, t('review.recorded_certs')), h('dd', null, (who.certifications || []).length
        ? who.certifications.map((c) => `${label('level', c.level)} ${date(c.certified_on)}${c.revoked_on ? `（${t('f.revoked_on')} ${date(c.revoked_on)}）` : ''}`).join('；')
        : t('enterprise.no_certs')));
  }
  return h('dl', { class: 'meta' },
    h('dt', null, t('f.ownership')), h('dd', null, `${label('ownership', who.ownership)} · ${label('affiliation', who.affiliation)}`),
    h('dt', null, t('review.recorded_donations')), h('dd', null, t('review.donation_count', (who.donations || []).length)));
}

async function review(ctx, id, said) {
  let app = await ctx.api('GET', `/v1/applications/${encodeURIComponent(id)}`);
  const who = await subjectOf(ctx, app);
  if (!ctx.alive()) return;
  const again = (text) => { replace(ctx.root); return review(ctx, id, text); };
  const message = h('div', { class: 'decision-note', 'aria-live': 'polite' }, said ? notice(said, 'ok') : null);

  // decide posts a decision with the version shown. A refusal other than
  // bad input (four eyes 403, a change meanwhile 409) is shown beside the
  // buttons in the API's words; bad input stays in the dialog, at its field.
  const decide = async (verb, reason) => {
    try {
      app = await ctx.api('POST', `/v1/applications/${app.id}/${verb}`, {
        body: reason === undefined ? undefined : { reason },
        headers: { ...ifMatch(app), 'Idempotency-Key': idempotencyKey() },
      });
    } catch (e) {
      if (!(e instanceof ApiError) || e.status === 401 || e.status === 400) throw e;
      replace(message, notice(e.message, 'bad'),
        e.status === 409 ? h('button', { type: 'button', class: 'secondary', onclick: () => again('') }, t('review.reload')) : null);
      return;
    }
    await again(t(`review.done_${verb}`));
  };
  const ask = (verb, danger) => confirmDialog({
    title: t(`review.${verb}_title`, app.id),
    text: t(`review.${verb}_text`),
    fieldLabel: verb === 'accept' ? null : t('application.reason'),
    fieldPath: 'reason',
    confirmLabel: t(`review.${verb}`),
    danger,
    onConfirm: (reason) => decide(verb, verb === 'accept' ? undefined : reason),
  });

  const actions = app.status === 'submitted' ? h('section', { class: 'card decision' },
    h('h2', null, t('review.decide')),
    h('p', { class: 'hint' }, t('review.four_eyes')),
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: () => ask('accept', false) }, t('review.accept')),
      h('button', { type: 'button', class: 'secondary', onclick: () => ask('return', false) }, t('review.return')),
      h('button', { type: 'button', class: 'secondary', onclick: () => ask('reject', true) }, t('review.reject'))),
    message) : message;

  ctx.root.append(
    heading(ctx, t('application.title', app.id), appStatus(app.status)),
    h('p', null, h('a', { href: '#/applications' }, t('review.back'))),
    h('section', { class: 'card' },
      h('h2', { class: 'subject-name' }, who?.name || app.subject),
      h('p', { class: 'hint' }, h('span', { class: 'mono' }, app.subject), ' · ', label('rule', app.rule), ' · ', t('review.submitted_on', dateTime(app.created_at))),
      app.reason ? notice(`${label('application', app.status)}：${app.reason}`, app.status === 'accepted' ? 'ok' : 'bad') : null,
      registryView(app, who)),
    h('div', { class: 'layout' },
      h('div', null, evaluationView(app.evaluation), actions),
      h('div', null, h('section', null, h('h2', null, t('application.facts')), factsView(app)), evidenceView(ctx, app))),
    h('section', { class: 'history' }, h('h2', null, t('application.history')), historyView(app)));
}
