import fc from 'fast-check';
import { matchOrder } from './match-order';
import type { MatchEvent } from './match-result';
import { px } from './test-support/order-fixtures';
import { ReferenceBook } from './test-support/reference-book';
import type { IncomingOrder, InstrumentRules, RestingOrder, Side } from './types';

const INSTRUMENT: InstrumentRules = { symbol: 'PROP', tickSize: px('0.5'), lotSize: 1, halted: false };
const BASE_PRICE = px('50');

interface Scenario {
  incoming: IncomingOrder;
  /** Live contra orders, oldest first. */
  book: RestingOrder[];
  /** The same orders in the order the caller happens to pass them. */
  shuffled: RestingOrder[];
}

const priceAt = (level: number): bigint => BASE_PRICE + BigInt(level) * INSTRUMENT.tickSize;

// Candidates get distinct priorities in array order, so the array is the
// arrival order; the caller then passes them shuffled and possibly out of reach.
const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    side: fc.constantFrom<Side>('buy', 'sell'),
    account: fc.integer({ min: 0, max: 2 }),
    market: fc.boolean(),
    ioc: fc.boolean(),
    level: fc.integer({ min: 0, max: 6 }),
    quantity: fc.integer({ min: 1, max: 30 }),
    resting: fc.array(
      fc.record({
        account: fc.integer({ min: 0, max: 2 }),
        level: fc.integer({ min: 0, max: 6 }),
        leavesQty: fc.integer({ min: 1, max: 8 }),
        cumQty: fc.integer({ min: 0, max: 3 }),
        priorityGap: fc.integer({ min: 1, max: 1000 }),
      }),
      { maxLength: 25 },
    ),
  })
  .chain((s) => {
    const contraSide: Side = s.side === 'buy' ? 'sell' : 'buy';
    let priority = 0n;
    const book = s.resting.map((r, i): RestingOrder => {
      priority += BigInt(r.priorityGap);
      const price = priceAt(r.level);
      return {
        id: `r${i}`,
        accountId: `acc${r.account}`,
        side: contraSide,
        price,
        quantity: r.leavesQty + r.cumQty,
        cumQty: r.cumQty,
        leavesQty: r.leavesQty,
        cumNotional: BigInt(r.cumQty) * price,
        priority,
      };
    });
    const accountId = `acc${s.account}`;
    const incoming: IncomingOrder = s.market
      ? { id: 'in', accountId, side: s.side, type: 'market', timeInForce: 'IOC', price: null, quantity: s.quantity }
      : {
          id: 'in',
          accountId,
          side: s.side,
          type: 'limit',
          timeInForce: s.ioc ? 'IOC' : 'GTC',
          price: priceAt(s.level),
          quantity: s.quantity,
        };
    return fc
      .shuffledSubarray(book, { minLength: book.length, maxLength: book.length })
      .map((shuffled) => ({ incoming, book, shuffled }));
  });

function describeEvent(e: MatchEvent): string {
  return e.kind === 'trade' ? `trade ${e.restingOrderId} ${e.quantity}@${e.price}` : `cancel ${e.orderId} ${e.reason}`;
}

describe('matchOrder properties', () => {
  it('matches shuffled, partly unreachable candidates exactly like the brute-force oracle', () => {
    fc.assert(
      fc.property(scenario, ({ incoming, book, shuffled }) => {
        const reference = new ReferenceBook(INSTRUMENT);
        // Resting orders all sit on one side, so loading them oldest first
        // cannot trade and gives the oracle the same time priority.
        for (const r of book) {
          const { id, accountId, side, price, leavesQty: quantity } = r;
          reference.submit({ id, accountId, side, type: 'limit', timeInForce: 'GTC', price, quantity });
        }
        const expected = reference.submit(incoming);
        const result = matchOrder(incoming, INSTRUMENT, shuffled);
        expect(result.events.map(describeEvent)).toEqual(expected.events);
        expect(result.rests).toBe(expected.rests);
        expect(result.rejected).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same result whatever order the candidates come in', () => {
    fc.assert(
      fc.property(scenario, ({ incoming, book, shuffled }) => {
        expect(matchOrder(incoming, INSTRUMENT, shuffled)).toEqual(matchOrder(incoming, INSTRUMENT, book));
      }),
      { numRuns: 200 },
    );
  });

  it('touches each resting order at most once and only ever fills what it has', () => {
    fc.assert(
      fc.property(scenario, ({ incoming, shuffled }) => {
        const result = matchOrder(incoming, INSTRUMENT, shuffled);
        const ids = result.updatedResting.map((u) => u.id);
        expect(new Set(ids).size).toBe(ids.length);
        const byId = new Map(shuffled.map((r) => [r.id, r]));
        for (const { id, state } of result.updatedResting) {
          const before = byId.get(id) as RestingOrder;
          expect(state.quantity).toBe(before.quantity);
          expect(state.cumQty).toBeGreaterThanOrEqual(before.cumQty);
          expect(state.cumQty).toBeLessThanOrEqual(before.quantity);
          expect(state.leavesQty === 0 || state.cumQty + state.leavesQty === state.quantity).toBe(true);
        }
        const traded = result.events.reduce((sum, e) => sum + (e.kind === 'trade' ? e.quantity : 0), 0);
        expect(result.incoming.cumQty).toBe(traded);
      }),
      { numRuns: 200 },
    );
  });
});
