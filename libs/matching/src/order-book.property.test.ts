import fc from 'fast-check';
import { DECIMAL_SCALE } from './decimal';
import type { MatchEvent, MatchResult } from './match-result';
import { OrderBook } from './test-support/order-book';
import { avgPxOf, isFinal, type OrderState } from './order-state';
import { px } from './test-support/order-fixtures';
import { ReferenceBook } from './test-support/reference-book';
import type { IncomingOrder, InstrumentRules, Side } from './types';

// A small grid (7 levels, 3 accounts, small quantities) so that random streams
// cross often, hit self-trades, partial fills and several levels per order.
const INSTRUMENT: InstrumentRules = { symbol: 'PROP', tickSize: px('0.25'), lotSize: 1, halted: false };
const BASE_PRICE = px('100');
const OFF_TICK = px('0.01');

type Command =
  | {
      kind: 'order';
      accountId: string;
      side: Side;
      market: boolean;
      ioc: boolean;
      level: number;
      offTick: boolean;
      quantity: number;
    }
  | { kind: 'cancel'; pick: number };

const orderCommand: fc.Arbitrary<Command> = fc.record({
  kind: fc.constant('order' as const),
  accountId: fc.constantFrom('A', 'B', 'C'),
  side: fc.constantFrom<Side>('buy', 'sell'),
  market: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
  ioc: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  level: fc.integer({ min: 0, max: 6 }),
  offTick: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
  quantity: fc.integer({ min: 1, max: 12 }),
});
const cancelCommand: fc.Arbitrary<Command> = fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() });
const commandStream = fc.array(
  fc.oneof({ arbitrary: orderCommand, weight: 5 }, { arbitrary: cancelCommand, weight: 1 }),
  { maxLength: 60 },
);

function toIncoming(command: Extract<Command, { kind: 'order' }>, id: string): IncomingOrder {
  const { accountId, side, quantity } = command;
  if (command.market) return { id, accountId, side, type: 'market', timeInForce: 'IOC', price: null, quantity };
  const price = BASE_PRICE + BigInt(command.level) * INSTRUMENT.tickSize + (command.offTick ? OFF_TICK : 0n);
  const timeInForce = command.ioc ? 'IOC' : 'GTC';
  return { id, accountId, side, type: 'limit', timeInForce, price, quantity };
}

/** What the test itself saw happen to one order, independent of the engine's bookkeeping. */
interface Tracked {
  side: Side;
  accountId: string;
  quantity: number;
  state: OrderState;
  tradedQty: number;
  tradedNotional: bigint;
}

function describeEvent(e: MatchEvent): string {
  return e.kind === 'trade' ? `trade ${e.restingOrderId} ${e.quantity}@${e.price}` : `cancel ${e.orderId} ${e.reason}`;
}

/** Folds one match result into the trackers, checking each event as it goes. */
function recordResult(tracked: Map<string, Tracked>, incoming: IncomingOrder, result: MatchResult): void {
  const taker = tracked.get(incoming.id) as Tracked;
  for (const event of result.events) {
    if (event.kind !== 'trade') continue;
    const maker = tracked.get(event.restingOrderId);
    if (maker === undefined) throw new Error(`trade against unknown order ${event.restingOrderId}`);
    expect(maker.accountId).not.toBe(taker.accountId); // no self-trade
    expect(maker.side).not.toBe(taker.side);
    for (const party of [taker, maker]) {
      party.tradedQty += event.quantity;
      party.tradedNotional += BigInt(event.quantity) * event.price;
    }
    expect(event.incomingState.cumQty).toBe(taker.tradedQty);
    expect(event.restingState.cumQty).toBe(maker.tradedQty);
    expect(event.restingState.cumNotional).toBe(maker.tradedNotional);
  }
  taker.state = result.incoming;
  for (const update of result.updatedResting) (tracked.get(update.id) as Tracked).state = update.state;
}

