// An application (申报) as both sides read it - its facts, its evaluation,
// its evidence (证明材料) and its history - and the form of its facts,
// shared by the subject's own pages (apply.js) and finance's review
// (review.js).
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { ApiError } from '../api.js';
import { money, yuan, date, dateTime, label, status, toFen, fromFen, sumFen, eligibility, conditionList, plainAmount } from '../format.js';
import { citationView } from '../results.js';
import { table, field, input, select, notice, saveBlob } from './ui.js';

const LEVELS = ['city', 'province', 'national'];
const FORMS = ['cash', 'in_kind', 'equity', 'other'];

// The evidence types the API takes. A fetched file is shown as one of
// these, whatever else the answer said: an object URL never carries markup.
const EVIDENCE_TYPES = { 'application/pdf': 'PDF', 'image/png': 'PNG', 'image/jpeg': 'JPEG' };

export const appStatus = (id) => status(id, 'application');

// open reports whether the subject may still change the application.
export const isOpen = (app) => app.status === 'submitted' || app.status === 'returned';

// ifMatch is the version the page shows, sent so that a change made since
// is refused (409) rather than decided unseen.
export const ifMatch = (app) => ({ 'If-Match': `"${app.version}"` });

const donationTotal = (list) => sumFen(list, (d) => d.amount);

// factsSummary is an application's facts on one line.
export function factsSummary(app) {
  if (app.rule === 'cert-grant') return (app.certifications || []).map((c) => `${label('level', c.level)} ${date(c.certified_on)}`).join('；');
  return t('application.donations_summary', app.grant_year, (app.donations || []).length, money(donationTotal(app.donations)));
}

// factsView is the table of what the application claims.
export function factsView(app) {
  if (app.rule === 'cert-grant') {
    return table(t('application.facts_cert'), [
      { label: t('f.level'), cell: (c) => label('level', c.level) },
      { label: t('f.certified_on'), cell: (c) => date(c.certified_on) },
      { label: t('f.certificate_no'), cell: (c) => c.certificate_no },
    ], app.certifications || []);
  }
  const list = app.donations || [];
  return h('div', null, h('p', null, `${t('f.grant_year')}：${app.grant_year}`), table(t('application.facts_donations'), [
    { label: t('f.amount'), amount: true, cell: (d) => yuan(d.amount) },
    { label: t('f.form'), cell: (d) => label('form', d.form) },
    { label: t('f.via_foundation'), cell: (d) => (d.via_foundation ? t('yes') : t('no')) },
    { label: t('f.arrived_on_short'), cell: (d) => date(d.arrived_on) },
    { label: t('f.receipt_no'), cell: (d) => d.receipt_no },
  ], list, { foot: [yuan(donationTotal(list))] }));
}

// evaluationView is the rule's answer on the registry plus the facts:
// eligible or not, the amount, each condition ✔/✘, the policy text.
export function evaluationView(ev, heading = t('application.evaluation')) {
  return h('section', { class: 'card evaluation', dataset: { rule: ev.rule } },
    h('div', { class: 'rule-head' }, h('h2', null, heading),
      eligibility(ev.eligible)),
    h('p', { class: 'amount-big' }, h('span', { class: 'hint' }, `${label('amount_of', ev.rule)}：`), h('span', { class: 'amount-value' }, money(ev.amount))),
    h('h3', null, t('result.conditions')),
    conditionList(ev.conditions),
    citationView(ev.citation),
    h('dl', { class: 'meta' },
      h('dt', null, t('results.as_of')), h('dd', null, date(ev.as_of)),
      h('dt', null, t('results.ruleset')), h('dd', null, ev.ruleset?.version),
      h('dt', null, t('results.digest')), h('dd', null, ev.ruleset?.digest)));
}

// historyView lists every status the application took: who (key and
// role), when, and why.
export function historyView(app) {
  return table(null, [
    { label: t('runs.status'), cell: (e) => appStatus(e.status) },
    { label: t('audit.at'), cell: (e) => dateTime(e.at) },
    { label: t('application.by'), cell: (e) => [label('role', e.role), ' ', h('span', { class: 'mono hint' }, e.key_id)] },
    { label: t('application.reason'), cell: (e) => e.reason || '' },
  ], app.history || []);
}

