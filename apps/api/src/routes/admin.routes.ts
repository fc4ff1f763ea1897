import { Router } from 'express';
import type { AppDeps } from '../deps';
import { createAccountHandler } from '../handlers/create-account.handler';
import { createInstrumentHandler } from '../handlers/create-instrument.handler';
import { getAccountNotificationPreferencesHandler } from '../handlers/get-account-notification-preferences.handler';
import { listAuditHandler } from '../handlers/list-audit.handler';
import { updateInstrumentHandler } from '../handlers/update-instrument.handler';
import { route } from '../http/handler';

/** Admin accounts (and their notification preferences, read only), instruments and the audit log, mounted at `/admin` behind the admin role. */
export function adminRouter(deps: AppDeps): Router {
  const router = Router();
  router.post('/accounts', route(deps, createAccountHandler));
  router.get('/accounts/:id/notification-preferences', route(deps, getAccountNotificationPreferencesHandler));
  router.post('/instruments', route(deps, createInstrumentHandler));
  router.patch('/instruments/:symbol', route(deps, updateInstrumentHandler));
  router.get('/audit', route(deps, listAuditHandler));
  return router;
}
