// 发放批次: start a payout run (免申即享), watch its progress, list past runs.
// A run is a job of the server's: this page may be left and the run found
// again in the list (#/runs/{id}).
import { h, replace } from '../../dom.js';
import { t } from '../../i18n.js';
import { requestKeys, ApiError } from '../../api.js';
import { money, date, dateTime, status, label, yuan, sumFen } from '../../format.js';
import { heading, table, form, field, input, notice, moreButton, ruleChoice } from '../ui.js';

const RULES = ['cert-grant', 'donation-match'];

export async function render(ctx) {
  if (ctx.params.id) return watch(ctx, ctx.params.id);
  ctx.root.append(heading(ctx, t('nav.runs')), h('p', { class: 'lede' }, t('runs.lede')));
  // One Idempotency-Key per run asked for: a retry after a lost answer
  // replays it rather than starting a second run.
  const keys = requestKeys();
  const asOf = input({ type: 'date' });
  const year = input({ inputmode: 'numeric', maxlength: 4, class: 'num' });
  const rules = ruleChoice(RULES);
  const start = form([
    h('h2', null, t('runs.start')),
    field('as_of', t('f.as_of'), asOf, { hint: t('runs.as_of_hint') }),
    field('grant_year', t('f.grant_year'), year, { hint: t('runs.grant_year_hint') }),
    rules.el,
  ], t('runs.start_button'), async () => {
    const chosen = rules.chosen();
    if (!chosen) return;
    const body = {};
    if (asOf.value) body.as_of = asOf.value;
    if (year.value.trim()) body.grant_year = /^\d+$/.test(year.value.trim()) ? Number(year.value.trim()) : year.value.trim();
    body.rules = chosen;
    const run = await ctx.api('POST', '/v1/payout-runs', { body, headers: { Prefer: 'respond-async', 'Idempotency-Key': keys.for(body) } });
    keys.done();
    ctx.go(`#/runs/${run.id}`);
  });
  const list = h('section', null, h('h2', null, t('runs.past')));
  ctx.root.append(start, list);
  await listRuns(ctx, list);
}

// listRuns lists the past runs, 20 more at a time, in one table whose
// total row counts what every run listed recorded.
async function listRuns(ctx, section) {
  const runs = [];
  const load = async (after = '') => {
    const page = await ctx.api('GET', `/v1/payout-runs?limit=20${after ? `&after=${after}` : ''}`);
    if (!ctx.alive()) return;
    runs.push(...page.runs);
    const foot = [t('table.total'), '', '', '', '', '', '',
      String(runs.reduce((n, r) => n + r.created_count, 0)), yuan(sumFen(runs, (r) => r.created_total))];
    replace(section, h('h2', null, t('runs.past')), table(null, [
      { label: t('runs.id'), cell: (r) => h('a', { href: `#/runs/${r.id}` }, `#${r.id}`) },
      { label: t('runs.started'), cell: (r) => dateTime(r.started_at) },
      { label: t('f.as_of'), cell: (r) => date(r.as_of) },
      { label: t('f.grant_year'), cell: (r) => (r.grant_year ? String(r.grant_year) : '') },
      { label: t('runs.rules'), cell: (r) => r.rules.map((x) => label('rule', x)).join('、') },
      { label: t('runs.status'), cell: (r) => status(r.status, 'run') },
      { label: t('runs.screened'), num: true, cell: (r) => `${r.screened} / ${r.total}` },
      { label: t('runs.created'), num: true, cell: (r) => String(r.created_count) },
      { label: t('runs.created_total'), amount: true, cell: (r) => yuan(r.created_total) },
    ], runs, { empty: t('runs.none'), foot }), moreButton(page.next_after, load));
  };
  await load();
}

// watch shows one run, polling it while it runs.
async function watch(ctx, id) {
  ctx.root.append(heading(ctx, t('runs.one', id)), h('p', null, h('a', { href: '#/runs' }, t('runs.back'))));
  const box = h('section', { class: 'card', 'aria-live': 'polite' });
  ctx.root.append(box);
  let timer = 0;
  ctx.onLeave(() => clearTimeout(timer));
  const show = (run) => {
    const bar = h('progress', { max: Math.max(run.total, 1), value: run.status === 'running' ? run.screened : Math.max(run.total, 1), 'aria-label': t('runs.progress') });
    replace(box,
      h('p', null, status(run.status, 'run'), ' ', t('runs.screened_of', run.screened, run.total)),
      bar,
      h('dl', { class: 'meta' },
        h('dt', null, t('runs.started')), h('dd', null, dateTime(run.started_at)),
        run.finished_at ? [h('dt', null, t('runs.finished')), h('dd', null, dateTime(run.finished_at))] : null,
        h('dt', null, t('f.as_of')), h('dd', null, date(run.as_of)),
        h('dt', null, t('f.grant_year')), h('dd', null, String(run.grant_year || '')),
        h('dt', null, t('runs.rules')), h('dd', null, run.rules.map((x) => label('rule', x)).join('、')),
        h('dt', null, t('runs.created')), h('dd', null, String(run.created_count)),
        h('dt', null, t('runs.created_total')), h('dd', null, money(run.created_total)),
        h('dt', null, t('results.ruleset')), h('dd', null, `${run.ruleset_version} ${run.ruleset_digest}`)),
      run.status === 'completed' ? h('p', null, h('a', { href: `#/payouts?run=${run.id}&status=pending` }, t('runs.review', run.created_count))) : null,
      run.status === 'interrupted' || run.status === 'failed' ? notice(t(`runs.${run.status}_note`), 'bad') : null);
  };
  const poll = async () => {
    const run = await ctx.api('GET', `/v1/payout-runs/${encodeURIComponent(id)}`);
    if (!ctx.alive()) return;
    show(run);
    if (run.status === 'running') timer = setTimeout(again, 500);
  };
  // A failed poll says so and tries again: the run goes on without us.
  const again = () => poll().catch((e) => {
    if (!(e instanceof ApiError) || e.status === 401 || !ctx.alive()) return;
    box.append(notice(`${t('runs.poll_failed')} ${e.message}`, 'bad'));
    timer = setTimeout(again, 2000);
  });
  await poll();
}