// uploadEvidence attaches files to an application, one by one, and says
// of each in words whether it was taken: a refusal (413 too large, 415 not
// a PDF, PNG or JPEG - the API checks the content, not the name) is the
// API's detail.
export async function uploadEvidence(api, id, files) {
  const notes = [];
  for (const file of files) {
    try {
      await api('POST', `/v1/applications/${id}/attachments?name=${encodeURIComponent(file.name)}`, {
        body: file, contentType: file.type || 'application/octet-stream',
      });
      notes.push({ ok: true, text: t('evidence.uploaded', file.name) });
    } catch (e) {
      if (!(e instanceof ApiError) || e.status === 401) throw e;
      const why = e.status === 413 || e.status === 415 ? t(`evidence.refused_${e.status}`) : '';
      notes.push({ ok: false, text: `${t('evidence.refused', file.name)}${e.message}${why ? ` ${why}` : ''}` });
    }
  }
  return notes;
}

// evidenceInput is a file input for evidence, with what it accepts.
export function evidenceInput() {
  return h('input', { type: 'file', multiple: true, accept: '.pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg' });
}

// evidenceView lists the evidence and opens a file in a viewer beside it:
// the file is fetched with the key in its header, and shown from an object
// URL of the Blob (a PDF in a frame, an image as an image). With
// onUpload(files), it also offers to attach more.
export function evidenceView(ctx, app, { notes = [], onUpload } = {}) {
  const viewer = h('div', { class: 'viewer', 'aria-live': 'polite' });
  let url = '';
  const forget = () => { if (url) URL.revokeObjectURL(url); url = ''; };
  ctx.onLeave(forget);
  const fetchFile = async (a) => {
    const resp = await ctx.api('GET', `/v1/applications/${app.id}/attachments/${a.n}`, { raw: true });
    const type = Object.hasOwn(EVIDENCE_TYPES, a.content_type) ? a.content_type : 'application/octet-stream';
    return new Blob([await resp.arrayBuffer()], { type });
  };
  const nameOf = (a) => a.name || t('evidence.file_n', a.n);
  const failed = (e) => {
    if (!(e instanceof ApiError) || e.status === 401) throw e;
    replace(viewer, notice(e.message, 'bad'));
  };
  const show = async (a) => {
    let blob;
    try { blob = await fetchFile(a); } catch (e) { failed(e); return; }
    forget();
    url = URL.createObjectURL(blob);
    const close = h('button', { type: 'button', class: 'link-button', onclick: () => { forget(); replace(viewer); } }, t('evidence.close'));
    replace(viewer, h('div', { class: 'viewer-head' }, h('strong', null, nameOf(a)), ' ', close),
      a.content_type === 'application/pdf'
        ? h('iframe', { src: url, title: nameOf(a), class: 'evidence-frame' })
        : h('img', { src: url, alt: nameOf(a), class: 'evidence-image' }));
  };
  const save = async (a) => {
    try { saveBlob(await fetchFile(a), nameOf(a)); } catch (e) { failed(e); }
  };
  const list = table(null, [
    { label: t('evidence.name'), cell: (a) => nameOf(a) },
    { label: t('evidence.type'), cell: (a) => EVIDENCE_TYPES[a.content_type] || a.content_type },
    { label: t('evidence.size'), num: true, cell: (a) => t('evidence.kb', Math.max(1, Math.round(a.size / 1024))) },
    { label: t('evidence.added'), cell: (a) => dateTime(a.created_at) },
    { label: t('payouts.actions'), cell: (a) => h('td', null,
      h('button', { type: 'button', class: 'secondary', onclick: () => show(a) }, t('evidence.view')), ' ',
      h('button', { type: 'button', class: 'secondary', onclick: () => save(a) }, t('evidence.save'))) },
  ], app.attachments || [], { empty: t('evidence.none'), rowAttrs: (a) => ({ 'data-evidence': a.n }) });
  let more = null;
  if (onUpload) {
    const files = evidenceInput();
    const button = h('button', { type: 'button', class: 'secondary' }, t('evidence.upload'));
    button.addEventListener('click', async () => {
      if (!files.files.length) {
        replace(result, notice(t('evidence.choose'), 'bad'));
        files.focus();
        return;
      }
      button.disabled = true;
      try { await onUpload([...files.files]); } finally { button.disabled = false; }
    });
    more = h('div', { class: 'evidence-upload' }, field('evidence', t('evidence.add'), files, { hint: t('evidence.hint') }), h('div', { class: 'actions' }, button));
  }
  const result = h('div', { class: 'evidence-notes', 'aria-live': 'polite' }, notes.map((n) => notice(n.text, n.ok ? 'ok' : 'bad')));
  return h('section', { class: 'evidence' }, h('h2', null, t('evidence.title')), list, result, more, viewer);
}

