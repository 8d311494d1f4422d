// 登记: enterprises and universities. An enterprise is found by its credit
// code (which opens it), by county, or by a part of its name (the API
// searches the whole registry); a university by its name or code among
// those loaded (a city has few). Register new ones.
import { h, replace } from '../../dom.js';
import { t } from '../../i18n.js';
import { dateTime, county, label } from '../../format.js';
import { creditCodeProblem } from '../../creditcode.js';
import { watchCreditCode } from '../../fields.js';
import { heading, table, form, field, input, regionSelect, select, moreButton } from '../ui.js';
import { all } from '../session.js';

export async function render(ctx) {
  const tab = ctx.query.get('tab') === 'universities' ? 'universities' : 'enterprises';
  ctx.root.append(heading(ctx, t('nav.registry')),
    h('nav', { class: 'tabs', 'aria-label': t('registry.tabs') },
      h('a', { href: '#/registry', 'aria-current': tab === 'enterprises' ? 'page' : null }, t('registry.enterprises')),
      h('a', { href: '#/registry?tab=universities', 'aria-current': tab === 'universities' ? 'page' : null }, t('registry.universities'))));
  if (tab === 'universities') return universities(ctx);
  return enterprises(ctx);
}

async function enterprises(ctx) {
  const q = ctx.query;
  const search = input({ type: 'search', value: q.get('q') || '' });
  const region = regionSelect(q.get('region') || '', { any: t('payouts.any') });
  const find = h('form', { class: 'card filters', role: 'search' },
    field('q', t('registry.search'), search, { hint: t('registry.search_hint') }),
    field('region', t('f.region'), region),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('btn.search'))));
  find.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = search.value.trim();
    if (text && !creditCodeProblem(text.toUpperCase())) {
      ctx.go(`#/enterprises/${text.toUpperCase()}`);
      return;
    }
    const p = new URLSearchParams();
    if (text) p.set('q', text);
    if (region.value) p.set('region', region.value);
    ctx.go(`#/registry${p.size ? `?${p}` : ''}`);
  });
  const list = h('section');
  ctx.root.append(find, list, newEnterprise(ctx));

  const shown = [];
  const load = async (after = '') => {
    const params = new URLSearchParams({ limit: '100' });
    if (q.get('region')) params.set('region', q.get('region'));
    if (q.get('q')) params.set('name', q.get('q'));
    if (after) params.set('after', after);
    const page = await ctx.api('GET', `/v1/enterprises?${params}`);
    if (!ctx.alive()) return;
    shown.push(...page.enterprises);
    replace(list, table(t('registry.enterprises'), [
      { label: t('f.enterprise_name'), cell: (e) => h('a', { href: `#/enterprises/${e.credit_code}`, class: 'subject-name' }, e.name) },
      { label: t('f.credit_code'), cell: (e) => h('span', { class: 'mono' }, e.credit_code) },
      { label: t('f.region'), cell: (e) => county(e.region) },
      { label: t('f.parent'), cell: (e) => (e.parent ? e.parent.credit_code : '') },
      { label: t('registry.updated'), cell: (e) => dateTime(e.updated_at) },
    ], shown, { empty: t('registry.none') }),
    moreButton(page.next_after, load));
  };
  await load();
}

function newEnterprise(ctx) {
  const code = input({ class: 'mono', maxlength: 18, spellcheck: 'false' });
  watchCreditCode(code);
  const name = input({ maxlength: 200 });
  const region = regionSelect('', { any: t('f.choose') });
  return form([
    h('h2', null, t('registry.new_enterprise')),
    field('credit_code', t('f.credit_code'), code),
    field('name', t('f.enterprise_name'), name),
    field('region', t('f.region'), region),
  ], t('btn.register'), async () => {
    // The code is the path's: the API names it credit_code when it is wrong.
    const c = code.value.trim();
    await ctx.api('PUT', `/v1/enterprises/${encodeURIComponent(c || '-')}`, { body: { name: name.value.trim(), region: region.value } });
    ctx.go(`#/enterprises/${c}`);
  });
}

async function universities(ctx) {
  const search = input({ type: 'search', value: ctx.query.get('q') || '' });
  const find = h('form', { class: 'card filters', role: 'search' },
    field('q', t('registry.search_university'), search, { hint: t('registry.search_university_hint') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('btn.search'))));
  find.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams({ tab: 'universities' });
    if (search.value.trim()) p.set('q', search.value.trim());
    ctx.go(`#/registry?${p}`);
  });
  const list = h('section');
  ctx.root.append(find, list, newUniversity(ctx));
  // A search reads every university (a city has few) and keeps those whose
  // name or code holds the text; the list alone comes 100 at a time.
  const text = (ctx.query.get('q') || '').toLowerCase();
  const shown = [];
  const load = async (after = '') => {
    let page;
    if (text) {
      const every = await all('/v1/universities', 'universities');
      page = { universities: every.filter((u) => u.name.toLowerCase().includes(text) || u.code.toLowerCase().includes(text)), next_after: '' };
    } else {
      const params = new URLSearchParams({ limit: '100' });
      if (after) params.set('after', after);
      page = await ctx.api('GET', `/v1/universities?${params}`);
    }
    if (!ctx.alive()) return;
    shown.push(...page.universities);
    replace(list, table(t('registry.universities'), [
      { label: t('f.university_name'), cell: (u) => h('a', { href: `#/universities/${encodeURIComponent(u.code)}`, class: 'subject-name' }, u.name) },
      { label: t('f.university_code'), cell: (u) => h('span', { class: 'mono' }, u.code) },
      { label: t('f.ownership'), cell: (u) => label('ownership', u.ownership) },
      { label: t('f.affiliation'), cell: (u) => label('affiliation', u.affiliation) },
      { label: t('registry.updated'), cell: (u) => dateTime(u.updated_at) },
    ], shown, { empty: t('registry.none') }),
    moreButton(page.next_after, load));
  };
  await load();
}

function newUniversity(ctx) {
  const code = input({ class: 'mono', maxlength: 64 });
  const name = input({ maxlength: 200 });
  const ownership = select([['public', label('ownership', 'public')], ['private', label('ownership', 'private')]]);
  const affiliation = select(['city', 'province', 'central', 'other'].map((a) => [a, label('affiliation', a)]));
  return form([
    h('h2', null, t('registry.new_university')),
    field('code', t('f.university_code'), code, { hint: t('hint.university_code') }),
    field('name', t('f.university_name'), name),
    field('ownership', t('f.ownership'), ownership),
    field('affiliation', t('f.affiliation'), affiliation),
  ], t('btn.register'), async () => {
    const c = code.value.trim();
    await ctx.api('PUT', `/v1/universities/${encodeURIComponent(c || '-')}`, { body: { name: name.value.trim(), ownership: ownership.value, affiliation: affiliation.value } });
    ctx.go(`#/universities/${encodeURIComponent(c)}`);
  });
}
