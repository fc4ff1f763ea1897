import { ApiError } from '@execn/contracts';
import { getNotificationPreferences } from '@execn/notifications';
import type { Handler } from '../http/handler';
import { parseInput } from '../http/validate';
import { accountIdParamsSchema } from '../schemas/admin.schemas';

/** `GET /admin/accounts/:id/notification-preferences` → `{mail}` of that account; 404 unknown account. */
export const getAccountNotificationPreferencesHandler: Handler = async ({ deps, params }) => {
  const { id } = parseInput(accountIdParamsSchema, params);
  const prefs = await getNotificationPreferences(deps.db.sql, id);
  if (!prefs) throw new ApiError(404, 'not_found', `Account ${id} not found`);
  return { status: 200, body: prefs };
};