// rowList is a list of fieldset rows to add and remove; each control
// carries data-field, and data-path list[i].field follows its row's place.
function rowList(listPath, legend, rowLabel, addLabel, build, initial) {
  const box = h('div', { class: 'rows' });
  const renumber = () => [...box.children].forEach((row, i) => {
    row.querySelector('.row-no').textContent = String(i + 1);
    for (const c of row.querySelectorAll('[data-field]')) c.dataset.path = `${listPath}[${i}].${c.dataset.field}`;
  });
  const add = (v) => {
    const row = h('fieldset', { class: 'row' }, h('legend', null, rowLabel, ' ', h('span', { class: 'row-no' })), build(v || {}));
    row.append(h('button', {
      type: 'button', class: 'link-button remove',
      onclick: () => { row.remove(); renumber(); addButton.focus(); },
    }, t('btn.remove')));
    box.append(row);
    renumber();
    return row;
  };
  const addButton = h('button', { type: 'button', class: 'secondary', onclick: () => add().querySelector('select, input').focus() }, addLabel);
  (initial?.length ? initial : [null]).forEach(add);
  // The list's own error slot comes first: a problem naming the whole list
  // (none given, too many) lands there, not in a row's.
  const el = h('div', { class: 'field' }, h('p', { class: 'field-error', hidden: true }),
    h('fieldset', { class: 'list', 'data-path': listPath }, h('legend', null, legend), box, addButton));
  const values = () => [...box.children].map((row) => Object.fromEntries([...row.querySelectorAll('[data-field]')].map((c) => [c.dataset.field, c])));
  return { el, values };
}

const cell = (name, label0, control, opts) => {
  control.dataset.field = name;
  return field(null, label0, control, opts);
};

function certRow(c) {
  return [
    cell('level', t('f.level'), select(LEVELS.map((l) => [l, label('level', l)]), c.level || 'city')),
    cell('certified_on', t('f.certified_on'), input({ type: 'date', value: c.certified_on || '' })),
    cell('certificate_no', t('f.certificate_no'), input({ maxlength: 100, value: c.certificate_no || '' })),
  ];
}

function donationRow(d) {
  const via = h('input', { type: 'checkbox', checked: d.via_foundation ?? true, 'data-field': 'via_foundation' });
  return [
    cell('amount', t('f.amount'), input({ inputmode: 'decimal', class: 'num', value: d.amount ? fromFen(toFen(d.amount)) : '' })),
    cell('form', t('f.form'), select(FORMS.map((f) => [f, label('form', f)]), d.form || 'cash')),
    h('div', { class: 'field' }, h('label', { class: 'inline' }, via, t('f.via_foundation')), h('p', { class: 'field-error', hidden: true })),
    cell('arrived_on', t('f.arrived_on_short'), input({ type: 'date', value: d.arrived_on || '' })),
    cell('receipt_no', t('f.receipt_no'), input({ maxlength: 100, value: d.receipt_no || '' })),
  ];
}

// factsForm is the form of an application's facts for a subject of kind
// (enterprise: certifications with level, date and certificate number;
// university: a grant year and donations with their receipts), filled
// with app's when it corrects one. body() is what POST or PUT sends.
export function factsForm(kind, app) {
  if (kind === 'enterprise') {
    const certs = rowList('certifications', t('application.certs_legend'), t('row.cert'), t('btn.add_cert'), certRow, app?.certifications);
    return {
      el: [certs.el],
      body: () => ({
        rule: 'cert-grant',
        certifications: certs.values().map((r) => ({ level: r.level.value, certified_on: r.certified_on.value, certificate_no: r.certificate_no.value.trim() })),
      }),
    };
  }
  const year = input({ inputmode: 'numeric', maxlength: 4, class: 'num', value: app?.grant_year ? String(app.grant_year) : '' });
  const dons = rowList('donations', t('application.donations_legend'), t('row.donation'), t('btn.add_donation'), donationRow, app?.donations);
  return {
    el: [field('grant_year', t('f.grant_year'), year, { hint: t('application.grant_year_hint') }), dons.el],
    body: () => {
      const y = year.value.trim();
      return {
        rule: 'donation-match',
        grant_year: /^\d+$/.test(y) ? Number(y) : y,
        donations: dons.values().map((r) => ({
          amount: plainAmount(r.amount.value), form: r.form.value, via_foundation: r.via_foundation.checked,
          arrived_on: r.arrived_on.value, receipt_no: r.receipt_no.value.trim(),
        })),
      };
    },
  };
}
