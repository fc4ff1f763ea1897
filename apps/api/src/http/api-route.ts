import { Router, type RequestHandler } from 'express';
import type { z } from 'zod';
import type { AppDeps } from '../deps';
import { orderRateLimit, type OrderRateLimiter } from '../middleware/order-rate-limit';
import { route, type Handler } from './handler';

/** Error codes a route may answer besides the ones every authenticated route may (401, 500, 503 `unavailable`). */
export type RouteErrorCode =
  | 'validation_error'
  | 'forbidden'
  | 'unknown_account'
  | 'not_found'
  | 'duplicate_client_order_id'
  | 'order_not_cancelable'
  | 'already_exists'
  | 'already_queued'
  | 'resume_horizon'
  | 'payload_too_large'
  | 'rate_limited'
  | 'overloaded';

/**
 * What the OpenAPI document says of one route. The schemas are the ones the
 * handler validates with (`params`, `query`, `body`) and the shape it answers
 * (`response`): the document is generated from them, never written by hand.
 */
export interface RouteDoc {
  summary: string;
  description?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The success status. @default 200 */
  status?: number;
  response: z.ZodType;
  errors?: RouteErrorCode[];
}

/** One REST route: method, path under its group's mount, handler and its document entry, together. */
export interface ApiRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  handler: Handler;
  /** Counts against ORDER_RATE_LIMIT_PER_SECOND (place and cancel). */
  rateLimited?: boolean;
  doc: RouteDoc;
}

/** The routes mounted at one path behind one guard. */
export interface RouteGroup {
  mount: string;
  /** `trader`: any valid token; `admin`: the admin role. */
  access: 'trader' | 'admin';
  /** The OpenAPI tag the group's operations are listed under. */
  tag: string;
  routes: ApiRoute[];
}

/** The Express router of a group (its guard is mounted by `createApp`); `orderRate` absent = no rate limit. */
export function groupRouter(deps: AppDeps, group: RouteGroup, orderRate?: OrderRateLimiter): Router {
  const router = Router();
  // Reads cost no transaction and no report: only place and cancel are limited.
  const limit: RequestHandler[] = orderRate === undefined ? [] : [orderRateLimit(orderRate)];
  for (const r of group.routes) router[r.method](r.path, ...(r.rateLimited ? limit : []), route(deps, r.handler));
  return router;
}
