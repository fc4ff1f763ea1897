import { Router } from 'express';
import type { AppDeps } from '../deps';
import { getOutboxEventHandler } from '../handlers/get-outbox-event.handler';
import { getOutboxStatsHandler } from '../handlers/get-outbox-stats.handler';
import { listOutboxEventsHandler } from '../handlers/list-outbox-events.handler';
import { requeueOutboxEventHandler } from '../handlers/requeue-outbox-event.handler';
import { requeueOutboxEventsHandler } from '../handlers/requeue-outbox-events.handler';
import { route } from '../http/handler';

/** The outbox as admins see and repair it, mounted at `/admin/outbox` behind the admin role. */
export function adminOutboxRouter(deps: AppDeps): Router {
  const router = Router();
  router.get('/', route(deps, listOutboxEventsHandler));
  // The literal paths come before `/:id`, which would otherwise take "stats" and "requeue" as ids.
  router.get('/stats', route(deps, getOutboxStatsHandler));
  router.post('/requeue', route(deps, requeueOutboxEventsHandler));
  router.get('/:id', route(deps, getOutboxEventHandler));
  router.post('/:id/requeue', route(deps, requeueOutboxEventHandler));
  return router;
}
