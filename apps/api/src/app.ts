import express, { type Express, type RequestHandler } from 'express';
import { securityHeaders } from '@execn/observability';
import { createTraderPageRouter } from '@execn/trader-page';
import { BULL_BOARD_PATH, createBullBoardRouter } from './admin/bull-board';
import { observeQueueDepths } from './admin/queue-metrics';
import type { AppDeps } from './deps';
import { authenticate, requireRole, TokenVerifier } from './middleware/authenticate';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { OrderRateLimiter, refuseOverOrderRateEarly } from './middleware/order-rate-limit';
import { mountedAt, requestLog } from './middleware/request-log';
import { groupRouter } from './http/api-route';
import { apiDocument } from './openapi/api-document';
import { referencePageRouter } from './openapi/reference-page';
import { healthRouter } from './routes/health.routes';
import { ROUTE_GROUPS } from './routes/route-groups';

/** Largest accepted request body (CONTRACT section 5): bigger is 413 `payload_too_large`. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The api's Express app, without listening: `main.ts` listens, tests listen on
 * port 0. The REST route groups (`ROUTE_GROUPS`: a new route is one entry
 * there, served and documented at once) are mounted in order with their
 * group's guard; Bull Board before them, since its `/admin/queues` also takes
 * Basic credentials; the OpenAPI document and its reference page, and the
 * trader page, need no token.
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
  app.use(referencePageRouter(apiDocument()));
  const trader = authenticate(tokens);
  if (deps.queues) {
    const queues = [deps.queues.outbox, deps.queues.mail];
    observeQueueDepths(deps.metrics.registry, queues, deps.log);
    // Before `/admin`: the dashboard takes Basic credentials as well as an admin token.
    mount(BULL_BOARD_PATH, createBullBoardRouter({ queues, credentials: deps.bullBoard, jwtSecret: deps.jwtSecret, sql: deps.db.sql, log: deps.log }));
  }
  const admin = requireRole('admin');
  for (const group of ROUTE_GROUPS) {
    mount(group.mount, ...(group.access === 'admin' ? [trader, admin] : [trader]), groupRouter(deps, group, orderRate));
  }

  if (deps.traderPage) app.use(createTraderPageRouter(deps.traderPage));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}
