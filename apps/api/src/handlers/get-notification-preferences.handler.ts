import { DEFAULT_MAIL_PREFERENCE } from '@execn/contracts';
import { getNotificationPreferences } from '@execn/notifications';
import type { Handler } from '../http/handler';

/** `GET /v1/notification-preferences` → `{mail}`; an account that never chose has the default, `every_report`. */
export const getNotificationPreferencesHandler: Handler = async ({ deps, principal }) => {
  const prefs = await getNotificationPreferences(deps.db.sql, principal.accountId);
  return { status: 200, body: prefs ?? { mail: DEFAULT_MAIL_PREFERENCE } };
};
