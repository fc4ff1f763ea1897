/**
 * Plain data shapes the engine consumes. Prices are `bigint` units of 1e-8
 * (see `decimal.ts`); quantities are positive integers that fit a JS number.
 */

/** Which side of the book an order is on. */
export type Side = 'buy' | 'sell';

/** Limit orders carry a price; market orders take any price and never rest. */
export type OrderType = 'limit' | 'market';

/** `GTC` rests its remainder; `IOC` (and every market order) cancels it. */
export type TimeInForce = 'GTC' | 'IOC';

/** Lifecycle status; `filled`, `cancelled` and `rejected` are final. */
export type OrderStatus = 'working' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected';

/** Business reasons that refuse an order (it is still stored, as `rejected`). */
export type RejectReason = 'unknown_symbol' | 'instrument_halted' | 'invalid_tick' | 'invalid_lot';

/** Why a `cancelled` report was written. */
export type CancelReason = 'user_requested' | 'unfilled_remainder' | 'self_trade_prevented';

/** The trading rules of one symbol, as stored. */
export interface InstrumentRules {
  readonly symbol: string;
  /** Price step in 1e-8 units; limit prices must be a multiple of it. */
  readonly tickSize: bigint;
  /** Quantity step; order quantities must be a multiple of it. */
  readonly lotSize: number;
  /** A halted instrument rejects every new order. */
  readonly halted: boolean;
}

/** An order arriving for matching, before anything has happened to it. */
export interface IncomingOrder {
  readonly id: string;
  readonly accountId: string;
  readonly side: Side;
  readonly type: OrderType;
  /** Must be `IOC` for a market order. */
  readonly timeInForce: TimeInForce;
  /** Limit price in 1e-8 units; `null` exactly when `type` is `market`. */
  readonly price: bigint | null;
  /** Positive integer. */
  readonly quantity: number;
}

/** A live order on the book, a candidate to trade against an incoming one. */
export interface RestingOrder {
  readonly id: string;
  readonly accountId: string;
  readonly side: Side;
  readonly price: bigint;
  readonly quantity: number;
  readonly cumQty: number;
  /** Positive while the order rests; `cumQty + leavesQty === quantity`. */
  readonly leavesQty: number;
  /** Sum over fills of `qty * priceUnits`; `averagePrice(cumNotional, cumQty)` is its avgPx. */
  readonly cumNotional: bigint;
  /** Time priority: lower is older (the database identity column). */
  readonly priority: bigint;
}