/** avgPx is the nearest 1e-8 unit to notional / cumQty, an exact half going to the even unit. */
function expectHalfEvenAverage(state: OrderState, notional: bigint): void {
  const avg = avgPxOf(state);
  if (state.cumQty === 0) {
    expect(avg).toBeNull();
    return;
  }
  if (avg === null) throw new Error('avgPx missing after a fill');
  const qty = BigInt(state.cumQty);
  const error = avg * qty - notional;
  const absError = error < 0n ? -error : error;
  expect(absError * 2n <= qty).toBe(true);
  if (absError * 2n === qty) expect(avg % 2n).toBe(0n);
}

function checkInvariants(book: OrderBook, reference: ReferenceBook, tracked: Map<string, Tracked>): void {
  const bid = book.bestBid();
  const ask = book.bestAsk();
  if (bid !== null && ask !== null) expect(bid < ask).toBe(true);
  for (const side of ['buy', 'sell'] as const) {
    expect(book.orders(side).map((o) => [o.id, o.leavesQty])).toEqual(reference.orders(side));
  }

  let boughtQty = 0;
  let soldQty = 0;
  for (const [id, t] of tracked) {
    const { state } = t;
    expect(state.quantity).toBe(t.quantity);
    expect(state.cumQty).toBe(t.tradedQty);
    expect(state.cumNotional).toBe(t.tradedNotional);
    expect(state.cumQty).toBeLessThanOrEqual(state.quantity);
    expectHalfEvenAverage(state, t.tradedNotional);
    const resting = book.get(id);
    if (isFinal(state.status)) {
      expect(state.leavesQty).toBe(0);
      expect(resting).toBeUndefined();
      if (state.status === 'filled') expect(state.cumQty).toBe(state.quantity);
      if (state.status === 'rejected') expect(state.cumQty).toBe(0);
    } else {
      expect(state.cumQty + state.leavesQty).toBe(state.quantity);
      expect(state.status).toBe(state.cumQty === 0 ? 'working' : 'partially_filled');
      expect(resting).toMatchObject({ cumQty: state.cumQty, leavesQty: state.leavesQty, cumNotional: state.cumNotional });
    }
    if (t.side === 'buy') boughtQty += t.tradedQty;
    else soldQty += t.tradedQty;
  }
  expect(boughtQty).toBe(soldQty);
}

describe('OrderBook properties (random order streams against a brute-force oracle)', () => {
  it('matches like the oracle and keeps every invariant', () => {
    fc.assert(
      fc.property(commandStream, (commands) => {
        const book = new OrderBook(INSTRUMENT);
        const reference = new ReferenceBook(INSTRUMENT);
        const tracked = new Map<string, Tracked>();
        const ids: string[] = [];
        for (const command of commands) {
          if (command.kind === 'cancel') {
            if (ids.length === 0) continue;
            const id = ids[command.pick % ids.length] as string;
            const cancelled = book.cancel(id);
            expect(cancelled !== null).toBe(reference.cancel(id));
            if (cancelled !== null) (tracked.get(id) as Tracked).state = cancelled;
          } else {
            const id = `o${ids.length + 1}`;
            ids.push(id);
            const incoming = toIncoming(command, id);
            tracked.set(id, {
              side: incoming.side,
              accountId: incoming.accountId,
              quantity: incoming.quantity,
              state: { quantity: incoming.quantity, cumQty: 0, leavesQty: incoming.quantity, cumNotional: 0n, status: 'working' },
              tradedQty: 0,
              tradedNotional: 0n,
            });
            const result = book.submit(incoming);
            const expected = reference.submit(incoming);
            expect(result.rejected).toBe(expected.rejected);
            expect(result.events.map(describeEvent)).toEqual(expected.events);
            expect(result.rests).toBe(expected.rests);
            recordResult(tracked, incoming, result);
          }
          checkInvariants(book, reference, tracked);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never leaves the book crossed, even with many accounts and one price', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom<Side>('buy', 'sell'), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 5 })),
          { maxLength: 80 },
        ),
        (orders) => {
          const book = new OrderBook(INSTRUMENT);
          const price = 100n * DECIMAL_SCALE;
          orders.forEach(([side, account, quantity], i) => {
            book.submit({ id: `o${i}`, accountId: `acc${account}`, side, type: 'limit', timeInForce: 'GTC', price, quantity });
            expect(book.bestBid() === null || book.bestAsk() === null).toBe(true);
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});
