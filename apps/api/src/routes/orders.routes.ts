import { orderPageSchema, orderResultSchema, orderViewSchema } from '@execn/contracts';
import { placeOrderBodySchema } from '@execn/orders';
import { cancelOrderHandler } from '../handlers/cancel-order.handler';
import { getOrderHandler } from '../handlers/get-order.handler';
import { listOrdersHandler } from '../handlers/list-orders.handler';
import { placeOrderHandler } from '../handlers/place-order.handler';
import type { RouteGroup } from '../http/api-route';
import { listOrdersQuerySchema, orderIdParamsSchema } from '../schemas/query.schemas';

/** Trader orders. Each entry is the route and its OpenAPI operation: a new route is one more entry. */
export const ordersRoutes: RouteGroup = {
  mount: '/v1/orders',
  access: 'trader',
  tag: 'orders',
  routes: [
    { method: 'post', path: '/', handler: placeOrderHandler, rateLimited: true, doc: { summary: 'Place an order (matched at once)', body: placeOrderBodySchema, status: 201, response: orderResultSchema, errors: ['validation_error', 'duplicate_client_order_id', 'payload_too_large', 'rate_limited', 'overloaded'], description: 'Business refusals (unknown symbol, halted, bad tick or lot) are stored: 201 with `order.status` `rejected` and a `rejected` report.' } },
    { method: 'get', path: '/', handler: listOrdersHandler, doc: { summary: "The caller's orders, newest first", query: listOrdersQuerySchema, response: orderPageSchema, errors: ['validation_error'] } },
    { method: 'get', path: '/:id', handler: getOrderHandler, doc: { summary: 'One order', params: orderIdParamsSchema, response: orderViewSchema, errors: ['validation_error', 'not_found'] } },
    { method: 'delete', path: '/:id', handler: cancelOrderHandler, rateLimited: true, doc: { summary: 'Cancel an order', params: orderIdParamsSchema, response: orderResultSchema, errors: ['validation_error', 'not_found', 'order_not_cancelable', 'rate_limited', 'overloaded'] } },
  ],
};
