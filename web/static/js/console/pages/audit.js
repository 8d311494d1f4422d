// 审计记录: every write, who made it and when, with the record before and
// after, oldest first, filtered by what was changed or by which key.
import { h, replace } from '../../dom.js';
import { t } from '../../i18n.js';
import { dateTime, label } from '../../format.js';
import { heading, table, field, input, select, moreButton } from '../ui.js';

const ENTITIES = ['enterprise', 'certification', 'credit_year', 'university', 'donation', 'payout', 'payout_run', 'credit_verification', 'api_key', 'registry', 'application', 'attachment', 'budget'];

export async function render(ctx) {
  const q = ctx.query;
  ctx.root.append(heading(ctx, t('nav.audit')));
  const entity = select([['', t('payouts.any')], ...ENTITIES.map((e) => [e, label('entity', e)])], q.get('entity') || '');
  const entityID = input({ value: q.get('entity_id') || '', class: 'mono' });
  const keyID = input({ value: q.get('key_id') || '', class: 'mono' });
  const f = h('form', { class: 'card filters', role: 'search' },
    field('entity', t('audit.entity'), entity), field('entity_id', t('audit.entity_id'), entityID), field('key_id', t('audit.key_id'), keyID),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('btn.filter'))));
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const [k, el] of [['entity', entity], ['entity_id', entityID], ['key_id', keyID]]) if (el.value.trim()) p.set(k, el.value.trim());
    ctx.go(`#/audit${p.size ? `?${p}` : ''}`);
  });
  const section = h('section');
  ctx.root.append(f, section);
  const entries = [];
  const load = async (after = 0) => {
    const p = new URLSearchParams({ limit: '100' });
    for (const k of ['entity', 'entity_id', 'key_id']) if (q.get(k)) p.set(k, q.get(k));
    if (after) p.set('after', String(after));
    const page = await ctx.api('GET', `/v1/audit?${p}`);
    if (!ctx.alive()) return;
    entries.push(...page.entries);
    const json = (v) => (v == null ? '' : JSON.stringify(v, null, 2));
    replace(section, table(t('nav.audit'), [
      { label: '#', num: true, cell: (e) => String(e.id) },
      { label: t('audit.at'), cell: (e) => dateTime(e.at) },
      { label: t('audit.key_id'), cell: (e) => [h('span', { class: 'mono' }, e.key_id), h('br'), label('role', e.role)] },
      { label: t('audit.action'), cell: (e) => label('action', e.action) },
      { label: t('audit.entity'), cell: (e) => [label('entity', e.entity), ' ', h('span', { class: 'mono' }, e.entity_id)] },
      { label: t('audit.change'), cell: (e) => h('details', null, h('summary', null, t('audit.show')),
        e.before ? [h('p', null, t('audit.before')), h('pre', null, json(e.before))] : null,
        e.after ? [h('p', null, t('audit.after')), h('pre', null, json(e.after))] : null) },
    ], entries, { empty: t('audit.none') }),
    moreButton(page.next_after, load));
  };
  await load();
}
