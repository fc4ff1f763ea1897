import { handleHealthRequest } from '@execn/observability';
import { Router } from 'express';
import type { AppDeps } from '../deps';

const READY_TIMEOUT_MS = 2_000;

/** Resolves false instead of waiting forever (an ioredis client queues commands while Redis is down). */
async function within(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz`, `/readyz` (PostgreSQL and Redis answer) and `/metrics`, unauthenticated. */
export function healthRouter(deps: AppDeps): Router {
  const router = Router();
  const checks = {
    live: () => deps.isLive?.() ?? true,
    ready: async () => {
      const [pg, redis] = await Promise.all([
        within(READY_TIMEOUT_MS, () => deps.db.ping()),
        within(READY_TIMEOUT_MS, async () => (await deps.redis.ping()) === 'PONG'),
      ]);
      return pg && redis;
    },
  };
  router.get(['/healthz', '/readyz', '/metrics'], async (req, res) => {
    const { status, type, body } = await handleHealthRequest(req.path, deps.metrics.registry, checks);
    res.status(status).type(type).send(body);
  });
  return router;
}
