// 密钥: an administrator creates keys (the secret is shown this once and
// never again), lists them and revokes them.
import { h, replace } from '../../dom.js';
import { t } from '../../i18n.js';
import { ApiError } from '../../api.js';
import { dateTime, label } from '../../format.js';
import { heading, table, form, field, input, select, notice, confirmDialog } from '../ui.js';

const ROLES = ['admin', 'finance', 'tax', 'enterprise', 'university'];

export async function render(ctx) {
  ctx.root.append(heading(ctx, t('nav.keys')));
  const secretBox = h('div', { 'aria-live': 'polite' });
  const list = h('section');
  ctx.onLeave(() => replace(secretBox)); // the secret goes with the page

  const role = select(ROLES.map((r) => [r, label('role', r)]), 'finance');
  const subject = input({ class: 'mono', maxlength: 64 });
  const subjectField = field('subject', t('keys.subject'), subject, { hint: t('keys.subject_hint') });
  const keyLabel = input({ maxlength: 200 });
  const showSubject = () => { subjectField.hidden = !['enterprise', 'university'].includes(role.value); };
  role.addEventListener('change', showSubject);
  showSubject();
  const create = form([h('h2', null, t('keys.create')),
    field('role', t('keys.role'), role), subjectField, field('label', t('keys.label'), keyLabel, { hint: t('keys.label_hint') }),
  ], t('keys.create_button'), async () => {
    const body = { role: role.value, label: keyLabel.value.trim() };
    if (!subjectField.hidden) body.subject = subject.value.trim();
    if (!body.label) delete body.label;
    const key = await ctx.api('POST', '/v1/keys', { body });
    const secret = h('input', { readonly: true, value: key.secret, class: 'mono secret', id: 'new-secret', 'aria-describedby': 'new-secret-hint' });
    const copied = h('span', { role: 'status' });
    replace(secretBox, h('section', { class: 'card' },
      h('h2', null, t('keys.created', label('role', key.role))),
      h('label', { for: 'new-secret' }, t('keys.secret')), secret,
      h('p', { class: 'notice bad', id: 'new-secret-hint' }, t('keys.secret_once')),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: async () => {
        secret.select();
        try { await navigator.clipboard.writeText(key.secret); copied.textContent = t('keys.copied'); } catch { copied.textContent = t('keys.copy_by_hand'); }
      } }, t('keys.copy')), copied)));
    subject.value = '';
    keyLabel.value = '';
    secret.focus();
    secret.select();
    await draw();
  });

  const draw = async () => {
    const { keys } = await ctx.api('GET', '/v1/keys');
    if (!ctx.alive()) return;
    replace(list, table(t('keys.list'), [
      { label: t('keys.id'), cell: (k) => h('span', { class: 'mono' }, k.id) },
      { label: t('keys.role'), cell: (k) => label('role', k.role) },
      { label: t('keys.subject'), cell: (k) => h('span', { class: 'mono' }, k.subject || '') },
      { label: t('keys.label'), cell: (k) => k.label || '' },
      { label: t('keys.created_at'), cell: (k) => dateTime(k.created_at) },
      { label: t('runs.status'), cell: (k) => (k.revoked_at ? [label('key', 'revoked'), ' ', dateTime(k.revoked_at)] : label('key', 'active')) },
      { label: t('payouts.actions'), cell: (k) => (k.revoked_at ? '' : h('button', { type: 'button', class: 'secondary', onclick: () => revoke(k) }, t('keys.revoke'))) },
    ], keys));
  };
  const revoke = async (k) => {
    const own = k.id === ctx.me.key_id;
    const done = await confirmDialog({
      title: t('keys.revoke_title', k.id), text: own ? t('keys.revoke_own') : t('keys.revoke_text'), confirmLabel: t('keys.revoke'), danger: true,
      onConfirm: () => ctx.api('POST', `/v1/keys/${encodeURIComponent(k.id)}/revoke`),
    }).catch((e) => { if (e instanceof ApiError) return null; throw e; });
    if (done && !own) {
      await draw();
      list.prepend(notice(t('keys.revoked', k.id), 'ok'));
    }
  };
  ctx.root.append(h('div', { class: 'layout' }, create, secretBox), list);
  await draw();
}
