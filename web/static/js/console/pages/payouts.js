// 补助发放: the payouts, filtered; approve, reject with a reason, approve
// several at once, mark paid, export the transfer list (one payer's or
// every payer's, CSV or XLSX). Four eyes is the API's to enforce: every
// button is offered, and its refusal (403: the clerk may not approve, the
// approver may not mark paid; 409: a budget exceeded, a payout changed
// meanwhile) is shown in words beside the payout it concerns. Enterprise
// and university keys see their own payouts here, with their history and
// without the actions.
import { h, replace } from '../../dom.js';
import { t } from '../../i18n.js';
import { ApiError } from '../../api.js';
import { yuan, sumFen, date, dateTime, status, label, bureau, payerName } from '../../format.js';
import { heading, table, field, input, select, regionSelect, notice, download, moreButton } from '../ui.js';
import { payoutAction, rejectDialog } from '../payoutactions.js';

const STATUSES = ['pending', 'approved', 'paid', 'rejected'];
const RULES = ['cert-grant', 'donation-match'];

export async function render(ctx) {
  const staff = ctx.me.role === 'finance' || ctx.me.role === 'admin';
  const q = ctx.query;
  ctx.root.append(heading(ctx, t('nav.payouts')));
  const message = h('div', { 'aria-live': 'polite' });
  if (staff) ctx.root.append(filters(ctx), message);
  const section = h('section');
  ctx.root.append(section);

  const payouts = [];
  let next = 0;
  const selected = new Set();
  const notes = new Map(); // payout id → refusal or outcome

  const load = async (after = 0) => {
    const params = new URLSearchParams();
    for (const k of ['status', 'rule', 'payer', 'subject', 'run']) if (q.get(k)) params.set(k, q.get(k));
    params.set('limit', '100');
    if (after) params.set('after', String(after));
    const page = await ctx.api('GET', `/v1/payouts?${params}`);
    if (!ctx.alive()) return;
    payouts.push(...page.payouts);
    next = page.next_after;
    draw();
  };

  const act = async (p, verb, body) => {
    try {
      Object.assign(p, await payoutAction(ctx, p, verb, body));
      notes.set(p.id, { ok: true, text: t(`payouts.done_${verb}`) });
      return true;
    } catch (e) {
      if (!(e instanceof ApiError) || e.status === 401) throw e;
      notes.set(p.id, { ok: false, text: e.message });
      return false;
    }
  };

  const reject = async (p) => {
    await rejectDialog(ctx, p, (updated) => {
      Object.assign(p, updated);
      notes.set(p.id, { ok: true, text: t('payouts.done_reject') });
    }, `${p.subject_name} ${p.subject} · ${yuan(p.amount)}`);
    draw();
  };

  const approveSelected = async () => {
    const chosen = payouts.filter((p) => selected.has(p.id));
    let done = 0;
    for (const p of chosen) if (await act(p, 'approve')) done += 1;
    selected.clear();
    replace(message, notice(t('payouts.bulk_done', done, chosen.length - done), done === chosen.length ? 'ok' : 'bad'));
    draw();
  };

  function draw() {
    const total = sumFen(payouts, (p) => p.amount);
    const columns = [];
    if (staff) {
      columns.push({
        label: h('span', { class: 'visually-hidden' }, t('payouts.select')),
        cell: (p) => h('input', {
          type: 'checkbox', checked: selected.has(p.id), disabled: p.status !== 'pending', 'aria-label': t('payouts.select_one', p.id),
          onchange: (ev) => { ev.target.checked ? selected.add(p.id) : selected.delete(p.id); bulk.disabled = !selected.size; bulk.textContent = t('payouts.approve_selected', selected.size); },
        }),
      });
    }
    columns.push(
      { label: t('payouts.id'), cell: (p) => h('a', { href: `#/payouts/${p.id}` }, `#${p.id}`) },
      { label: t('payouts.subject'), cell: (p) => h('span', null, h('span', { class: 'subject-name' }, p.subject_name), h('br'), h('span', { class: 'mono hint' }, p.subject)) },
      { label: t('payouts.rule'), cell: (p) => [label('rule', p.rule), h('br'), h('span', { class: 'hint' }, p.level ? label('level', p.level) : t('payouts.grant_year', p.grant_year))] },
      { label: t('payout.payer'), cell: (p) => payerName(p.payer) },
      { label: t('payouts.amount'), amount: true, cell: (p) => yuan(p.amount) },
      { label: t('runs.status'), cell: (p) => status(p.status) },
      staff ? { label: t('payouts.created'), cell: (p) => date(p.created_at.slice(0, 10)) } : { label: t('payouts.history'), cell: history },
    );
    if (staff) {
      columns.push({
        label: t('payouts.actions'),
        cell: (p) => h('td', null,
          p.status === 'pending' ? [
            h('button', { type: 'button', class: 'secondary', onclick: async () => { await act(p, 'approve'); draw(); } }, t('btn.approve')), ' ',
            h('button', { type: 'button', class: 'secondary', onclick: () => reject(p) }, t('btn.reject'))] : null,
          p.status === 'approved' ? h('button', { type: 'button', class: 'secondary', onclick: async () => { await act(p, 'paid'); draw(); } }, t('btn.paid')) : null,
          notes.has(p.id) ? h('p', { class: notes.get(p.id).ok ? 'field-ok' : 'note', role: 'status' }, notes.get(p.id).text) : null),
      });
    }
    const foot = columns.map(() => '');
    foot[0] = t('payouts.total', payouts.length);
    foot[columns.findIndex((c) => c.amount)] = yuan(total);
    const bulk = h('button', { type: 'button', disabled: !selected.size, onclick: approveSelected }, t('payouts.approve_selected', selected.size));
    replace(section,
      staff ? h('div', { class: 'actions' }, bulk) : null,
      table(t('nav.payouts'), columns, payouts, { foot, empty: t('payouts.none'), rowAttrs: (p) => ({ 'data-payout': p.id }) }),
      moreButton(next, load));
  }

  await load();
}

