import { recordAudit } from '@execn/audit';
import { setMailPreference } from '@execn/notifications';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';
import { putNotificationPreferencesBodySchema } from '../schemas/notification-preferences.schemas';

/**
 * `PUT /v1/notification-preferences` `{mail}` → 200 `{mail}`; 400 `validation_error` naming `mail` (nothing
 * written); 403 `unknown_account`. Applies to the reports committed after it. A change is audited (actor: the
 * trader), in the same transaction; a PUT of the preference already set changes nothing and writes no entry.
 */
export const putNotificationPreferencesHandler: Handler = async ({ deps, principal, body }) => {
  const input = parseInput(putNotificationPreferencesBodySchema, body);
  const accountId = principal.accountId;
  await deps.db.sql.begin(async (tx) => {
    const change = await setMailPreference(tx, accountId, input.mail);
    if (change.previous === change.mail) return;
    await recordAudit(tx, {
      actor: accountId,
      action: 'notification_preferences.update',
      target: `account:${accountId}`,
      params: { mail: change.mail, previous: change.previous },
    });
  });
  return { status: 200, body: { mail: input.mail } };
};
