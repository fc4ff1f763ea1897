import { isMultipleOf } from './decimal';
import type { MatchEvent, MatchResult, RestingUpdate } from './match-result';
import { MatchingError } from './matching-error';
import {
  applyFill,
  cancelState,
  newOrderState,
  rejectedOrderState,
  restingOrderState,
  type OrderState,
} from './order-state';
import type { IncomingOrder, InstrumentRules, RejectReason, RestingOrder } from './types';

/**
 * Matches one incoming order against resting orders of the opposite side with
 * continuous price-time priority (contract §4, Matching).
 *
 * Business refusals come first, in this order: no instrument →
 * `unknown_symbol`; halted → `instrument_halted`; limit price not a multiple of
 * the tick → `invalid_tick`; quantity not a multiple of the lot →
 * `invalid_lot`. A refused order has no events and a final `rejected` state.
 *
 * `candidates` may be unsorted and may contain orders the incoming price does
 * not reach; the engine drops those and walks the rest best price first, then
 * oldest (`priority`). Passing a prefix of the book is fine as long as it holds
 * enough quantity from other accounts to cover the order: the engine cannot see
 * orders it was not given, so a too-short list lets a GTC remainder rest
 * crossed. Already-sorted, all-eligible input (what an `ORDER BY` query
 * returns) is used as is, without a copy.
 *
 * Each fill is `min(remaining, leavesQty)` at the resting price. A resting
 * order of the incoming order's own account is cancelled
 * (`self_trade_prevented`) without consuming quantity, and matching goes on.
 * A GTC limit remainder rests; an IOC or market remainder is cancelled
 * (`unfilled_remainder`).
 *
 * Pure: the inputs are not modified and nothing outside the result is touched.
 *
 * @throws MatchingError for input the edge must have refused (market order with
 *   a price or GTC, limit order without a positive price, non-positive or
 *   fractional quantity), an invalid instrument, or a candidate that is on the
 *   same side or breaks `cumQty + leavesQty === quantity`.
 */
export function matchOrder(
  incoming: IncomingOrder,
  instrument: InstrumentRules | null,
  candidates: readonly RestingOrder[],
): MatchResult {
  assertIncoming(incoming);
  const rejected = businessReject(incoming, instrument);
  if (rejected !== null) {
    return {
      rejected,
      events: [],
      incoming: rejectedOrderState(incoming.quantity),
      rests: false,
      updatedResting: [],
    };
  }

  const contra = eligibleInPriorityOrder(incoming, candidates);
  const events: MatchEvent[] = [];
  const updatedResting: RestingUpdate[] = [];
  let state: OrderState = newOrderState(incoming.quantity);
  let tradeIndex = 0;

  for (let i = 0; i < contra.length && state.leavesQty > 0; i++) {
    const resting = contra[i] as RestingOrder; // i < length
    const before = restingOrderState(resting);
    if (resting.accountId === incoming.accountId) {
      const cancelled = cancelState(before);
      events.push({ kind: 'cancel', orderId: resting.id, reason: 'self_trade_prevented', state: cancelled });
      updatedResting.push({ id: resting.id, state: cancelled });
      continue;
    }
    const quantity = Math.min(state.leavesQty, resting.leavesQty);
    state = applyFill(state, quantity, resting.price);
    const restingState = applyFill(before, quantity, resting.price);
    events.push({
      kind: 'trade',
      tradeIndex: tradeIndex++,
      restingOrderId: resting.id,
      price: resting.price,
      quantity,
      incomingState: state,
      restingState,
    });
    updatedResting.push({ id: resting.id, state: restingState });
  }

  let rests = false;
  if (state.leavesQty > 0) {
    if (incoming.type === 'limit' && incoming.timeInForce === 'GTC') {
      rests = true;
    } else {
      state = cancelState(state);
      events.push({ kind: 'cancel', orderId: incoming.id, reason: 'unfilled_remainder', state });
    }
  }
  return { rejected: null, events, incoming: state, rests, updatedResting };
}

function assertIncoming(order: IncomingOrder): void {
  if (!Number.isSafeInteger(order.quantity) || order.quantity <= 0) {
    throw new MatchingError(`order ${order.id}: quantity must be a positive integer, got ${order.quantity}`);
  }
  if (order.type === 'market') {
    if (order.price !== null) throw new MatchingError(`order ${order.id}: a market order has no price`);
    if (order.timeInForce !== 'IOC') throw new MatchingError(`order ${order.id}: a market order is always IOC`);
  } else if (order.price === null || order.price <= 0n) {
    throw new MatchingError(`order ${order.id}: a limit order needs a positive price`);
  }
}

function businessReject(order: IncomingOrder, instrument: InstrumentRules | null): RejectReason | null {
  if (instrument === null) return 'unknown_symbol';
  if (instrument.tickSize <= 0n || !Number.isSafeInteger(instrument.lotSize) || instrument.lotSize < 1) {
    throw new MatchingError(
      `instrument ${instrument.symbol}: tickSize must be positive and lotSize a positive integer`,
    );
  }
  if (instrument.halted) return 'instrument_halted';
  if (order.price !== null && !isMultipleOf(order.price, instrument.tickSize)) return 'invalid_tick';
  if (order.quantity % instrument.lotSize !== 0) return 'invalid_lot';
  return null;
}

// Module-level comparators so sorting allocates no closure per call.
function compareAsks(a: RestingOrder, b: RestingOrder): number {
  if (a.price !== b.price) return a.price < b.price ? -1 : 1;
  return a.priority < b.priority ? -1 : a.priority > b.priority ? 1 : 0;
}

function compareBids(a: RestingOrder, b: RestingOrder): number {
  if (a.price !== b.price) return a.price > b.price ? -1 : 1;
  return a.priority < b.priority ? -1 : a.priority > b.priority ? 1 : 0;
}

/**
 * The candidates the incoming order may trade with, best first. One pass
 * validates them and detects the common case (already sorted, all reachable)
 * so that only disordered or over-wide input pays for a filtered copy.
 */
function eligibleInPriorityOrder(
  incoming: IncomingOrder,
  candidates: readonly RestingOrder[],
): readonly RestingOrder[] {
  const buying = incoming.side === 'buy';
  const contraSide = buying ? 'sell' : 'buy';
  const compare = buying ? compareAsks : compareBids;
  const limit = incoming.price; // null for market: every price is reachable
  let allEligible = true;
  let sorted = true;
  let previous: RestingOrder | undefined;
  for (const candidate of candidates) {
    assertCandidate(candidate, contraSide);
    if (limit !== null && (buying ? candidate.price > limit : candidate.price < limit)) allEligible = false;
    if (previous !== undefined && compare(previous, candidate) > 0) sorted = false;
    previous = candidate;
  }
  if (allEligible && sorted) return candidates;
  const eligible =
    limit === null
      ? candidates.slice()
      : candidates.filter((c) => (buying ? c.price <= limit : c.price >= limit));
  return eligible.sort(compare);
}

function assertCandidate(order: RestingOrder, contraSide: 'buy' | 'sell'): void {
  if (order.side !== contraSide) {
    throw new MatchingError(`resting order ${order.id} is a ${order.side}; candidates must be ${contraSide}s`);
  }
  const live = Number.isSafeInteger(order.leavesQty) && order.leavesQty > 0;
  if (!live || order.cumQty + order.leavesQty !== order.quantity) {
    throw new MatchingError(
      `resting order ${order.id} is not live: ` +
        `quantity ${order.quantity}, cumQty ${order.cumQty}, leavesQty ${order.leavesQty}`,
    );
  }
}
