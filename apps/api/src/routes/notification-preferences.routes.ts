import { Router } from 'express';
import type { AppDeps } from '../deps';
import { getNotificationPreferencesHandler } from '../handlers/get-notification-preferences.handler';
import { putNotificationPreferencesHandler } from '../handlers/put-notification-preferences.handler';
import { route } from '../http/handler';

/** The trader's own notification preferences, mounted at `/v1/notification-preferences` behind authentication. */
export function notificationPreferencesRouter(deps: AppDeps): Router {
  const router = Router();
  router.get('/', route(deps, getNotificationPreferencesHandler));
  router.put('/', route(deps, putNotificationPreferencesHandler));
  return router;
}