// history is a payout's course as the API gives it: recorded, approved,
// paid or rejected (with the reason), each with its time.
function history(p) {
  const steps = [
    [t('payouts.created'), p.created_at],
    [label('status', 'approved'), p.approved_at],
    [label('status', 'paid'), p.paid_at],
    [label('status', 'rejected'), p.rejected_at],
  ].filter(([, at]) => at);
  return h('ol', { class: 'steps' }, steps.map(([what, at]) => h('li', null, `${what} ${dateTime(at)}`)),
    p.reason ? h('li', null, `${t('payouts.reason')}：${p.reason}`) : null);
}

// filters is the filter form: its values go to the hash's query, so a
// filtered list can be bookmarked; export takes the payer and status.
function filters(ctx) {
  const q = ctx.query;
  const st = select([['', t('payouts.any')], ...STATUSES.map((s) => [s, label('status', s)])], q.get('status') || '');
  const rule = select([['', t('payouts.any')], ...RULES.map((r) => [r, label('rule', r)])], q.get('rule') || '');
  const payer = regionSelect(q.get('payer') || '', { any: t('payouts.any'), payer: true });
  const subject = input({ value: q.get('subject') || '', class: 'mono' });
  const run = input({ value: q.get('run') || '', inputmode: 'numeric', class: 'num' });
  const exportNote = h('div', { 'aria-live': 'polite' });
  const f = h('form', { class: 'card filters', role: 'search' },
    field('status', t('runs.status'), st), field('rule', t('payouts.rule'), rule), field('payer', t('payout.payer'), payer),
    field('subject', t('payouts.subject_code'), subject), field('run', t('payouts.run'), run),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('btn.filter')),
      h('button', { type: 'button', class: 'secondary', onclick: () => exportList('xlsx') }, t('payouts.export_xlsx')),
      h('button', { type: 'button', class: 'secondary', onclick: () => exportList('csv') }, t('payouts.export_csv'))),
    h('p', { class: 'hint export-hint' }, t('payouts.export_hint')),
    exportNote);
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const [k, el] of [['status', st], ['rule', rule], ['payer', payer], ['subject', subject], ['run', run]]) if (el.value.trim()) p.set(k, el.value.trim());
    ctx.go(`#/payouts${p.size ? `?${p}` : ''}`);
  });
  // The transfer list of the payer chosen (every payer when none is),
  // fetched with the key in its header and saved from the Blob.
  async function exportList(format) {
    const s = st.value || 'approved';
    const params = new URLSearchParams({ format, status: s });
    if (payer.value) params.set('payer', payer.value);
    const who = payer.value ? bureau(payer.value) : t('payouts.all_payers');
    try {
      const resp = await ctx.api('GET', `/v1/payouts/export?${params}`, { raw: true });
      await download(resp, `payouts-${payer.value || 'all'}-${s}.${format}`);
      replace(exportNote, notice(t('payouts.exported', who, label('status', s), format.toUpperCase()), 'ok'));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      replace(exportNote, notice(e.message, 'bad'));
    }
  }
  return f;
}
