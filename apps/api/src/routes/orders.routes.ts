import { Router } from 'express';
import type { AppDeps } from '../deps';
import { cancelOrderHandler } from '../handlers/cancel-order.handler';
import { getOrderHandler } from '../handlers/get-order.handler';
import { listOrdersHandler } from '../handlers/list-orders.handler';
import { placeOrderHandler } from '../handlers/place-order.handler';
import { route } from '../http/handler';

/** Trader orders, mounted at `/v1/orders` behind authentication. */
export function ordersRouter(deps: AppDeps): Router {
  const router = Router();
  router.post('/', route(deps, placeOrderHandler));
  router.get('/', route(deps, listOrdersHandler));
  router.get('/:id', route(deps, getOrderHandler));
  router.delete('/:id', route(deps, cancelOrderHandler));
  return router;
}
