import { MatchingError } from '../matching-error';
import { OrderBook } from './order-book';
import { TEST_INSTRUMENT, limitOrder, marketOrder, px } from './order-fixtures';

describe('OrderBook', () => {
  it('starts empty', () => {
    const book = new OrderBook(TEST_INSTRUMENT);
    expect(book.bestBid()).toBeNull();
    expect(book.bestAsk()).toBeNull();
    expect(book.depth()).toEqual({ bids: [], asks: [] });
    expect(book.size).toBe(0);
  });

  it('rests GTC remainders by price level, best first', () => {
    const book = new OrderBook(TEST_INSTRUMENT);
    book.submit(limitOrder('b1', 'A', 'buy', '99', 5));
    book.submit(limitOrder('b2', 'B', 'buy', '100', 3));
    book.submit(limitOrder('b3', 'C', 'buy', '99', 2));
    book.submit(limitOrder('s1', 'A', 'sell', '102', 4));
    book.submit(limitOrder('s2', 'B', 'sell', '101', 1));
    expect(book.bestBid()).toBe(px('100'));
    expect(book.bestAsk()).toBe(px('101'));
    expect(book.depth()).toEqual({
      bids: [
        { price: px('100'), quantity: 3, orders: 1 },
        { price: px('99'), quantity: 7, orders: 2 },
      ],
      asks: [
        { price: px('101'), quantity: 1, orders: 1 },
        { price: px('102'), quantity: 4, orders: 1 },
      ],
    });
    expect(book.orders('buy').map((o) => o.id)).toEqual(['b2', 'b1', 'b3']);
    expect(book.get('b1')?.priority).toBeLessThan(book.get('b3')?.priority ?? 0n);
  });

  it('removes filled orders and keeps a partially filled one at the front of its level', () => {
    const book = new OrderBook(TEST_INSTRUMENT);
    book.submit(limitOrder('s1', 'A', 'sell', '101', 5));
    book.submit(limitOrder('s2', 'B', 'sell', '101', 5));
    book.submit(limitOrder('s3', 'C', 'sell', '102', 5));
    const result = book.submit(limitOrder('b1', 'D', 'buy', '101', 7));
    expect(result.incoming.status).toBe('filled');
    expect(book.get('s1')).toBeUndefined();
    expect(book.get('s2')).toMatchObject({ cumQty: 2, leavesQty: 3, cumNotional: 2n * px('101') });
    expect(book.orders('sell').map((o) => o.id)).toEqual(['s2', 's3']);
    // s2 keeps its time priority over a newer order at the same price.
    book.submit(limitOrder('s4', 'E', 'sell', '101', 5));
    const next = book.submit(limitOrder('b2', 'D', 'buy', '101', 4));
    expect(next.events.map((e) => e.kind === 'trade' && e.restingOrderId)).toEqual(['s2', 's4']);
  });

  it('rests a crossing GTC remainder only after taking what it can', () => {
    const book = new OrderBook(TEST_INSTRUMENT);
    book.submit(limitOrder('s1', 'A', 'sell', '101', 2));
    const result = book.submit(limitOrder('b1', 'B', 'buy', '103', 5));
    expect(result.rests).toBe(true);
    expect(book.bestBid()).toBe(px('103'));
    expect(book.bestAsk()).toBeNull();
    expect(book.get('b1')).toMatchObject({ quantity: 5, cumQty: 2, leavesQty: 3 });
  });

  it('removes self-trade-prevented orders from the book', () => {
    const book = new OrderBook(TEST_INSTRUMENT);
    book.submit(limitOrder('own', 'A', 'sell', '100', 5));
    book.submit(limitOrder('other', 'B', 'sell', '100', 5));
    const result = book.submit(marketOrder('m1', 'A', 'buy', 3));
    expect(result.events.map((e) => e.kind)).toEqual(['cancel', 'trade']);
    expect(book.get('own')).toBeUndefined();
    expect(book.orders('sell').map((o) => [o.id, o.leavesQty])).toEqual([['other', 2]]);
  });

  it('does not rest IOC and market remainders, nor rejected orders', () => {
    const book = new OrderBook(TEST_INSTRUMENT);
    book.submit(limitOrder('i1', 'A', 'buy', '100', 5, 'IOC'));
    book.submit(marketOrder('m1', 'A', 'sell', 5));
    expect(book.submit(limitOrder('r1', 'A', 'buy', '100.001', 5)).rejected).toBe('invalid_tick');
    expect(book.size).toBe(0);
    const halted = new OrderBook({ ...TEST_INSTRUMENT, halted: true });
    expect(halted.submit(limitOrder('h1', 'A', 'buy', '100', 5)).rejected).toBe('instrument_halted');
    expect(halted.size).toBe(0);
  });

  it('cancels a live order and refuses an unknown or gone one', () => {
    const book = new OrderBook(TEST_INSTRUMENT);
    book.submit(limitOrder('b1', 'A', 'buy', '100', 5));
    book.submit(limitOrder('b2', 'A', 'buy', '100', 5));
    book.submit(limitOrder('s1', 'B', 'sell', '100', 2));
    expect(book.cancel('b1')).toEqual({ quantity: 5, cumQty: 2, leavesQty: 0, cumNotional: 2n * px('100'), status: 'cancelled' });
    expect(book.cancel('b1')).toBeNull();
    expect(book.cancel('nope')).toBeNull();
    expect(book.orders('buy').map((o) => o.id)).toEqual(['b2']);
  });

  it('refuses an id that is already resting', () => {
    const book = new OrderBook(TEST_INSTRUMENT);
    book.submit(limitOrder('b1', 'A', 'buy', '100', 5));
    expect(() => book.submit(limitOrder('b1', 'A', 'buy', '100', 5))).toThrow(MatchingError);
  });

  it('hands the engine only the reachable prefix of the book', () => {
    const book = new OrderBook(TEST_INSTRUMENT);
    for (let i = 0; i < 50; i++) book.submit(limitOrder(`s${i}`, 'B', 'sell', `${100 + i}`, 1));
    book.submit(limitOrder('own', 'A', 'sell', '100', 1)); // behind s0, ahead of s1 by price
    const result = book.submit(limitOrder('b1', 'A', 'buy', '101', 2));
    expect(result.events.map((e) => (e.kind === 'trade' ? e.restingOrderId : `x${e.orderId}`))).toEqual(['s0', 'xown', 's1']);
    expect(book.bestAsk()).toBe(px('102'));
  });
});
