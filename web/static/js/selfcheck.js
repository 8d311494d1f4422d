// 政策自查: the public self-check. The form holds everything POST
// /v1/evaluate takes; the answer is shown beside it, rule by rule. The
// request itself lives in the URL fragment (#q=…), so a filled form can be
// bookmarked or sent to a colleague; nothing is stored anywhere.
import { replace, uid } from './dom.js';
import { t, onLangChange } from './i18n.js';
import { setupChrome } from './chrome.js';
import { call, ApiError } from './api.js';
import { clearErrors, showProblem, watchCreditCode } from './fields.js';
import { resultCard, metaList } from './results.js';
import { date, today, plainAmount } from './format.js';

const form = document.getElementById('check');
const summary = document.getElementById('error-summary');
const results = document.getElementById('results');
const $ = (id) => document.getElementById(id);

// Rows: certifications, grants, credit years, donations.

function listOf(path) { return form.querySelector(`[data-list="${path}"]`); }

function renumber(list) {
  [...list.children].forEach((row, i) => {
    row.querySelector('.row-no').textContent = String(i + 1);
    for (const c of row.querySelectorAll('[data-field]')) c.dataset.path = `${list.dataset.list}[${i}].${c.dataset.field}`;
  });
}

function addRow(list, values = {}) {
  const tpl = document.getElementById(list.dataset.template);
  const row = tpl.content.firstElementChild.cloneNode(true);
  for (const f of row.querySelectorAll('.field')) {
    const control = f.querySelector('[data-field]');
    const id = uid('r');
    control.id = id;
    f.querySelector('label').htmlFor = id;
    const err = f.querySelector('.field-error');
    err.id = `${id}-error`;
    control.setAttribute('aria-describedby', err.id);
  }
  for (const c of row.querySelectorAll('[data-field]')) {
    const v = values[c.dataset.field];
    if (c.type === 'checkbox') { if (v !== undefined) c.checked = Boolean(v); } else if (v != null) c.value = String(v);
  }
  row.querySelector('[data-remove]').addEventListener('click', () => {
    const next = row.nextElementSibling?.querySelector('[data-field]') || list.parentElement.querySelector('[data-add]');
    row.remove();
    renumber(list);
    next?.focus();
    saveFragment();
  });
  list.append(row);
  renumber(list);
  return row;
}

// Reading and filling the form.

const clean = (v) => v.trim();

function rowsOf(path) {
  return [...listOf(path).children].map((row) => {
    const o = {};
    for (const c of row.querySelectorAll('[data-field]')) {
      const f = c.dataset.field;
      if (c.type === 'checkbox') { o[f] = c.checked; continue; }
      let v = clean(c.value);
      if (c.classList.contains('num') && !('int' in c.dataset)) v = plainAmount(v);
      if (v === '' && 'optional' in c.dataset) continue;
      if (v === '' && 'nullable' in c.dataset) { o[f] = null; continue; }
      o[f] = 'int' in c.dataset && /^\d+$/.test(v) ? Number(v) : v;
    }
    return o;
  });
}

function kind() { return form.querySelector('input[name="kind"]:checked').value; }

const yearValue = (v) => (/^\d+$/.test(clean(v)) ? Number(clean(v)) : clean(v));

// readForm is the evaluation request the form holds.
function readForm() {
  const req = {};
  if ($('as-of').value) req.as_of = $('as-of').value;
  if (kind() === 'enterprise') {
    const sub = { kind: 'enterprise', credit_code: clean($('e-code').value), name: clean($('e-name').value), region: $('e-region').value };
    const certs = rowsOf('subject.certifications');
    if (certs.length) sub.certifications = certs;
    const grants = rowsOf('subject.grants_received');
    if (grants.length) sub.grants_received = grants;
    if ($('p-on').checked) {
      sub.parent = { credit_code: clean($('p-code').value), ownership_pct: plainAmount($('p-pct').value), actual_control: $('p-control').checked };
      const pc = rowsOf('subject.parent.certifications');
      if (pc.length) sub.parent.certifications = pc;
    }
    const carry = plainAmount($('e-carry').value);
    if (carry) sub.credit_carry_in = carry;
    const years = rowsOf('subject.credit_years');
    if (years.length) sub.credit_years = years;
    req.subject = sub;
  } else {
    const sub = {
      kind: 'university', code: clean($('u-code').value), name: clean($('u-name').value),
      ownership: $('u-ownership').value, affiliation: $('u-affiliation').value, grant_year: yearValue($('u-year').value),
    };
    const donations = rowsOf('subject.donations');
    if (donations.length) sub.donations = donations;
    req.subject = sub;
  }
  return req;
}

