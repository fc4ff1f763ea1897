/**
 * `@execn/matching`: the pure matching engine. Data in, decisions out; no I/O,
 * environment or clock, so it can run inside the order's database transaction
 * and be tested exhaustively in memory.
 */
export type {
  CancelReason,
  IncomingOrder,
  InstrumentRules,
  OrderStatus,
  OrderType,
  RejectReason,
  RestingOrder,
  Side,
  TimeInForce,
} from './types';
export {
  DECIMAL_PLACES,
  DECIMAL_SCALE,
  averagePrice,
  compareDecimal,
  formatDecimal,
  isDecimalString,
  isMultipleOf,
  parseDecimal,
} from './decimal';
export { DecimalError } from './decimal-error';
export { MatchingError } from './matching-error';
export {
  applyFill,
  avgPxOf,
  cancelState,
  isFinal,
  newOrderState,
  rejectedOrderState,
  restingOrderState,
  type OrderState,
} from './order-state';
export type { CancelEvent, MatchEvent, MatchResult, RestingUpdate, TradeEvent } from './match-result';
export { matchOrder } from './match-order';
export { decideCancel, type CancelDecision } from './decide-cancel';
