// 资金测算: what a payout run would record now (现行政策), and under a reform
// (调整方案) whose parameters are the rules' own (GET /v1/rules): each
// parameter a field showing the value in force and what it means; the
// fields changed become the forecast's overrides. The answer: the totals
// side by side, who gains, loses or stays the same, by payer and by rule as
// charts beside their tables, and the revenue forgone through the surcharge
// credit (税式支出). Nothing is recorded.
import { h, replace } from '../../dom.js';
import { t, lang } from '../../i18n.js';
import { money, yuan, toFen, date, label, payerName, plainAmount } from '../../format.js';
import { barChart } from '../../chart.js';
import { heading, table, form, field, input, select, notice, ruleChoice } from '../ui.js';

const RULES = ['cert-grant', 'donation-match'];
const LEVELS = ['city', 'province', 'national'];

const join = (items) => items.join(lang() === 'en' ? ', ' : '、');
const intOr = (v) => (/^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v.trim());
// decimalKey writes a decimal so that equal numbers compare equal: "0.30" and "0.3".
const decimalKey = (v) => {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(String(v).trim());
  if (!m) return `?${v}`;
  return `${BigInt(m[1])}.${(m[2] || '').replace(/0+$/, '')}`;
};
const moneyKey = (v) => (/^\d+(\.\d{1,2})?$/.test(plainAmount(String(v))) ? String(toFen(v)) : `?${v}`);
const monthDay = (v) => {
  const m = /^(\d{2})-(\d{2})$/.exec(v || '');
  if (!m) return v;
  return lang() === 'en' ? `${Number(m[2])} ${['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'][Number(m[1]) - 1]}` : `${Number(m[1])}月${Number(m[2])}日`;
};

// kinds are the parameter types: their controls (label, control) from the
// value in force, the value they hold now, a key under which equal values
// are equal, and the value in words.
const kinds = {
  money: {
    controls: (v) => [[null, input({ inputmode: 'decimal', class: 'num', value: v })]],
    read: ([c]) => plainAmount(c.value),
    key: moneyKey,
    show: (v) => money(v),
  },
  money_by_level: {
    controls: (v) => LEVELS.map((l) => [label('level', l), input({ inputmode: 'decimal', class: 'num', value: v?.[l] ?? '' })]),
    read: (cs) => Object.fromEntries(LEVELS.map((l, i) => [l, plainAmount(cs[i].value)])),
    key: (v) => LEVELS.map((l) => moneyKey(v?.[l] ?? '')).join('/'),
    show: (v) => join(LEVELS.map((l) => `${label('level', l)} ${money(v[l])}`)),
  },
  decimal: {
    controls: (v) => [[null, input({ inputmode: 'decimal', class: 'num', value: v })]],
    read: ([c]) => c.value.trim(),
    key: decimalKey,
    show: (v) => String(v),
  },
  percent: {
    controls: (v) => [[null, input({ inputmode: 'decimal', class: 'num', value: v })]],
    read: ([c]) => c.value.trim().replace(/%$/, ''),
    key: decimalKey,
    show: (v) => `${v}%`,
  },
  int: {
    controls: (v) => [[null, input({ inputmode: 'numeric', class: 'num', value: String(v) })]],
    read: ([c]) => intOr(c.value),
    key: (v) => String(v),
    show: (v) => String(v),
  },
  enum: {
    controls: (v, p) => [[null, select((p.enum || []).map((e) => [e, label('enum', e)]), v)]],
    read: ([c]) => c.value,
    key: (v) => String(v),
    show: (v) => label('enum', v),
  },
  bool: {
    controls: (v) => [[null, select([['true', t('yes')], ['false', t('no')]], String(v))]],
    read: ([c]) => c.value === 'true',
    key: (v) => String(v),
    show: (v) => (v ? t('yes') : t('no')),
  },
  date: {
    controls: (v) => [[null, input({ type: 'date', value: v })]],
    read: ([c]) => c.value,
    key: (v) => String(v),
    show: (v) => date(v),
  },
  month_day: {
    controls: (v) => [[null, input({ value: v, maxlength: 5, placeholder: 'MM-DD', class: 'num' })]],
    read: ([c]) => c.value.trim(),
    key: (v) => String(v),
    show: monthDay,
  },
  period: {
    controls: (v) => [[t('forecast.from'), input({ type: 'date', value: v?.from })], [t('forecast.to'), input({ type: 'date', value: v?.to })]],
    read: ([a, b]) => ({ from: a.value, to: b.value }),
    key: (v) => `${v?.from}/${v?.to}`,
    show: (v) => t('forecast.range', date(v.from), date(v.to)),
  },
  year_range: {
    controls: (v) => [[t('forecast.from'), input({ inputmode: 'numeric', maxlength: 4, class: 'num', value: String(v?.from ?? '') })],
      [t('forecast.to'), input({ inputmode: 'numeric', maxlength: 4, class: 'num', value: String(v?.to ?? '') })]],
    read: ([a, b]) => ({ from: intOr(a.value), to: intOr(b.value) }),
    key: (v) => `${v?.from}/${v?.to}`,
    show: (v) => t('forecast.range', v.from, v.to),
  },
  levels: {
    controls: (v) => LEVELS.map((l) => [label('level', l), h('input', { type: 'checkbox', value: l, checked: (v || []).includes(l) })]),
    read: (cs) => cs.filter((c) => c.checked).map((c) => c.value),
    key: (v) => [...(v || [])].sort().join(','),
    show: (v) => join(v.map((l) => label('level', l))),
  },
  string: {
    controls: (v) => [[null, input({ value: v })]],
    read: ([c]) => c.value,
    key: (v) => String(v),
    show: (v) => String(v),
  },
};
// A type this page does not know is edited as JSON.
const asJSON = {
  controls: (v) => [[null, input({ value: JSON.stringify(v), class: 'mono' })]],
  read: ([c]) => { try { return JSON.parse(c.value); } catch { return c.value; } },
  key: (v) => JSON.stringify(v),
  show: (v) => JSON.stringify(v),
};

