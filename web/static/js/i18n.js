// Labels in Chinese first, English by the switch. Every label of every page
// is in messages.json; the server renders the Chinese into the pages'
// templates, and this module relabels what is marked data-i18n.
import messages from '../messages.json' with { type: 'json' };

const STORE = 'subsidy.lang';
let current = localStorage.getItem(STORE) === 'en' ? 'en' : 'zh';
const listeners = new Set();

export function lang() { return current; }

// acceptLanguage is what API calls send, so that the API's messages
// (conditions, errors) come in the page's language.
export function acceptLanguage() { return current === 'en' ? 'en' : 'zh-CN'; }

// t returns the label of key in the current language; {0}, {1}... are
// filled with args.
export function t(key, ...args) {
  const m = messages[key];
  if (!m) {
    console.error(`no message ${key}`);
    return key;
  }
  let text = m[current] ?? m.zh;
  args.forEach((a, i) => { text = text.replaceAll(`{${i}}`, String(a)); });
  return text;
}

// has reports whether key has a label (ids the API sends, such as a rule id).
export function has(key) { return Object.hasOwn(messages, key); }

// applyLabels relabels the elements under root marked data-i18n (text),
// data-i18n-aria (aria-label) and the county options (data-county).
export function applyLabels(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
}

export function setLang(l) {
  current = l === 'en' ? 'en' : 'zh';
  localStorage.setItem(STORE, current);
  document.documentElement.lang = current === 'en' ? 'en' : 'zh-CN';
  applyLabels();
  for (const fn of listeners) fn(current);
}

// onLangChange calls fn after every switch of language.
export function onLangChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }
