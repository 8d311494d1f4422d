// Acting on a payout - approve, reject with a reason, mark paid - as the
// payouts list and a payout's own page both do. The API decides (four
// eyes, the budget); what it refuses is the caller's to show.
import { t } from '../i18n.js';
import { idempotencyKey } from '../api.js';
import { confirmDialog } from './ui.js';

// payoutAction posts verb (approve, reject, paid) on payout p under a
// fresh Idempotency-Key and returns the payout as it now is.
export function payoutAction(ctx, p, verb, body) {
  return ctx.api('POST', `/v1/payouts/${p.id}/${verb}`, { body, headers: { 'Idempotency-Key': idempotencyKey() } });
}

// rejectDialog asks for the reason in a dialog (text, if given, says which
// payout) and rejects p with it; onDone(updated) follows the rejection. A
// refusal stays in the dialog, at its field.
export function rejectDialog(ctx, p, onDone, text) {
  return confirmDialog({
    title: t('payouts.reject_title', p.id), text, fieldLabel: t('payouts.reason'), fieldPath: 'reason', confirmLabel: t('btn.reject'), danger: true,
    onConfirm: async (reason) => onDone(await payoutAction(ctx, p, 'reject', { reason })),
  });
}