// paramField is one parameter's field: labelled by its description, with
// the value in force beside it; changed() says whether it now differs.
function paramField(p) {
  const kind = kinds[p.type] || asJSON;
  const pairs = kind.controls(p.in_force, p);
  const controls = pairs.map(([, c]) => c);
  controls[0].dataset.path = `overrides.${p.key}`;
  const desc = p.description?.[lang()] || p.description?.zh || p.key;
  const id = `param-${p.key.replace(/[^a-z0-9]+/gi, '-')}`;
  const mark = h('span', { class: 'changed-mark', hidden: true }, t('forecast.changed'));
  const hint = h('p', { class: 'hint', id: `${id}-hint` }, `${t('forecast.in_force')}${kind.show(p.in_force)}`,
    p.interpretation ? ` · ${p.interpretation[lang()] || p.interpretation.zh}` : '');
  const err = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  let body;
  if (pairs.length === 1) {
    controls[0].id = id;
    body = [h('label', { for: id }, desc, ' ', mark), controls[0]];
  } else {
    body = [h('span', { class: 'label', id: `${id}-label` }, desc, ' ', mark), h('div', { class: 'sub-fields', role: 'group', 'aria-labelledby': `${id}-label` },
      pairs.map(([sub, c], i) => {
        c.id = `${id}-${i}`;
        return c.type === 'checkbox' ? h('label', { class: 'inline' }, c, sub) : h('span', { class: 'sub-field' }, h('label', { for: c.id }, sub), c);
      }))];
  }
  for (const c of controls) c.setAttribute('aria-describedby', `${id}-hint ${id}-error`);
  const el = h('div', { class: 'field param', dataset: { param: p.key } }, body, hint, err);
  const base = kind.key(p.in_force);
  const changed = () => kind.key(kind.read(controls)) !== base;
  const update = () => {
    const c = changed();
    el.classList.toggle('changed', c);
    mark.hidden = !c;
  };
  el.addEventListener('input', update);
  el.addEventListener('change', update);
  return {
    p, el, changed,
    value: () => kind.read(controls),
    show: (v) => kind.show(v),
    // reset is a new field of the value in force, to put in this one's place.
    reset: () => paramField(p),
  };
}

