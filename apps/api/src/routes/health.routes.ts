import { handleHealthRequest } from '@execn/observability';
import { Router } from 'express';
import type { AppDeps } from '../deps';

/** `/healthz`, `/readyz` (PostgreSQL and Redis answer) and `/metrics`, unauthenticated. */
export function healthRouter(deps: AppDeps): Router {
  const router = Router();
  const checks = {
    live: () => deps.isLive?.() ?? true,
    ready: async () => {
      // Both at once; handleHealthRequest bounds the wait.
      const [pg, redis] = await Promise.all([deps.db.ping(), deps.redis.ping().then((r) => r === 'PONG', () => false)]);
      return pg && redis;
    },
  };
  router.get(['/healthz', '/readyz', '/metrics'], async (req, res) => {
    const { status, type, body } = await handleHealthRequest(req.path, deps.metrics.registry, checks);
    res.status(status).type(type).send(body);
  });
  return router;
}
