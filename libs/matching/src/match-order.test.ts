import { formatDecimal } from './decimal';
import { matchOrder } from './match-order';
import type { MatchEvent } from './match-result';
import { MatchingError } from './matching-error';
import { avgPxOf } from './order-state';
import {
  TEST_INSTRUMENT as INSTRUMENT,
  limitOrder,
  marketOrder,
  px,
  restingOrder,
} from './test-support/order-fixtures';
import type { IncomingOrder } from './types';

/** Events in a compact, readable form: `trade s1 10@101`, `cancel s1 self_trade_prevented`. */
function describeEvents(events: readonly MatchEvent[]): string[] {
  return events.map((e) =>
    e.kind === 'trade'
      ? `trade ${e.restingOrderId} ${e.quantity}@${formatDecimal(e.price)}`
      : `cancel ${e.orderId} ${e.reason}`,
  );
}

describe('matchOrder: accepted orders', () => {
  it('rests a GTC limit order when there is no contra', () => {
    const result = matchOrder(limitOrder('b1', 'A', 'buy', '101', 10), INSTRUMENT, []);
    expect(result).toEqual({
      rejected: null,
      events: [],
      incoming: { quantity: 10, cumQty: 0, leavesQty: 10, cumNotional: 0n, status: 'working' },
      rests: true,
      updatedResting: [],
    });
  });

  it('fills fully at the resting price, not the incoming limit', () => {
    const sell = restingOrder('s1', 'B', 'sell', '101', 10, 1);
    const result = matchOrder(limitOrder('b1', 'A', 'buy', '102', 10), INSTRUMENT, [sell]);
    expect(result.events).toEqual([
      {
        kind: 'trade',
        tradeIndex: 0,
        restingOrderId: 's1',
        price: px('101'),
        quantity: 10,
        incomingState: { quantity: 10, cumQty: 10, leavesQty: 0, cumNotional: 10n * px('101'), status: 'filled' },
        restingState: { quantity: 10, cumQty: 10, leavesQty: 0, cumNotional: 10n * px('101'), status: 'filled' },
      },
    ]);
    expect(result.incoming.status).toBe('filled');
    expect(avgPxOf(result.incoming)).toBe(px('101'));
    expect(result.rests).toBe(false);
    expect(result.updatedResting).toEqual([
      { id: 's1', state: { quantity: 10, cumQty: 10, leavesQty: 0, cumNotional: 10n * px('101'), status: 'filled' } },
    ]);
  });

  it('partially fills the incoming order and rests the remainder', () => {
    const result = matchOrder(limitOrder('b1', 'A', 'buy', '101', 10), INSTRUMENT, [
      restingOrder('s1', 'B', 'sell', '101', 4, 1),
    ]);
    expect(describeEvents(result.events)).toEqual(['trade s1 4@101']);
    expect(result.incoming).toMatchObject({ status: 'partially_filled', cumQty: 4, leavesQty: 6 });
    expect(result.rests).toBe(true);
    expect(result.updatedResting).toEqual([{ id: 's1', state: expect.objectContaining({ status: 'filled' }) }]);
  });

  it('partially fills the resting order, keeping its earlier fills', () => {
    const sell = restingOrder('s1', 'B', 'sell', '101', 10, 1, 5); // 5 already traded at 101
    const result = matchOrder(limitOrder('b1', 'A', 'buy', '101', 4), INSTRUMENT, [sell]);
    expect(result.incoming.status).toBe('filled');
    expect(result.updatedResting).toEqual([
      {
        id: 's1',
        state: { quantity: 15, cumQty: 9, leavesQty: 6, cumNotional: 9n * px('101'), status: 'partially_filled' },
      },
    ]);
  });

  it('walks several price levels, each at its own price', () => {
    const book = [
      restingOrder('s3', 'B', 'sell', '103', 10, 3),
      restingOrder('s1', 'B', 'sell', '101', 10, 1),
      restingOrder('s4', 'B', 'sell', '104', 10, 4),
      restingOrder('s2', 'C', 'sell', '102', 10, 2),
    ];
    const result = matchOrder(limitOrder('b1', 'A', 'buy', '103', 25), INSTRUMENT, book);
    expect(describeEvents(result.events)).toEqual(['trade s1 10@101', 'trade s2 10@102', 'trade s3 5@103']);
    expect(result.events.map((e) => e.kind === 'trade' && e.tradeIndex)).toEqual([0, 1, 2]);
    expect(result.events.map((e) => e.kind === 'trade' && e.incomingState.cumQty)).toEqual([10, 20, 25]);
    expect(avgPxOf(result.incoming)).toBe(px('101.8')); // (1010 + 1020 + 515) / 25
    expect(result.updatedResting.map((u) => [u.id, u.state.status])).toEqual([
      ['s1', 'filled'],
      ['s2', 'filled'],
      ['s3', 'partially_filled'],
    ]);
  });

  it('takes the best price first, then the oldest at that price (incoming sell)', () => {
    const book = [
      restingOrder('young-high', 'B', 'buy', '102', 1, 9),
      restingOrder('low', 'B', 'buy', '100', 1, 1),
      restingOrder('old-high', 'C', 'buy', '102', 1, 5),
      restingOrder('mid', 'C', 'buy', '101', 1, 2),
    ];
    const result = matchOrder(limitOrder('s1', 'A', 'sell', '100', 4), INSTRUMENT, book);
    expect(describeEvents(result.events)).toEqual([
      'trade old-high 1@102',
      'trade young-high 1@102',
      'trade mid 1@101',
      'trade low 1@100',
    ]);
  });

  it('ignores candidates the limit price does not reach', () => {
    const book = [restingOrder('s2', 'B', 'sell', '102', 5, 1), restingOrder('s1', 'B', 'sell', '101', 5, 2)];
    const result = matchOrder(limitOrder('b1', 'A', 'buy', '101', 10), INSTRUMENT, book);
    expect(describeEvents(result.events)).toEqual(['trade s1 5@101']);
    expect(result.rests).toBe(true);
    expect(result.updatedResting.map((u) => u.id)).toEqual(['s1']);
  });

  it('cancels an IOC remainder', () => {
    const result = matchOrder(limitOrder('b1', 'A', 'buy', '101', 10, 'IOC'), INSTRUMENT, [
      restingOrder('s1', 'B', 'sell', '101', 3, 1),
      restingOrder('s2', 'B', 'sell', '102', 3, 2),
    ]);
    expect(describeEvents(result.events)).toEqual(['trade s1 3@101', 'cancel b1 unfilled_remainder']);
    expect(result.incoming).toEqual({ quantity: 10, cumQty: 3, leavesQty: 0, cumNotional: 3n * px('101'), status: 'cancelled' });
    expect(result.events.at(-1)).toMatchObject({ kind: 'cancel', state: result.incoming });
    expect(result.rests).toBe(false);
  });

  it('cancels an IOC order that finds nothing', () => {
    const result = matchOrder(limitOrder('b1', 'A', 'buy', '101', 10, 'IOC'), INSTRUMENT, []);
    expect(describeEvents(result.events)).toEqual(['cancel b1 unfilled_remainder']);
    expect(result.incoming).toMatchObject({ status: 'cancelled', cumQty: 0, leavesQty: 0 });
  });

  it('sweeps any price with a market order and cancels the remainder', () => {
    const book = [restingOrder('b2', 'B', 'buy', '0.01', 4, 2), restingOrder('b1', 'B', 'buy', '1000', 4, 1)];
    const result = matchOrder(marketOrder('m1', 'A', 'sell', 10), INSTRUMENT, book);
    expect(describeEvents(result.events)).toEqual([
      'trade b1 4@1000',
      'trade b2 4@0.01',
      'cancel m1 unfilled_remainder',
    ]);
    expect(result.incoming).toMatchObject({ status: 'cancelled', cumQty: 8, leavesQty: 0 });
    expect(avgPxOf(result.incoming)).toBe(px('500.005'));
    expect(result.rests).toBe(false);
  });

  it('cancels all of a market order on an empty book', () => {
    const result = matchOrder(marketOrder('m1', 'A', 'buy', 10), INSTRUMENT, []);
    expect(describeEvents(result.events)).toEqual(['cancel m1 unfilled_remainder']);
    expect(result.incoming).toEqual({ quantity: 10, cumQty: 0, leavesQty: 0, cumNotional: 0n, status: 'cancelled' });
    expect(avgPxOf(result.incoming)).toBeNull();
  });

  it('does not emit a cancel when a market order fills completely', () => {
    const result = matchOrder(marketOrder('m1', 'A', 'buy', 3), INSTRUMENT, [restingOrder('s1', 'B', 'sell', '5', 3, 1)]);
    expect(describeEvents(result.events)).toEqual(['trade s1 3@5']);
    expect(result.incoming.status).toBe('filled');
  });
});

