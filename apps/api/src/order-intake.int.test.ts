import { lockSymbol } from '@execn/orders';
import { waitFor } from '@execn/testing';
import { startApiHarness, type ApiHarness } from './test-support/api-harness';

/**
 * Issue 11 item 2, the intake bound and the deadline (ORDER_INTAKE_MAX_QUEUED,
 * ORDER_INTAKE_DEADLINE_MS; here 3 orders and 1.5 s). The test holds the
 * symbol's advisory lock, as a long transaction of another api process would,
 * so the first order's transaction waits and the next ones queue in the api.
 * Over the bound: 503 `overloaded` with `Retry-After` at once; past the
 * deadline: 503 `overloaded`; a client that hangs up takes its queued order
 * with it. None of them is ever executed, even once the lock is released.
 * Real api and PostgreSQL, over HTTP.
 */
const DEADLINE_MS = 1_500;
let api: ApiHarness;
let alice: string;

beforeAll(async () => {
  api = await startApiHarness({ orders: { maxQueued: 3, queueDeadlineMs: DEADLINE_MS } });
  await api.db.sql`insert into accounts (id, email) values ('alice', 'alice@example.test')`;
  await api.db.sql`insert into instruments (symbol, tick_size) values ('AAPL', '0.01')`;
  alice = await api.token('alice');
});
afterAll(async () => api.close());

const order = (clientOrderId: string) => ({ symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 1, price: '1.00', clientOrderId });

/** POST /v1/orders as alice, keeping the Retry-After header and when the answer came. */
async function place(clientOrderId: string, signal?: AbortSignal) {
  const t0 = Date.now();
  const res = await fetch(`${api.url}/v1/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
    body: JSON.stringify(order(clientOrderId)),
    signal,
  });
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after'), ms: Date.now() - t0 };
}

/** Holds AAPL's symbol lock in a transaction of its own until `release()`. */
async function holdSymbolLock() {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const tx = api.db.sql.begin(async (t) => {
    await lockSymbol(t, 'AAPL');
    locked();
    await released;
  });
  await isLocked;
  return { release: async () => (release(), await tx) };
}

/** Transactions of the api waiting for an advisory lock (the order taken into a transaction, blocked). */
const lockWaiters = async () =>
  Number((await api.db.sql<{ n: string }[]>`select count(*)::text as n from pg_locks where locktype = 'advisory' and not granted`)[0]!.n);

const stored = async (ids: string[]) =>
  (await api.db.sql<{ id: string }[]>`select client_order_id as id from orders where client_order_id = any(${ids}) order by 1`).map((r) => r.id);
const reportsOf = async (ids: string[]) =>
  Number(
    (await api.db.sql<{ n: string }[]>`
      select count(*)::text as n from outbox_events e join orders o on o.id = e.order_id where o.client_order_id = any(${ids})`)[0]!.n,
  );

it('refuses an order beyond the queue bound at once, and queued orders past the deadline, with 503 overloaded; never executes them', async () => {
  const lock = await holdSymbolLock();
  try {
    const first = place('taken');
    await waitFor(async () => (await lockWaiters()) === 1, 5_000, 'the first order’s transaction waiting for the symbol');
    const queued = ['q1', 'q2', 'q3'].map((id) => place(id));
    await waitFor(() => api.orders.queuedOrders === 3, 2_000, 'three orders queued');
    const full = await place('over');
    expect(full.status).toBe(503);
    expect(full.body).toEqual({ error: { code: 'overloaded', message: expect.any(String) } });
    expect(full.retryAfter).toBe('1');
    expect(full.ms).toBeLessThan(DEADLINE_MS);

    const expired = await Promise.all(queued);
    for (const r of expired) {
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('overloaded');
      expect(r.retryAfter).toBe('1');
      expect(r.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 100);
    }
    await lock.release();
    expect((await first).status).toBe(201);
  } finally {
    await lock.release();
  }
  // The queue is free again, and nothing refused was written, then or later.
  expect((await place('after')).status).toBe(201);
  await new Promise((r) => setTimeout(r, 200));
  expect(await stored(['taken', 'q1', 'q2', 'q3', 'over', 'after'])).toEqual(['after', 'taken']);
  expect(await reportsOf(['q1', 'q2', 'q3', 'over'])).toBe(0);
});

it('drops a queued order whose client hung up: it is not executed when the symbol frees', async () => {
  const lock = await holdSymbolLock();
  let first: ReturnType<typeof place>;
  try {
    first = place('before-hangup');
    await waitFor(async () => (await lockWaiters()) === 1, 5_000, 'the first order’s transaction waiting for the symbol');
    const gaveUp = new AbortController();
    const abandoned = place('hung-up', gaveUp.signal).catch((err: Error) => err.name);
    await new Promise((r) => setTimeout(r, 300));
    gaveUp.abort();
    expect(await abandoned).toBe('AbortError');
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    await lock.release();
  }
  expect((await first).status).toBe(201);
  await new Promise((r) => setTimeout(r, 300));
  expect(await stored(['before-hangup', 'hung-up'])).toEqual(['before-hangup']);
});
