// How figures, dates, counties and statuses are shown. Money stays a
// decimal string (or a BigInt of fen) from the API to the screen: never a
// float.
import { h } from './dom.js';
import { t, lang, has } from './i18n.js';

const data = (id) => JSON.parse(document.getElementById(id)?.textContent || 'null');
const counties = data('counties') || [];
const cityLevel = data('city-level');
const divisions = cityLevel ? [...counties, cityLevel] : counties;

// The divisions a form offers: the twelve counties, then the city itself.
export function divisionList() { return divisions; }

// countyName is a division's name alone: 乐清市 (Yueqing City).
function countyName(code) {
  const c = divisions.find((d) => d.code === code);
  return c ? c.name[lang()] || c.name.zh : '';
}

// county shows a division by its name with its code: 乐清市 330382.
export function county(code) {
  const name = countyName(code);
  return name ? `${name} ${code}` : code || '';
}

// bureau names the finance bureau (付款单位) of a division: a county's is
// named after it (乐清市财政局), any other division's is the city's
// (温州市财政局), as the API names the payers.
export function bureau(code) {
  return counties.some((c) => c.code === code) ? t('payer.bureau', countyName(code)) : t('payer.city');
}

// payerName names a payer the API sends ({code, name}): its name, in
// English the bureau's.
export function payerName(p) {
  return lang() === 'en' ? bureau(p.code) : p.name;
}

// relabelCounties renames the county options of root's selects.
export function relabelCounties(root) {
  for (const opt of root.querySelectorAll('option[data-county]')) opt.textContent = county(opt.dataset.county);
}

// toFen reads an amount in yuan ("1234.5", "1,234.50", "-50000.00": what
// remains of a budget, a difference) as a BigInt of fen.
export function toFen(text) {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(text ?? '').replaceAll(',', '').trim());
  if (!m) return 0n;
  const fen = BigInt(m[2]) * 100n + BigInt((m[3] || '0').padEnd(2, '0'));
  return m[1] ? -fen : fen;
}

// plainAmount is an amount as typed, its separators and spaces taken out
// ("1,000,000" → "1000000"): the API takes plain decimals.
export function plainAmount(text) {
  return text.replace(/[,，\s]/g, '');
}

// sumFen adds up the amounts f(x) of a list's items, exactly: a BigInt of fen.
export function sumFen(list, f) {
  return (list || []).reduce((sum, x) => sum + toFen(f(x)), 0n);
}

// fromFen writes fen as yuan with two decimals.
export function fromFen(fen) {
  const neg = fen < 0n;
  const abs = neg ? -fen : fen;
  const yuan = (abs / 100n).toString();
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${neg ? '-' : ''}${yuan}.${cents}`;
}

// yuan groups an amount's digits: "200000.00" → "200,000.00".
export function yuan(text) {
  const fen = typeof text === 'bigint' ? text : toFen(text);
  const [int, dec] = fromFen(fen).split('.');
  const neg = int.startsWith('-');
  const digits = neg ? int.slice(1) : int;
  return `${neg ? '-' : ''}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${dec}`;
}

// wan is an amount in 万元, exact: 200000.00 → "20", 12345.67 → "1.234567".
export function wan(text) {
  const fen = typeof text === 'bigint' ? text : toFen(text);
  const int = (fen / 1000000n).toString();
  const frac = (fen % 1000000n).toString().padStart(6, '0').replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

// money shows an amount with its unit, and in 万元 where a person thinks in
// 万: 200,000.00 元（20 万元）.
export function money(text) {
  const fen = typeof text === 'bigint' ? text : toFen(text);
  if (lang() === 'en') return `${yuan(fen)} yuan`;
  const base = `${yuan(fen)} 元`;
  return fen >= 1000000n ? `${base}（${wan(fen)} 万元）` : base;
}

// date shows an ISO date as 2025年6月30日 (30 June 2025 in English).
export function date(iso) {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (lang() === 'en') {
    const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
    return `${d} ${months[mo - 1]} ${y}`;
  }
  return `${y}年${mo}月${d}日`;
}

// dateTime shows a timestamp in Wenzhou's time: 2025年6月30日 10:05.
export function dateTime(iso) {
  if (!iso) return '';
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return iso;
  const local = new Date(when.getTime() + 8 * 3600 * 1000); // China has no daylight saving
  const day = local.toISOString().slice(0, 10);
  return `${date(day)} ${local.toISOString().slice(11, 16)}`;
}

// today is today's date in Wenzhou, ISO.
export function today() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

// label names an id the API sends (a status, a level, a rule) in words.
export function label(group, id) {
  const key = `${group}.${id}`;
  return has(key) ? t(key) : id;
}

// status is a status badge: its colour is the same on every page.
export function status(id, group = 'status') {
  return h('span', { class: `status status-${id}` }, label(group, id));
}

// eligibility is the badge of an answer: eligible or not.
export function eligibility(eligible) {
  return h('span', { class: eligible ? 'eligible' : 'not-eligible' }, eligible ? t('result.eligible') : t('result.not_eligible'));
}

// conditionList lists an answer's conditions, each ✔ or ✘ (in words for a
// screen reader) with its message.
export function conditionList(conditions) {
  return h('ul', { class: 'conditions' }, (conditions || []).map((c) => h('li', { class: c.passed ? 'pass' : 'fail' },
    h('span', { class: 'mark', 'aria-hidden': 'true' }, c.passed ? '✔' : '✘'),
    h('span', { class: 'visually-hidden' }, c.passed ? t('condition.passed') : t('condition.failed')),
    c.message)));
}
