import { Router } from 'express';
import type { AppDeps } from '../deps';
import { cancelOrderHandler } from '../handlers/cancel-order.handler';
import { getOrderHandler } from '../handlers/get-order.handler';
import { listOrdersHandler } from '../handlers/list-orders.handler';
import { placeOrderHandler } from '../handlers/place-order.handler';
import { route } from '../http/handler';
import { orderRateLimit, type OrderRateLimiter } from '../middleware/order-rate-limit';

/** Trader orders, mounted at `/v1/orders` behind authentication; `orderRate` absent = no rate limit. */
export function ordersRouter(deps: AppDeps, orderRate?: OrderRateLimiter): Router {
  const router = Router();
  // Place and cancel only: reads cost no transaction and no report.
  const limit = orderRate === undefined ? [] : [orderRateLimit(orderRate)];
  router.post('/', ...limit, route(deps, placeOrderHandler));
  router.get('/', route(deps, listOrdersHandler));
  router.get('/:id', route(deps, getOrderHandler));
  router.delete('/:id', ...limit, route(deps, cancelOrderHandler));
  return router;
}
