/**
 * `@execn/orders`: the order path. Placing or cancelling an order is one
 * PostgreSQL transaction: the symbol's advisory lock, the book read, matching
 * (`@execn/matching`), the order, trade and outbox rows with each account's
 * next gap-free report seqs, and a NOTIFY to wake the relay.
 */
export { placeOrder, placeOrders } from './place-orders';
export { cancelOrder } from './cancel-order';
export { OrderBatcher, type OrderBatcherOptions } from './order-batcher';
export { getOrder, listOrders, type ListOrdersOptions, type OrderPage } from './read-orders';
export { listReports } from './read-reports';
export {
  placeOrderBodySchema,
  SYMBOL_PATTERN,
  MAX_ORDER_QUANTITY,
  type PlaceOrderInput,
} from './place-order-input';
export type { OrderResult, PlaceOutcome, PlaceRequest, Trader } from './order-result';
export type { HandedOffEvent, OutboxHandOff, PersistOptions } from './persist-changes';
export { lockSymbol, SYMBOL_LOCK_CLASS } from './symbol-lock';
export { parseUnits } from './decimal-units';
