import { DomainError } from '@execn/contracts';
import { createTestDatabase, type TestDatabase } from '@execn/testing';
import { lockSymbol, OrderBatcher, type PlaceOrderInput } from './index';
import { seed } from './test-support/seed';

/**
 * The intake deadline's race (issue 11 item 2): an order's deadline may fire
 * in the same instant as a transaction takes it. Whatever the timing, an
 * order answered `overloaded` is never written, and an order answered with a
 * result is. Each round holds the symbol's lock, so orders queue, and frees
 * it at a random moment around their deadlines. Real PostgreSQL.
 */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ max: 4 });
  await seed(db.sql, { accounts: ['racer'], instruments: [{ symbol: 'RACE', tickSize: '0.01' }] });
});
afterAll(async () => db.drop());

const input = (clientOrderId: string): PlaceOrderInput => ({
  symbol: 'RACE',
  side: 'buy',
  type: 'limit',
  quantity: 1,
  price: '1.00',
  timeInForce: 'GTC',
  clientOrderId,
});
/** Holds RACE's symbol lock in a transaction of its own (as another api's long transaction would) until `release()`. */
async function holdSymbolLock() {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const holder = db.sql.begin(async (tx) => {
    await lockSymbol(tx, 'RACE');
    locked();
    await released;
  });
  await isLocked;
  return { release: async () => (release(), await holder) };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('never writes an order it answered overloaded, and always writes one it answered with a result, whenever the deadline fires', async () => {
  const batcher = new OrderBatcher(db.sql, { maxBatch: 4, maxConcurrent: 1, queueDeadlineMs: 30 });
  const answers = new Map<string, 'placed' | 'overloaded'>();
  const pending: Promise<void>[] = [];
  let n = 0;
  for (let round = 0; round < 20; round++) {
    const lock = await holdSymbolLock();
    setTimeout(() => void lock.release(), 10 + Math.random() * 50);
    for (let i = 0; i < 12; i++) {
      const id = `r${n++}`;
      pending.push(
        batcher.place({ accountId: 'racer' }, input(id)).then(
          () => void answers.set(id, 'placed'),
          (err: unknown) => {
            if (!(err instanceof DomainError && err.code === 'overloaded')) throw err;
            answers.set(id, 'overloaded');
          },
        ),
      );
      await sleep(Math.random() * 8);
    }
    await lock.release();
  }
  await Promise.all(pending);
  await batcher.idle();
  const written = new Set(
    (await db.sql<{ id: string }[]>`select client_order_id as id from orders where account_id = 'racer'`).map((r) => r.id),
  );
  const wrong = [...answers].filter(([id, answer]) => (answer === 'placed') !== written.has(id));
  const counts = { placed: [...answers.values()].filter((a) => a === 'placed').length, overloaded: [...answers.values()].filter((a) => a === 'overloaded').length };
  console.log(`intake deadline race: ${answers.size} orders, ${counts.placed} placed, ${counts.overloaded} overloaded, ${wrong.length} answered wrongly`);
  expect(answers.size).toBe(n);
  // Both outcomes happened, so the race was really run.
  expect(counts.placed).toBeGreaterThan(0);
  expect(counts.overloaded).toBeGreaterThan(0);
  expect(wrong).toEqual([]);
  expect(written.size).toBe(counts.placed);
}, 30_000);

it('refuses an order at once when maxQueued orders wait, and takes orders again once they have gone', async () => {
  const batcher = new OrderBatcher(db.sql, { maxBatch: 4, maxConcurrent: 1, maxQueued: 2, queueDeadlineMs: 60_000 });
  const lock = await holdSymbolLock();
  const taken = batcher.place({ accountId: 'racer' }, input('full-0'));
  const queued = [batcher.place({ accountId: 'racer' }, input('full-1')), batcher.place({ accountId: 'racer' }, input('full-2'))];
  expect(batcher.queuedOrders).toBe(2);
  await expect(batcher.place({ accountId: 'racer' }, input('full-3'))).rejects.toMatchObject({ kind: 'overloaded', code: 'overloaded' });
  await lock.release();
  await Promise.all([taken, ...queued]);
  expect(batcher.queuedOrders).toBe(0);
  await batcher.place({ accountId: 'racer' }, input('full-4'));
  const ids = (await db.sql<{ id: string }[]>`select client_order_id as id from orders where client_order_id like 'full-%' order by 1`).map((r) => r.id);
  expect(ids).toEqual(['full-0', 'full-1', 'full-2', 'full-4']);
});