function setKind(k) {
  form.querySelector(`input[name="kind"][value="${k}"]`).checked = true;
  $('enterprise-fields').hidden = k !== 'enterprise';
  $('university-fields').hidden = k !== 'university';
}

function fillRows(path, rows) {
  const list = listOf(path);
  list.replaceChildren();
  for (const r of rows || []) addRow(list, r);
}

const str = (v) => (v == null ? '' : String(v));

// fillForm puts a request (from the fragment) into the form.
function fillForm(req) {
  const sub = req.subject || {};
  $('as-of').value = str(req.as_of);
  setKind(sub.kind === 'university' ? 'university' : 'enterprise');
  if (sub.kind === 'university') {
    $('u-code').value = str(sub.code);
    $('u-name').value = str(sub.name);
    $('u-ownership').value = sub.ownership || 'public';
    $('u-affiliation').value = sub.affiliation || 'city';
    $('u-year').value = str(sub.grant_year);
    fillRows('subject.donations', sub.donations);
    return;
  }
  $('e-code').value = str(sub.credit_code);
  $('e-name').value = str(sub.name);
  $('e-region').value = str(sub.region);
  fillRows('subject.certifications', sub.certifications);
  fillRows('subject.grants_received', sub.grants_received);
  $('p-on').checked = Boolean(sub.parent);
  $('parent-fields').hidden = !sub.parent;
  $('p-code').value = str(sub.parent?.credit_code);
  $('p-pct').value = str(sub.parent?.ownership_pct);
  $('p-control').checked = Boolean(sub.parent?.actual_control);
  fillRows('subject.parent.certifications', sub.parent?.certifications);
  $('e-carry').value = str(sub.credit_carry_in);
  fillRows('subject.credit_years', sub.credit_years);
}

// The fragment: #q= and the request as JSON.

function saveFragment() {
  history.replaceState(null, '', `#q=${encodeURIComponent(JSON.stringify(readForm()))}`);
}

function loadFragment() {
  const m = /^#q=(.*)$/.exec(location.hash);
  if (!m) return false;
  try {
    fillForm(JSON.parse(decodeURIComponent(m[1])));
    return true;
  } catch {
    return false;
  }
}

// Evaluating.

let lastResponse = null;

function render(resp) {
  lastResponse = resp;
  const sub = resp.request?.subject;
  replace($('results-meta'), metaList(resp, [
    [t('results.checked_on'), date(today())],
    sub ? [t('results.subject'), `${sub.name || ''} ${sub.credit_code || sub.code || ''}`] : null,
  ].filter(Boolean)));
  replace($('results-body'), resp.results.map((r) => resultCard(r, sub?.region)));
  results.hidden = false;
}

async function evaluate({ focus = true } = {}) {
  const req = readForm();
  saveFragment();
  clearErrors(form, summary);
  $('submit').disabled = true;
  try {
    const resp = await call('POST', '/v1/evaluate', { body: req });
    resp.request = req;
    render(resp);
    if (focus) $('results-title').focus();
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    results.hidden = true;
    lastResponse = null;
    const target = showProblem(form, e.problem, summary);
    if (focus) target?.focus();
  } finally {
    $('submit').disabled = false;
  }
}

function setup() {
  setupChrome();
  for (const b of form.querySelectorAll('[data-add]')) {
    b.addEventListener('click', () => {
      const row = addRow(listOf(b.dataset.add));
      row.querySelector('[data-field]').focus();
      saveFragment();
    });
  }
  for (const r of form.querySelectorAll('input[name="kind"]')) r.addEventListener('change', () => { setKind(kind()); saveFragment(); });
  $('p-on').addEventListener('change', () => { $('parent-fields').hidden = !$('p-on').checked; saveFragment(); });
  watchCreditCode($('e-code'));
  watchCreditCode($('p-code'));
  let timer = 0;
  form.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(saveFragment, 250); });
  form.addEventListener('change', saveFragment);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); evaluate(); });
  $('reset').addEventListener('click', () => {
    fillForm({ subject: { kind: kind() } });
    clearErrors(form, summary);
    results.hidden = true;
    history.replaceState(null, '', location.pathname);
    $('enterprise-fields').hidden ? $('u-code').focus() : $('e-code').focus();
  });
  $('print').addEventListener('click', () => window.print());
  // The API's messages come in the page's language: ask again.
  onLangChange(() => { if (lastResponse) evaluate({ focus: false }); });
  window.addEventListener('hashchange', () => { if (loadFragment()) evaluate({ focus: false }); });
  if (loadFragment()) evaluate({ focus: false });
  document.body.dataset.ready = 'true';
}

setup();
