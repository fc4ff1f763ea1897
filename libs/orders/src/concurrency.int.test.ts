import { createTestDatabase, type TestDatabase } from '@execn/testing';
import { DomainError } from '@execn/contracts';
import { cancelOrder, OrderBatcher, placeOrder, type PlaceOrderInput } from './index';
import { findViolations } from './test-support/invariants';
import { seed } from './test-support/seed';

const ACCOUNTS = ['c-1', 'c-2', 'c-3', 'c-4', 'c-5', 'c-6'];
const CONNECTIONS = 8;

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ max: CONNECTIONS });
  await seed(db.sql, {
    accounts: ACCOUNTS,
    instruments: ['ONE', 'S1', 'S2', 'S3', 'S4'].map((symbol) => ({ symbol, tickSize: '0.01' })),
  });
});
afterAll(async () => db.drop());

/** A deterministic pseudo-random stream, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomOrder(r: () => number, symbols: string[]): PlaceOrderInput {
  const symbol = symbols[Math.floor(r() * symbols.length)]!;
  const side = r() < 0.5 ? 'buy' : 'sell';
  const quantity = 1 + Math.floor(r() * 10);
  if (r() < 0.1) return { symbol, side, type: 'market', quantity, price: null, timeInForce: 'IOC', clientOrderId: null };
  const cents = 9_990 + Math.floor(r() * 21); // 99.90 .. 100.10: rests and crosses
  const price = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  return { symbol, side, type: 'limit', quantity, price, timeInForce: r() < 0.15 ? 'IOC' : 'GTC', clientOrderId: null };
}

async function runTraders(
  symbols: string[],
  perConnection: number,
  place: (accountId: string, input: PlaceOrderInput) => Promise<{ order: { id: string; status: string } }>,
): Promise<number> {
  let placed = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, c) => {
      const r = rng(1000 + c);
      const mine: string[] = [];
      for (let i = 0; i < perConnection; i++) {
        const accountId = ACCOUNTS[Math.floor(r() * ACCOUNTS.length)]!;
        if (mine.length > 0 && r() < 0.1) {
          const id = mine.splice(Math.floor(r() * mine.length), 1)[0]!;
          const owner = (await db.sql`select account_id from orders where id = ${id}`)[0]!.account_id as string;
          await cancelOrder(db.sql, { accountId: owner }, id).catch((err: unknown) => {
            if (!(err instanceof DomainError && err.code === 'order_not_cancelable')) throw err;
          });
          continue;
        }
        const res = await place(accountId, randomOrder(r, symbols));
        placed++;
        if (res.order.status === 'working' || res.order.status === 'partially_filled') mine.push(res.order.id);
      }
    }),
  );
  return placed;
}

describe('concurrent order placement', () => {
  it('8 connections on ONE symbol: gap-free seqs, no over-fill, book not crossed, every state reported', async () => {
    const placed = await runTraders(['ONE'], 60, (accountId, input) => placeOrder(db.sql, { accountId }, input));
    expect(placed).toBeGreaterThan(400);
    const [row] = await db.sql<{ trades: number }[]>`select count(*)::int as trades from trades where symbol = 'ONE'`;
    expect(row!.trades).toBeGreaterThan(50);
    expect(await findViolations(db.sql)).toEqual([]);
  });

  it('8 connections through two batchers (two api processes) on 4 symbols sharing accounts: no deadlock, invariants hold', async () => {
    const batchers = [new OrderBatcher(db.sql, { maxBatch: 16 }), new OrderBatcher(db.sql, { maxBatch: 16 })];
    let n = 0;
    const placed = await runTraders(['S1', 'S2', 'S3', 'S4'], 60, (accountId, input) =>
      batchers[n++ % 2]!.place({ accountId }, input),
    );
    await Promise.all(batchers.map((b) => b.idle()));
    expect(placed).toBeGreaterThan(400);
    expect(await findViolations(db.sql)).toEqual([]);
  });

  it('the invariant check itself notices a seq gap and a crossed book', async () => {
    await db.sql`update accounts set report_seq = report_seq + 1 where id = 'c-1'`;
    await db.sql`insert into orders (id, account_id, symbol, side, type, time_in_force, price, quantity, leaves_qty, status)
      values (gen_random_uuid(), 'c-1', 'X', 'buy', 'limit', 'GTC', 10, 1, 1, 'working'),
             (gen_random_uuid(), 'c-2', 'X', 'sell', 'limit', 'GTC', 9, 1, 1, 'working')`;
    const problems = await findViolations(db.sql);
    expect(problems.some((p) => p.startsWith('seq gap: c-1'))).toBe(true);
    expect(problems.some((p) => p.startsWith('book crossed on X'))).toBe(true);
    expect(problems.some((p) => p.includes('has no report of its current state'))).toBe(true);
  });
});
