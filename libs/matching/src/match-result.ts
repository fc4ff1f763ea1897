import type { OrderState } from './order-state';
import type { CancelReason, RejectReason } from './types';

/** One fill between the incoming order and one resting order, at the resting price. */
export interface TradeEvent {
  readonly kind: 'trade';
  /** 0-based position among this match's trades; stable input for a trade id. */
  readonly tradeIndex: number;
  readonly restingOrderId: string;
  /** The resting order's price, in 1e-8 units. */
  readonly price: bigint;
  readonly quantity: number;
  /** The incoming order right after this fill. */
  readonly incomingState: OrderState;
  /** The resting order right after this fill. */
  readonly restingState: OrderState;
}

/**
 * An order cancelled by the engine: a resting order of the incoming order's own
 * account (`self_trade_prevented`), or the incoming order's IOC or market
 * remainder (`unfilled_remainder`, always the last event).
 */
export interface CancelEvent {
  readonly kind: 'cancel';
  readonly orderId: string;
  readonly reason: CancelReason;
  /** The cancelled order's final state. */
  readonly state: OrderState;
}

/**
 * Something that happened during one match, in the order it happened, which is
 * the order the caller must write the reports (and take the accounts' seqs).
 * The `new` report of an accepted order is implied and never emitted.
 */
export type MatchEvent = TradeEvent | CancelEvent;

/** Final state of one resting order the match changed. */
export interface RestingUpdate {
  readonly id: string;
  readonly state: OrderState;
}

/** Everything the caller needs to persist after matching one incoming order. */
export interface MatchResult {
  /** The business rule that refused the order, or `null` when it was accepted. */
  readonly rejected: RejectReason | null;
  /** Trades and cancels in the order they happened; empty for a rejected order. */
  readonly events: MatchEvent[];
  /** Final state of the incoming order. */
  readonly incoming: OrderState;
  /** True when a GTC limit remainder now rests on the book. */
  readonly rests: boolean;
  /**
   * Every resting order touched (filled, partially filled or STP-cancelled), in
   * the order touched, each with its final state. Each appears once.
   */
  readonly updatedResting: RestingUpdate[];
}
