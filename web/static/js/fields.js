// Errors next to the fields they name. A problem's errors[].field is a JSON
// path ("subject.credit_years[1].investment"); a form's controls carry the
// path they fill in data-path, so each error lands at its control. Errors
// that name no control are listed in the form's summary.
import { h, replace } from './dom.js';
import { t } from './i18n.js';
import { creditCodeProblem } from './creditcode.js';

function errorSlot(control) {
  const wrap = control.closest('.field') || control.parentElement;
  return wrap?.querySelector('.field-error');
}

// markField shows message at control (or clears it with '').
export function markField(control, message) {
  const slot = errorSlot(control);
  if (message) {
    control.setAttribute('aria-invalid', 'true');
    if (slot) {
      slot.textContent = message;
      slot.hidden = false;
    }
  } else {
    control.removeAttribute('aria-invalid');
    if (slot) {
      slot.textContent = '';
      slot.hidden = true;
    }
  }
}

// clearErrors clears every mark under form and its summary.
export function clearErrors(form, summary) {
  for (const c of form.querySelectorAll('[aria-invalid="true"]')) markField(c, '');
  if (summary) {
    replace(summary);
    summary.hidden = true;
  }
}

// showProblem marks every field a problem names and lists in summary what
// it says; it returns the first control marked, for the focus. aliases map
// a problem's path to a control's (a path parameter, say).
export function showProblem(form, problem, summary, aliases = {}) {
  clearErrors(form, summary);
  let first = null;
  const unplaced = [];
  const byPath = new Map();
  for (const c of form.querySelectorAll('[data-path]')) if (!c.closest('[hidden]')) byPath.set(c.dataset.path, c);
  for (const e of problem.errors || []) {
    const control = byPath.get(aliases[e.field] || e.field);
    if (control) {
      const prior = errorSlot(control)?.textContent;
      markField(control, prior ? `${prior}；${e.message}` : e.message);
      first ||= control;
    } else {
      unplaced.push(e);
    }
  }
  if (summary) {
    const items = (problem.errors || []).map((e) => {
      const control = byPath.get(aliases[e.field] || e.field);
      const text = `${e.field}：${e.message}`;
      if (!control) return h('li', null, text);
      return h('li', null, h('button', { type: 'button', class: 'link-button', onclick: () => control.focus() }, text));
    });
    replace(summary,
      h('h2', null, problem.title || t('error.title')),
      h('p', null, problem.detail || ''),
      items.length ? h('ul', null, items) : null,
      problem.errors_omitted ? h('p', null, t('error.omitted', problem.errors_omitted)) : null,
      problem.request_id ? h('p', { class: 'hint' }, t('error.request_id', problem.request_id)) : null);
    summary.hidden = false;
  }
  return unplaced.length && summary ? summary : first || summary;
}

// creditCodeMessage is what a credit code's problem says, '' when right.
export function creditCodeMessage(code) {
  if (!code) return '';
  const p = creditCodeProblem(code);
  return p ? t(`credit.${p}`) : '';
}

// watchCreditCode checks a credit code input as it is typed: capitals, the
// charset at once, the length and the check character once 18 are typed
// (or on leaving the field).
export function watchCreditCode(input, onValid) {
  const check = (final) => {
    const v = input.value.trim().toUpperCase();
    if (v !== input.value) input.value = v;
    const p = v ? creditCodeProblem(v) : '';
    const show = p === 'charset' || (p && (final || v.length >= 18));
    markField(input, show ? t(`credit.${p}`) : '');
    if (!p && v && onValid) onValid(v);
  };
  input.addEventListener('input', () => check(false));
  input.addEventListener('blur', () => check(true));
}
