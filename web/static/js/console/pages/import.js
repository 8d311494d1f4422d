// 认定名单导入: a certification list as 发改委 and 教育局 publish it (CSV, UTF-8
// or GBK), applied whole or refused with every bad line in a table.
import { h, replace } from '../../dom.js';
import { t } from '../../i18n.js';
import { ApiError, idempotencyKey } from '../../api.js';
import { heading, table, field, input, select, notice } from '../ui.js';

export async function render(ctx) {
  ctx.root.append(heading(ctx, t('nav.import')), h('p', { class: 'lede' }, t('import.lede')));
  const file = h('input', { type: 'file', accept: '.csv,text/csv' });
  const text = h('textarea', { rows: 8, spellcheck: 'false', class: 'mono' });
  const level = select([['', t('import.level_in_list')], ...['city', 'province', 'national'].map((l) => [l, t(`level.${l}`)])], '');
  const on = input({ type: 'date' });
  const result = h('section', { 'aria-live': 'polite' });
  const button = h('button', { type: 'submit' }, t('import.submit'));
  const f = h('form', { class: 'card form', novalidate: true },
    field('file', t('import.file'), file, { hint: t('import.file_hint') }),
    field('text', t('import.text'), text, { hint: t('import.text_hint') }),
    field('level', t('f.level'), level), field('certified_on', t('f.certified_on'), on, { hint: t('import.date_hint') }),
    h('div', { class: 'actions' }, button));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = file.files[0] || text.value;
    if (!body || (typeof body === 'string' && !body.trim())) {
      replace(result, notice(t('import.nothing'), 'bad'));
      return;
    }
    const params = new URLSearchParams();
    if (level.value) params.set('level', level.value);
    if (on.value) params.set('certified_on', on.value);
    button.disabled = true;
    try {
      const sum = await ctx.api('POST', `/v1/certifications/import${params.size ? `?${params}` : ''}`, {
        body, contentType: 'text/csv', headers: { 'Idempotency-Key': idempotencyKey() },
      });
      replace(result, notice(t('import.done'), 'ok'), table(t('import.summary'), [
        { label: t('import.rows'), num: true, cell: (s) => String(s.rows) },
        { label: t('import.enterprises_created'), num: true, cell: (s) => String(s.enterprises_created) },
        { label: t('import.certifications_created'), num: true, cell: (s) => String(s.certifications_created) },
        { label: t('import.duplicates'), num: true, cell: (s) => String(s.duplicates) },
      ], [sum]));
    } catch (e) {
      if (!(e instanceof ApiError) || e.status === 401) throw e;
      // errors[].field is lines[N].<the list's own column header>.
      const rows = e.problem.errors.map((er) => {
        const m = /^lines\[(\d+)\]\.?(.*)$/.exec(er.field);
        return { line: m ? m[1] : '', column: m ? m[2] : er.field, message: er.message };
      });
      replace(result, notice(`${e.message}${e.problem.errors_omitted ? ` ${t('error.omitted', e.problem.errors_omitted)}` : ''}`, 'bad'),
        table(t('import.rejected'), [
          { label: t('import.line'), num: true, cell: (r) => r.line },
          { label: t('import.column'), cell: (r) => r.column },
          { label: t('import.problem'), cell: (r) => r.message },
        ], rows, { empty: '' }));
    } finally {
      button.disabled = false;
    }
  });
  ctx.root.append(f, result);
}