export async function render(ctx) {
  ctx.root.append(heading(ctx, t('nav.forecast')), h('p', { class: 'lede' }, t('forecast.lede')));
  const asOf = input({ type: 'date' });
  const year = input({ inputmode: 'numeric', maxlength: 4, class: 'num' });
  const rules = ruleChoice(RULES);
  const reform = h('div', { class: 'reform' });
  const result = h('section', { class: 'forecast-result', 'aria-live': 'polite' });
  let fields = [];

  // loadParams reads the parameters in force on the date asked (today
  // when none); a value changed already is kept. Of loads that overlap,
  // the last asked wins.
  let loads = 0;
  const loadParams = async () => {
    const n = ++loads;
    const asked = asOf.value;
    reform.setAttribute('aria-busy', 'true');
    const cat = await ctx.api('GET', `/v1/rules${asked ? `?as_of=${asked}` : ''}`);
    if (!ctx.alive() || n !== loads) return;
    const kept = new Map(fields.filter((f) => f.changed()).map((f) => [f.p.key, f]));
    reform.removeAttribute('aria-busy');
    reform.dataset.asOf = asked; // the date asked for ('' for today)
    fields = [];
    replace(reform, h('p', { class: 'hint' }, t('forecast.reform_hint', date(cat.as_of))), cat.rules.map((r) => {
      const fs = r.parameters.map((p) => kept.get(p.key) || paramField(p));
      fields.push(...fs);
      return h('details', { class: 'rule-params', open: true, dataset: { rule: r.id } }, h('summary', null, r.title?.[lang()] || label('rule', r.id)), fs.map((f) => f.el));
    }));
  };
  asOf.addEventListener('change', () => loadParams());

  const reset = h('button', { type: 'button', class: 'secondary' }, t('forecast.reset'));
  reset.addEventListener('click', () => {
    fields = fields.map((f) => {
      if (!f.changed()) return f;
      const fresh = f.reset();
      f.el.replaceWith(fresh.el);
      return fresh;
    });
  });

  const f = form([
    h('h2', null, t('forecast.scenario')),
    field('grant_year', t('f.grant_year'), year, { hint: t('forecast.grant_year_hint') }),
    field('as_of', t('f.as_of'), asOf, { hint: t('forecast.as_of_hint') }),
    rules.el,
    h('h2', null, t('forecast.reform')),
    reform,
  ], t('forecast.submit'), async () => {
    const chosen = rules.chosen();
    if (!chosen) return;
    const body = { rules: chosen };
    if (asOf.value) body.as_of = asOf.value;
    if (year.value.trim()) body.grant_year = intOr(year.value);
    const changed = fields.filter((x) => x.changed());
    if (changed.length) body.overrides = Object.fromEntries(changed.map((x) => [x.p.key, x.value()]));
    replace(result, notice(t('forecast.working')));
    result.setAttribute('aria-busy', 'true');
    try {
      const fc = await ctx.api('POST', '/v1/forecasts', { body });
      if (!ctx.alive()) return;
      replace(result, answer(fc, changed));
      result.querySelector('h2')?.focus();
    } catch (e) {
      replace(result);
      throw e;
    } finally {
      result.removeAttribute('aria-busy');
    }
  }, { secondary: reset });
  ctx.root.append(h('div', { class: 'forecast' }, f, result));
  await loadParams();
}

const signed = (fen) => `${fen > 0n ? '+' : ''}${yuan(fen)}`;

