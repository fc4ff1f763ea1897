import { decideCancel } from './decide-cancel';
import { MatchingError } from './matching-error';
import {
  applyFill,
  avgPxOf,
  cancelState,
  isFinal,
  newOrderState,
  rejectedOrderState,
  restingOrderState,
} from './order-state';
import { px, restingOrder } from './test-support/order-fixtures';

describe('order state', () => {
  it('starts working with everything leaving', () => {
    expect(newOrderState(10)).toEqual({ quantity: 10, cumQty: 0, leavesQty: 10, cumNotional: 0n, status: 'working' });
    expect(avgPxOf(newOrderState(10))).toBeNull();
  });

  it('fills partially, then fully, accumulating notional', () => {
    const partial = applyFill(newOrderState(10), 4, px('101.25'));
    expect(partial).toEqual({
      quantity: 10,
      cumQty: 4,
      leavesQty: 6,
      cumNotional: 4n * px('101.25'),
      status: 'partially_filled',
    });
    const filled = applyFill(partial, 6, px('101.5'));
    expect(filled.status).toBe('filled');
    expect(filled.leavesQty).toBe(0);
    expect(filled.cumQty).toBe(10);
    expect(avgPxOf(filled)).toBe(px('101.4'));
  });

  it('does not modify the state it was given', () => {
    const start = newOrderState(5);
    applyFill(start, 2, px('1'));
    expect(start.cumQty).toBe(0);
  });

  it('refuses an overfill, a zero or fractional fill and a fill of a final order', () => {
    const state = newOrderState(5);
    expect(() => applyFill(state, 6, px('1'))).toThrow(/overfill/);
    expect(() => applyFill(state, 0, px('1'))).toThrow(MatchingError);
    expect(() => applyFill(state, 1.5, px('1'))).toThrow(MatchingError);
    expect(() => applyFill(applyFill(state, 5, px('1')), 1, px('1'))).toThrow(/already filled/);
    expect(() => applyFill(rejectedOrderState(5), 1, px('1'))).toThrow(/already rejected/);
  });

  it('cancels the remainder and keeps the fills', () => {
    const cancelled = cancelState(applyFill(newOrderState(10), 3, px('2')));
    expect(cancelled).toEqual({ quantity: 10, cumQty: 3, leavesQty: 0, cumNotional: 6n * px('1'), status: 'cancelled' });
    expect(avgPxOf(cancelled)).toBe(px('2'));
    expect(() => cancelState(cancelled)).toThrow(/already cancelled/);
  });

  it('knows which statuses are final', () => {
    expect(isFinal('working')).toBe(false);
    expect(isFinal('partially_filled')).toBe(false);
    expect(isFinal('filled')).toBe(true);
    expect(isFinal('cancelled')).toBe(true);
    expect(isFinal('rejected')).toBe(true);
  });

  it('derives a resting order status from its fills', () => {
    expect(restingOrderState(restingOrder('a', 'acc', 'sell', '1', 5, 1)).status).toBe('working');
    const traded = restingOrderState(restingOrder('a', 'acc', 'sell', '1', 5, 1, 3));
    expect(traded).toEqual({ quantity: 8, cumQty: 3, leavesQty: 5, cumNotional: 3n * px('1'), status: 'partially_filled' });
  });

  it('reports a rejected order as final with nothing leaving', () => {
    expect(rejectedOrderState(7)).toEqual({ quantity: 7, cumQty: 0, leavesQty: 0, cumNotional: 0n, status: 'rejected' });
  });
});

describe('decideCancel', () => {
  it('cancels a working or partially filled order', () => {
    expect(decideCancel(newOrderState(4))).toEqual({ ok: true, state: cancelState(newOrderState(4)) });
    const partial = applyFill(newOrderState(4), 1, px('3'));
    const outcome = decideCancel(partial);
    expect(outcome.ok && outcome.state).toMatchObject({ status: 'cancelled', cumQty: 1, leavesQty: 0 });
  });

  it('refuses a final order as order_not_cancelable', () => {
    const filled = applyFill(newOrderState(1), 1, px('3'));
    for (const state of [filled, cancelState(newOrderState(1)), rejectedOrderState(1)]) {
      expect(decideCancel(state)).toEqual({ ok: false, reason: 'order_not_cancelable' });
    }
  });
});
