// Building the page: every text from data goes in as a text node, never
// as markup (the Content-Security-Policy requires Trusted Types, so
// assigning markup to an element would throw anyway).

const SVG = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' && 'value' in el && !(el instanceof SVGElement)) el.value = v;
    else if (k === 'checked') el.checked = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...flat(children));
  return el;
}

function flat(children) {
  const out = [];
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    out.push(c instanceof Node ? c : String(c));
  }
  return out;
}

// h creates an HTML element: h('td', {class: 'amount'}, text, ...).
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

// s creates an SVG element.
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG, tag), attrs, children);
}

// replace puts children in place of el's content.
export function replace(el, ...children) {
  el.replaceChildren(...flat(children));
  return el;
}

let ids = 0;
// uid makes an id for a generated element (labels, descriptions).
export function uid(prefix = 'g') {
  ids += 1;
  return `${prefix}-${ids}`;
}

// field builds a labelled input with its error slot:
// field('name', label, h('input', {...}), {hint}).
export function field(path, label, control, { hint } = {}) {
  const id = control.id || uid('f');
  control.id = id;
  if (path) control.dataset.path = path;
  const err = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const described = [`${id}-error`];
  let hintEl = null;
  if (hint) {
    hintEl = h('p', { class: 'hint', id: `${id}-hint` }, hint);
    described.unshift(`${id}-hint`);
  }
  control.setAttribute('aria-describedby', described.join(' '));
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl, err);
}

// options builds <option>s from [value, label] pairs.
export function options(pairs, selected) {
  return pairs.map(([v, label]) => h('option', { value: v, selected: v === selected ? true : null }, label));
}
