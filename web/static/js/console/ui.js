// What the console's pages share: headings, tables with a total row,
// forms whose API errors land at their fields, confirmations.
import { h, replace, field, options } from '../dom.js';
import { t } from '../i18n.js';
import { ApiError } from '../api.js';
import { clearErrors, showProblem } from '../fields.js';
import { divisionList, county } from '../format.js';

// table builds a table: columns [{label, cell(row) → node|text, amount}],
// an optional foot row (cells by column index).
export function table(caption, columns, rows, { foot, empty, rowAttrs } = {}) {
  if (!rows.length && empty) return h('p', { class: 'hint' }, empty);
  return h('div', { class: 'table-wrap' }, h('table', null,
    caption ? h('caption', null, caption) : null,
    h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.amount ? 'amount' : null }, c.label)))),
    h('tbody', null, rows.map((r) => h('tr', rowAttrs ? rowAttrs(r) : null, columns.map((c) => {
      const v = c.cell(r);
      return v instanceof Node && v.tagName === 'TD' ? v : h('td', { class: c.amount ? 'amount' : null }, v);
    })))),
    foot ? h('tfoot', null, h('tr', null, columns.map((c, i) => h(i === 0 ? 'th' : 'td', { class: c.amount ? 'amount' : null, scope: i === 0 ? 'row' : null }, foot[i] ?? '')))) : null));
}

// notice is a message in words: kind ok, bad or '' (information).
export function notice(text, kind = '') {
  return h('p', { class: `notice ${kind}`, role: kind === 'bad' ? 'alert' : 'status' }, text);
}

// form builds a form whose submit runs fn(); an ApiError's fields are
// marked at the controls whose data-path they name, the rest summarised.
export function form(children, submitLabel, fn, { aliases, secondary } = {}) {
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
  const button = h('button', { type: 'submit' }, submitLabel);
  const el = h('form', { novalidate: true, class: 'card form' }, summary, children, h('div', { class: 'actions' }, button, secondary));
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(el, summary);
    button.disabled = true;
    try {
      await fn(el);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      showProblem(el, e.problem, summary, aliases)?.focus();
    } finally {
      button.disabled = false;
    }
  });
  return el;
}

export const input = (attrs = {}) => h('input', { autocomplete: 'off', ...attrs });

// regionSelect offers Wenzhou's divisions by name with code.
export function regionSelect(selected, { any } = {}) {
  const pairs = divisionList().map((d) => [d.code, county(d.code)]);
  if (any) pairs.unshift(['', any]);
  const sel = h('select', null, options(pairs, selected ?? ''));
  if (selected && !pairs.some(([c]) => c === selected)) sel.append(h('option', { value: selected, selected: true }, selected));
  return sel;
}

export function select(pairs, selected) { return h('select', null, options(pairs, selected)); }

export { field };

// confirmDialog asks a question in a modal dialog, with an optional text
// field (a reason); resolves to the text (or true), or null when cancelled.
// onConfirm(text) may throw an ApiError: its message is shown in the
// dialog, at the field.
export function confirmDialog({ title, text, fieldLabel, fieldPath, confirmLabel, danger, onConfirm }) {
  return new Promise((resolve) => {
    const area = fieldLabel ? h('textarea', { rows: 3, maxlength: 500 }) : null;
    const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
    const ok = h('button', { type: 'submit', class: danger ? 'danger' : null }, confirmLabel);
    const cancel = h('button', { type: 'button', class: 'secondary' }, t('btn.cancel'));
    const f = h('form', { method: 'dialog', novalidate: true }, h('h2', null, title), text ? h('p', null, text) : null, summary,
      area ? field(fieldPath, fieldLabel, area) : null, h('div', { class: 'actions' }, ok, cancel));
    const dlg = h('dialog', null, f);
    let result = null;
    const close = () => { dlg.close(); dlg.remove(); resolve(result); };
    cancel.addEventListener('click', close);
    dlg.addEventListener('cancel', () => { result = null; });
    dlg.addEventListener('close', () => { dlg.remove(); resolve(result); });
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(f, summary);
      const value = area ? area.value.trim() : true;
      ok.disabled = true;
      try {
        if (onConfirm) await onConfirm(value);
        result = value;
        dlg.close();
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        showProblem(f, e.problem, summary)?.focus();
      } finally {
        ok.disabled = false;
      }
    });
    document.body.append(dlg);
    dlg.showModal();
    (area || ok).focus();
  });
}

// download saves a Response (a CSV the API made) under its file name.
export async function download(resp, fallback) {
  const blob = await resp.blob();
  const name = /filename="([^"]+)"/.exec(resp.headers.get('Content-Disposition') || '')?.[1] || fallback;
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function heading(ctx, title, ...after) {
  ctx.title(title);
  return h('div', { class: 'page-head' }, h('h1', null, title), after);
}

export { replace, h };