describe('matchOrder: self-trade prevention', () => {
  it('cancels the own resting order and keeps matching the next', () => {
    const book = [
      restingOrder('own', 'A', 'sell', '101', 5, 1),
      restingOrder('other', 'B', 'sell', '101', 5, 2),
      restingOrder('own-later', 'A', 'sell', '102', 5, 3),
    ];
    const result = matchOrder(limitOrder('b1', 'A', 'buy', '102', 5), INSTRUMENT, book);
    // The own order does not consume quantity, and matching stops once the
    // order is filled, so the later own order is left alone.
    expect(describeEvents(result.events)).toEqual(['cancel own self_trade_prevented', 'trade other 5@101']);
    expect(result.events[0]).toEqual({
      kind: 'cancel',
      orderId: 'own',
      reason: 'self_trade_prevented',
      state: { quantity: 5, cumQty: 0, leavesQty: 0, cumNotional: 0n, status: 'cancelled' },
    });
    expect(result.updatedResting.map((u) => [u.id, u.state.status])).toEqual([
      ['own', 'cancelled'],
      ['other', 'filled'],
    ]);
    expect(result.incoming.status).toBe('filled');
  });

  it('cancels own orders between trades and rests what is left', () => {
    const book = [
      restingOrder('o1', 'B', 'sell', '100', 2, 1),
      restingOrder('own', 'A', 'sell', '100', 5, 2, 1),
      restingOrder('o2', 'C', 'sell', '101', 2, 3),
    ];
    const result = matchOrder(limitOrder('b1', 'A', 'buy', '101', 10), INSTRUMENT, book);
    expect(describeEvents(result.events)).toEqual(['trade o1 2@100', 'cancel own self_trade_prevented', 'trade o2 2@101']);
    expect(result.events.map((e) => e.kind === 'trade' && e.tradeIndex)).toEqual([0, false, 1]);
    // A partially filled own order keeps its fills when cancelled.
    expect(result.updatedResting[1]?.state).toMatchObject({ status: 'cancelled', cumQty: 1, leavesQty: 0 });
    expect(result.incoming).toMatchObject({ status: 'partially_filled', cumQty: 4, leavesQty: 6 });
    expect(result.rests).toBe(true);
  });

  it('cancels own orders hit by a market order, then the remainder', () => {
    const result = matchOrder(marketOrder('m1', 'A', 'sell', 3), INSTRUMENT, [restingOrder('own', 'A', 'buy', '100', 5, 1)]);
    expect(describeEvents(result.events)).toEqual(['cancel own self_trade_prevented', 'cancel m1 unfilled_remainder']);
  });
});