// answer is the forecast: the totals side by side and what changes, by
// payer and by rule (a chart beside each table), and the revenue forgone.
function answer(fc, changed) {
  const base = fc.baseline;
  const ref = fc.reform;
  const scen = [{ id: 'baseline', label: t('forecast.baseline'), of: base }, ...(ref ? [{ id: 'reform', label: t('forecast.reform'), of: ref }] : [])];
  const figure = (id, term, ...value) => h('div', null, h('dt', null, term), h('dd', { dataset: { figure: id } }, value));
  const figures = h('dl', { class: 'figures' },
    scen.map((s) => figure(s.id, s.label, money(s.of.total), h('span', { class: 'hint' }, ` ${t('forecast.subjects', s.of.subjects)}`))),
    fc.changes ? [
      figure('difference', t('forecast.difference'), `${signed(toFen(fc.changes.difference))} ${t('forecast.yuan')}`),
      figure('changes', t('forecast.changes'), t('forecast.changes_text', fc.changes.gainers, fc.changes.losers, fc.changes.unchanged)),
    ] : null);

  // by: one table and chart, of payers or of rules, the scenarios side by side.
  const by = (title, key, name, list) => {
    const rows = new Map();
    for (const s of scen) {
      for (const x of s.of[list]) {
        const k = key(x);
        if (!rows.has(k)) rows.set(k, { k, name: name(x), values: {}, subjects: {} });
        rows.get(k).values[s.id] = toFen(x.total);
        rows.get(k).subjects[s.id] = x.subjects;
      }
    }
    const groups = [...rows.values()];
    for (const g of groups) for (const s of scen) g.values[s.id] ??= 0n;
    const sum = (id) => groups.reduce((a, g) => a + g.values[id], 0n);
    const columns = [{ label: title, cell: (g) => h('td', { class: 'name' }, g.name) }];
    for (const s of scen) {
      columns.push({ label: `${s.label}（${t('forecast.yuan')}）`, amount: true, cell: (g) => yuan(g.values[s.id]) });
      columns.push({ label: t('forecast.subjects_col'), num: true, cell: (g) => String(g.subjects[s.id] ?? 0) });
    }
    if (ref) columns.push({ label: t('forecast.difference'), amount: true, cell: (g) => signed(g.values.reform - g.values.baseline) });
    const foot = [t('table.total'), ...scen.flatMap((s) => [yuan(sum(s.id)), String(s.of.subjects)])];
    if (ref) foot.push(signed(sum('reform') - sum('baseline')));
    return h('section', null, h('h3', null, t('forecast.by', title)),
      groups.length ? h('div', { class: 'chart-block' },
        barChart(groups.map((g) => ({ label: g.name, values: g.values })), scen.map((s) => ({ id: s.id, label: s.label })), t('forecast.chart', title)),
        table(null, columns, groups, { foot })) : h('p', { class: 'hint' }, t('forecast.nothing')));
  };

  const creditRows = ['offset', 'offset_education', 'offset_local', 'carry_out', 'enterprises'];
  const creditCell = (s, r) => (r === 'enterprises' ? String(s.of.credit[r]) : yuan(s.of.credit[r]));
  const credit = h('section', null, h('h3', null, t('forecast.credit', base.credit.year)),
    h('p', { class: 'hint' }, t('forecast.credit_hint')),
    table(null, [
      { label: t('forecast.item'), cell: (r) => h('th', { scope: 'row' }, t(`forecast.credit_${r}`)) },
      ...scen.map((s) => ({ label: s.label, amount: true, cell: (r) => creditCell(s, r) })),
      ...(ref ? [{ label: t('forecast.difference'), amount: true, cell: (r) => (r === 'enterprises'
        ? String(ref.credit[r] - base.credit[r])
        : signed(toFen(ref.credit[r]) - toFen(base.credit[r]))) }] : []),
    ], creditRows, { rowAttrs: (r) => ({ 'data-credit': r }) }));

  return h('div', { class: 'card' },
    h('h2', { tabindex: '-1' }, t('forecast.result', fc.grant_year)),
    h('dl', { class: 'meta' },
      h('dt', null, t('results.as_of')), h('dd', null, date(fc.as_of)),
      h('dt', null, t('runs.rules')), h('dd', null, join(fc.rules.map((r) => label('rule', r)))),
      h('dt', null, t('results.ruleset')), h('dd', null, `${fc.ruleset.version} ${fc.ruleset.digest}`),
      changed.length ? [h('dt', null, t('forecast.overrides')), h('dd', null, h('ul', { class: 'overrides' },
        changed.map((x) => h('li', null, `${x.p.description?.[lang()] || x.p.key}：${x.show(x.p.in_force)} → ${x.show(fc.overrides?.[x.p.key] ?? x.value())}`))))] : null),
    figures,
    base.skipped || ref?.skipped ? notice(t('forecast.skipped', base.skipped), 'bad') : null,
    by(t('payout.payer'), (x) => x.payer.code, (x) => payerName(x.payer), 'by_payer'),
    by(t('payouts.rule'), (x) => x.rule, (x) => label('rule', x.rule), 'by_rule'),
    credit,
    h('p', { class: 'disclaimer' }, t('forecast.note')));
}
