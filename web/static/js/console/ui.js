// What the console's pages share: headings, tables with a total row,
// forms whose API errors land at their fields, confirmations.
import { h, field, options, uid } from '../dom.js';
import { t } from '../i18n.js';
import { ApiError } from '../api.js';
import { clearErrors, showProblem, markField } from '../fields.js';
import { divisionList, county, bureau, label } from '../format.js';

// table builds a table: columns [{label, cell(row) → node|text, amount,
// num}] (amount and num align right), an optional foot row (cells by
// column index).
export function table(caption, columns, rows, { foot, empty, rowAttrs } = {}) {
  if (!rows.length && empty) return h('p', { class: 'hint' }, empty);
  const align = (c) => (c.amount ? 'amount' : c.num ? 'num' : null);
  return h('div', { class: 'table-wrap' }, h('table', null,
    caption ? h('caption', null, caption) : null,
    h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: align(c) }, c.label)))),
    h('tbody', null, rows.map((r) => h('tr', rowAttrs ? rowAttrs(r) : null, columns.map((c) => {
      const v = c.cell(r);
      return v instanceof Node && (v.tagName === 'TD' || v.tagName === 'TH') ? v : h('td', { class: align(c) }, v);
    })))),
    foot ? h('tfoot', null, h('tr', null, columns.map((c, i) => h(i === 0 ? 'th' : 'td', { class: align(c), scope: i === 0 ? 'row' : null }, foot[i] ?? '')))) : null));
}

// moreButton is the 加载更多 of a list the API pages: load(next) reads the
// page after cursor next. None when there is no next page.
export function moreButton(next, load) {
  return next ? h('button', { type: 'button', class: 'secondary', onclick: () => load(next) }, t('btn.more')) : null;
}

// ruleChoice is the rules fieldset of a payout run or a forecast, every
// rule ticked at first. chosen() is the rules ticked; with none ticked it
// marks the fieldset in words, focuses its first box and gives null, for
// the API reads an empty list as every rule.
export function ruleChoice(rules) {
  const boxes = rules.map((r) => h('input', { type: 'checkbox', value: r, checked: true }));
  const err = h('p', { class: 'field-error', id: uid('rules-error'), hidden: true });
  const set = h('fieldset', { 'data-path': 'rules', 'aria-describedby': err.id }, h('legend', null, t('runs.rules')),
    boxes.map((b) => h('label', { class: 'inline' }, b, label('rule', b.value))), err);
  set.addEventListener('change', () => { if (boxes.some((b) => b.checked)) markField(set, ''); });
  return {
    el: h('div', { class: 'field' }, set),
    chosen() {
      const ticked = boxes.filter((b) => b.checked).map((b) => b.value);
      if (ticked.length) return ticked;
      markField(set, t('runs.no_rules'));
      boxes[0].focus();
      return null;
    },
  };
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

// regionSelect offers Wenzhou's divisions by name with code; payer: as
// payers, by their finance bureau's name (乐清市财政局 330382).
export function regionSelect(selected, { any, payer } = {}) {
  const pairs = divisionList().map((d) => [d.code, payer ? `${bureau(d.code)} ${d.code}` : county(d.code)]);
  if (any) pairs.unshift(['', any]);
  const sel = h('select', null, options(pairs, selected ?? ''));
  if (selected && !pairs.some(([c]) => c === selected)) sel.append(h('option', { value: selected, selected: true }, selected));
  return sel;
}

// payeeFields is the payee account (收款人: 户名, 账号, 开户行) of an
// enterprise or a university record form; value() is the body's payee, or
// undefined when all three are left blank (the recorded one then stays).
export function payeeFields(payee) {
  const name = input({ maxlength: 200, value: payee?.account_name || '' });
  const no = input({ maxlength: 32, inputmode: 'numeric', class: 'mono', value: payee?.account_no || '', spellcheck: 'false' });
  const bank = input({ maxlength: 200, value: payee?.bank_name || '' });
  const el = h('fieldset', null, h('legend', null, t('payee.title')),
    h('p', { class: 'hint' }, t('payee.hint')),
    field('payee.account_name', t('payee.account_name'), name),
    field('payee.account_no', t('payee.account_no'), no, { hint: t('payee.account_no_hint') }),
    field('payee.bank_name', t('payee.bank_name'), bank));
  const value = () => {
    const v = { account_name: name.value.trim(), account_no: no.value.replace(/[\s-]/g, ''), bank_name: bank.value.trim() };
    return v.account_name || v.account_no || v.bank_name ? v : undefined;
  };
  return { el, value };
}

// payeeView shows a recorded payee account as the key may read it (the
// subject's own key reads the number masked to its last four digits).
export function payeeView(payee) {
  if (!payee) return h('p', { class: 'hint' }, t('payee.none'));
  return h('dl', { class: 'meta' },
    h('dt', null, t('payee.account_name')), h('dd', null, payee.account_name),
    h('dt', null, t('payee.account_no')), h('dd', { class: 'mono' }, payee.account_no),
    h('dt', null, t('payee.bank_name')), h('dd', null, payee.bank_name));
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

// download saves a Response (a file the API made) under the name its
// Content-Disposition gives (filename*=UTF-8''… or filename="…").
export async function download(resp, fallback) {
  saveBlob(await resp.blob(), fileName(resp) || fallback);
}

// fileName is the name a Response's Content-Disposition gives, or ''.
function fileName(resp) {
  const cd = resp.headers.get('Content-Disposition') || '';
  const star = /filename\*=utf-8''([^;]+)/i.exec(cd);
  if (star) {
    try { return decodeURIComponent(star[1]); } catch { /* the plain name, then */ }
  }
  return /filename="([^"]+)"/.exec(cd)?.[1] || '';
}

// saveBlob saves a Blob under name: an object URL behind a temporary
// <a download>, so that the request that fetched it could carry the key
// in its header (never in a URL).
export function saveBlob(blob, name) {
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