describe('matchOrder: business rejects', () => {
  const book = [restingOrder('s1', 'B', 'sell', '101', 10, 1)];
  const rejected = (reason: string, quantity: number) => ({
    rejected: reason,
    events: [],
    incoming: { quantity, cumQty: 0, leavesQty: 0, cumNotional: 0n, status: 'rejected' },
    rests: false,
    updatedResting: [],
  });

  it('rejects an unknown symbol', () => {
    expect(matchOrder(limitOrder('b1', 'A', 'buy', '101', 10), null, book)).toEqual(rejected('unknown_symbol', 10));
  });

  it('rejects on a halted instrument before checking the price', () => {
    const halted = { ...INSTRUMENT, halted: true };
    expect(matchOrder(limitOrder('b1', 'A', 'buy', '101.005', 10), halted, book)).toEqual(rejected('instrument_halted', 10));
    expect(matchOrder(marketOrder('m1', 'A', 'buy', 10), halted, book)).toEqual(rejected('instrument_halted', 10));
  });

  it('rejects a limit price off the tick, before checking the lot', () => {
    const lots = { ...INSTRUMENT, tickSize: px('0.05'), lotSize: 100 };
    expect(matchOrder(limitOrder('b1', 'A', 'buy', '101.02', 150), lots, book)).toEqual(rejected('invalid_tick', 150));
    expect(matchOrder(limitOrder('b1', 'A', 'buy', '101.05', 100), lots, book).rejected).toBeNull();
  });

  it('rejects a quantity off the lot, for limit and market orders', () => {
    const lots = { ...INSTRUMENT, lotSize: 100 };
    expect(matchOrder(limitOrder('b1', 'A', 'buy', '101', 150), lots, book)).toEqual(rejected('invalid_lot', 150));
    expect(matchOrder(marketOrder('m1', 'A', 'buy', 50), lots, book)).toEqual(rejected('invalid_lot', 50));
    expect(matchOrder(marketOrder('m1', 'A', 'buy', 200), lots, book).rejected).toBeNull();
  });
});

