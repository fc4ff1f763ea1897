import express, { type Express, type RequestHandler } from 'express';
import { securityHeaders } from '@execn/observability';
import { createTraderPageRouter } from '@execn/trader-page';
import { BULL_BOARD_PATH, createBullBoardRouter } from './admin/bull-board';
import { observeQueueDepths } from './admin/queue-metrics';
import type { AppDeps } from './deps';
import { authenticate, requireRole, TokenVerifier } from './middleware/authenticate';
import { OrderRateLimiter, refuseOverOrderRateEarly } from './middleware/order-rate-limit';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { mountedAt, requestLog } from './middleware/request-log';
import { adminOutboxRouter } from './routes/admin-outbox.routes';
import { adminRouter } from './routes/admin.routes';
import { executionReportsRouter } from './routes/execution-reports.routes';
import { healthRouter } from './routes/health.routes';
import { ordersRouter } from './routes/orders.routes';

/** Largest accepted request body (CONTRACT section 5): bigger is 413 `payload_too_large`. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The api's Express app, without listening: `main.ts` listens, tests listen on
 * port 0. One router per area, each mounted here with its guard; a new area
 * (admin outbox, Bull Board) is one more `mount` line before the 404.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLog(deps.log, deps.metrics.registry));
  // Every response, errors and 404s included; the trader page and Bull Board widen the CSP on their own routes.
  app.use(securityHeaders());
  const tokens = new TokenVerifier(deps.jwtSecret);
  const orderRate = deps.orderRateLimitPerSecond === undefined ? undefined : new OrderRateLimiter(deps.orderRateLimitPerSecond);
  // Before the body is read: a flood's refusals must stay cheap.
  if (orderRate) app.use(refuseOverOrderRateEarly(orderRate, tokens));
  app.use(healthRouter(deps));
  app.use(express.json({ limit: BODY_LIMIT_BYTES }));

  // Every mount through here, so the metrics' route label knows its pattern.
  const mount = (pattern: string, ...handlers: RequestHandler[]) => app.use(pattern, mountedAt(pattern), ...handlers);
  const trader = authenticate(tokens);
  mount('/v1/orders', trader, ordersRouter(deps, orderRate));
  mount('/v1/execution-reports', trader, executionReportsRouter(deps));
  if (deps.queues) {
    const queues = [deps.queues.outbox, deps.queues.mail];
    observeQueueDepths(deps.metrics.registry, queues, deps.log);
    // Before `/admin`: the dashboard takes Basic credentials as well as an admin token.
    mount(BULL_BOARD_PATH, createBullBoardRouter({ queues, credentials: deps.bullBoard, jwtSecret: deps.jwtSecret, sql: deps.db.sql, log: deps.log }));
  }
  mount('/admin/outbox', trader, requireRole('admin'), adminOutboxRouter(deps));
  mount('/admin', trader, requireRole('admin'), adminRouter(deps));

  if (deps.traderPage) app.use(createTraderPageRouter(deps.traderPage));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}
