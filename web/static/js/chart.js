// Charts as plain SVG, always drawn beside a table of the same numbers: a
// person may copy the figures, and a screen reader reads the table (the
// SVG is one labelled image).
import { s, h } from './dom.js';
import { t, lang } from './i18n.js';
import { toFen, wan, yuan } from './format.js';

const num = (fen) => Number(fen) / 100; // geometry only; figures stay exact

function scaleMax(values) {
  const max = Math.max(1, ...values);
  const mag = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * mag >= max) return step * mag;
  return 10 * mag;
}

// figure is a bar's exact amount, short: 150万 (Chinese), 1,500,000 yuan.
function figure(fen) {
  if (lang() === 'zh' && fen >= 1000000n) return `${wan(fen)}万`;
  return yuan(fen).replace(/\.00$/, '');
}

// textWidth guesses the width of a label at the charts' 11 px: a Chinese
// character is as wide as the font, a Latin one about half.
function textWidth(text) {
  return [...text].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 11 : 6.2), 0);
}

function axisLabel(v) {
  const fen = BigInt(Math.round(v * 100));
  return v >= 10000 && lang() === 'zh' ? `${wan(fen)}万` : yuan(fen);
}

// ledgerChart draws a credit ledger: per year a bar for the credit
// generated and one for the offset, and a line for the balance carried
// forward.
export function ledgerChart(rows, title) {
  const n = rows.length;
  const group = 90;
  const left = 64;
  const top = 16;
  const plotH = 170;
  const width = Math.max(320, left + n * group + 16);
  const height = top + plotH + 28;
  const values = rows.flatMap((r) => [r.generated, r.offset, r.carry_out].map((x) => num(toFen(x))));
  const max = scaleMax(values);
  const y = (v) => top + plotH - (v / max) * plotH;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
  svg.append(s('title', null, title));
  for (const f of [0, 0.5, 1]) {
    svg.append(s('line', { class: f ? 'grid' : 'axis', x1: left, x2: width - 8, y1: y(max * f), y2: y(max * f) }));
    svg.append(s('text', { x: left - 6, y: y(max * f) + 4, 'text-anchor': 'end' }, axisLabel(max * f)));
  }
  const points = [];
  rows.forEach((r, i) => {
    const x0 = left + i * group + 14;
    const gen = num(toFen(r.generated));
    const off = num(toFen(r.offset));
    svg.append(s('rect', { class: 'bar-generated', x: x0, y: y(gen), width: 26, height: Math.max(0, y(0) - y(gen)) },
      s('title', null, `${r.year} ${t('ledger.generated')} ${yuan(r.generated)}`)));
    svg.append(s('rect', { class: 'bar-offset', x: x0 + 30, y: y(off), width: 26, height: Math.max(0, y(0) - y(off)) },
      s('title', null, `${r.year} ${t('ledger.offset')} ${yuan(r.offset)}`)));
    svg.append(s('text', { x: x0 + 28, y: top + plotH + 18, 'text-anchor': 'middle' }, String(r.year)));
    points.push([x0 + 28, y(num(toFen(r.carry_out))), r]);
  });
  if (points.length) {
    svg.append(s('polyline', { class: 'line-carry', points: points.map(([x, yy]) => `${x},${yy}`).join(' ') }));
    for (const [x, yy, r] of points) {
      svg.append(s('circle', { class: 'dot-carry', cx: x, cy: yy, r: 4 }, s('title', null, `${r.year} ${t('ledger.carry_out')} ${yuan(r.carry_out)}`)));
    }
  }
  const legend = h('ul', { class: 'legend' },
    h('li', null, h('span', { class: 'swatch generated' }), t('ledger.generated')),
    h('li', null, h('span', { class: 'swatch offset' }), t('ledger.offset')),
    h('li', null, h('span', { class: 'swatch carry' }), t('ledger.carry_out')));
  return h('div', null, svg, legend);
}

// barChart draws grouped horizontal bars: one group per row (a payer), one
// bar per series (pending, approved, paid; baseline, reform), lengths from
// the fen values, each bar's figure written beside it.
export function barChart(groups, series, title) {
  const left = Math.min(170, Math.max(64, ...groups.map((g) => textWidth(g.label) + 12)));
  const bar = 11;
  const groupH = series.length * (bar + 3) + 14;
  const width = left + 316;
  const labelW = 84; // the figure beside the longest bar
  const plotW = width - left - labelW;
  const height = groups.length * groupH + 30;
  const max = scaleMax(groups.flatMap((g) => series.map((sr) => num(g.values[sr.id] || 0n))));
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
  svg.append(s('title', null, title));
  groups.forEach((g, i) => {
    const y0 = 8 + i * groupH;
    svg.append(s('text', { x: left - 8, y: y0 + groupH / 2, 'text-anchor': 'end' }, g.label));
    series.forEach((sr, j) => {
      const fen = g.values[sr.id];
      if (fen == null) return; // no such figure (a payer without a budget)
      const v = num(fen);
      const w = Math.max(v > 0 ? 1 : 0, (v / max) * plotW);
      const y = y0 + j * (bar + 3);
      svg.append(s('rect', { class: `bar-${sr.id}`, x: left, y, width: w, height: bar },
        s('title', null, `${g.label} ${sr.label} ${yuan(fen)}`)));
      if (w > 0) svg.append(s('text', { class: 'bar-figure', x: left + w + 4, y: y + bar - 2 }, figure(BigInt(fen))));
    });
  });
  const axisY = height - 18;
  svg.append(s('line', { class: 'axis', x1: left, x2: left + plotW, y1: axisY, y2: axisY }));
  for (const f of [0, 0.5, 1]) {
    svg.append(s('text', { x: left + f * plotW, y: axisY + 13, 'text-anchor': f === 1 ? 'end' : f ? 'middle' : 'start' }, axisLabel(max * f)));
  }
  const legend = h('ul', { class: 'legend' }, series.map((sr) => h('li', null, h('span', { class: `swatch ${sr.id}` }), sr.label)));
  return h('div', null, svg, legend);
}
