import { handleHealthRequest } from '@execn/observability';
import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps';

/** The unauthenticated operations routes, also read by the OpenAPI document. */
export const HEALTH_PATHS = [
  { path: '/healthz', summary: 'Alive and making progress (503 `stalled` when not)', contentType: 'application/json', schema: z.object({ status: z.enum(['ok', 'stalled']) }) },
  { path: '/readyz', summary: 'PostgreSQL and Redis answer (503 `not_ready` when not)', contentType: 'application/json', schema: z.object({ status: z.enum(['ready', 'not_ready']) }) },
  { path: '/metrics', summary: 'Prometheus metrics (text exposition format)', contentType: 'text/plain', schema: z.string() },
] as const;

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
  router.get(
    HEALTH_PATHS.map((h) => h.path),
    async (req, res) => {
      const { status, type, body } = await handleHealthRequest(req.path, deps.metrics.registry, checks);
      res.status(status).type(type).send(body);
    },
  );
  return router;
}
