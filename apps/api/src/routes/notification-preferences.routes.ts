import { getNotificationPreferencesHandler } from '../handlers/get-notification-preferences.handler';
import { putNotificationPreferencesHandler } from '../handlers/put-notification-preferences.handler';
import type { RouteGroup } from '../http/api-route';
import { notificationPreferencesSchema } from '@execn/contracts';
import { putNotificationPreferencesBodySchema } from '../schemas/notification-preferences.schemas';

/** The trader's own notification preferences. Each entry is the route and its OpenAPI operation. */
export const notificationPreferencesRoutes: RouteGroup = {
  mount: '/v1/notification-preferences',
  access: 'trader',
  tag: 'notification preferences',
  routes: [
    { method: 'get', path: '/', handler: getNotificationPreferencesHandler, doc: { summary: "The caller's notification preferences", response: notificationPreferencesSchema } },
    { method: 'put', path: '/', handler: putNotificationPreferencesHandler, doc: { summary: "Set the caller's mail preference (applies to reports committed after it; audited when it changes)", body: putNotificationPreferencesBodySchema, response: notificationPreferencesSchema, errors: ['validation_error', 'unknown_account'] } },
  ],
};