describe('matchOrder: preconditions and purity', () => {
  const sell = restingOrder('s1', 'B', 'sell', '101', 10, 1);

  it.each<[string, IncomingOrder]>([
    ['a market order with a price', { ...marketOrder('m', 'A', 'buy', 1), price: px('1') }],
    ['a GTC market order', { ...marketOrder('m', 'A', 'buy', 1), timeInForce: 'GTC' }],
    ['a limit order without a price', { ...limitOrder('b', 'A', 'buy', '1', 1), price: null }],
    ['a limit order at price 0', limitOrder('b', 'A', 'buy', '0', 1)],
    ['a zero quantity', limitOrder('b', 'A', 'buy', '1', 0)],
    ['a fractional quantity', limitOrder('b', 'A', 'buy', '1', 1.5)],
  ])('throws on %s', (_, order) => {
    expect(() => matchOrder(order, INSTRUMENT, [sell])).toThrow(MatchingError);
  });

  it('throws on a same-side or dead candidate and on broken instrument rules', () => {
    const buy = limitOrder('b1', 'A', 'buy', '101', 1);
    expect(() => matchOrder(buy, INSTRUMENT, [restingOrder('x', 'B', 'buy', '101', 1, 1)])).toThrow(/candidates must be sells/);
    expect(() => matchOrder(buy, INSTRUMENT, [{ ...sell, leavesQty: 0, cumQty: 10 }])).toThrow(/not live/);
    expect(() => matchOrder(buy, INSTRUMENT, [{ ...sell, leavesQty: 3 }])).toThrow(/not live/);
    expect(() => matchOrder(buy, { ...INSTRUMENT, tickSize: 0n }, [])).toThrow(MatchingError);
    expect(() => matchOrder(buy, { ...INSTRUMENT, lotSize: 0 }, [])).toThrow(MatchingError);
  });

  it('leaves its inputs untouched', () => {
    const book = Object.freeze([
      Object.freeze(restingOrder('s2', 'B', 'sell', '102', 5, 2)),
      Object.freeze(restingOrder('s1', 'B', 'sell', '101', 5, 1)),
    ]);
    const order = Object.freeze(limitOrder('b1', 'A', 'buy', '102', 7));
    const result = matchOrder(order, INSTRUMENT, book);
    expect(describeEvents(result.events)).toEqual(['trade s1 5@101', 'trade s2 2@102']);
    expect(book.map((o) => [o.id, o.leavesQty])).toEqual([
      ['s2', 5],
      ['s1', 5],
    ]);
  });
});
