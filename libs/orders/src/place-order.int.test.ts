import type { ExecutionReport } from '@execn/contracts';
import { createTestDatabase, type TestDatabase } from '@execn/testing';
import { cancelOrder, getOrder, listOrders, listReports, placeOrder, placeOrders, type PlaceOrderInput } from './index';
import { findViolations } from './test-support/invariants';
import { seed } from './test-support/seed';

let db: TestDatabase;
const A = { accountId: 'acc-a' };
const B = { accountId: 'acc-b' };
const C = { accountId: 'acc-c' };

function limit(side: 'buy' | 'sell', quantity: number, price: string, extra: Partial<PlaceOrderInput> = {}): PlaceOrderInput {
  return { symbol: 'AAPL', side, type: 'limit', quantity, price, timeInForce: 'GTC', clientOrderId: null, ...extra };
}
function market(side: 'buy' | 'sell', quantity: number, extra: Partial<PlaceOrderInput> = {}): PlaceOrderInput {
  return { symbol: 'AAPL', side, type: 'market', quantity, price: null, timeInForce: 'IOC', clientOrderId: null, ...extra };
}
const brief = (r: ExecutionReport) => [r.execType, r.status, r.lastQty, r.lastPx, r.cumQty, r.leavesQty, r.avgPx, r.reason];

beforeAll(async () => {
  db = await createTestDatabase();
  await seed(db.sql, {
    accounts: ['acc-a', 'acc-b', 'acc-c'],
    instruments: [{ symbol: 'AAPL', tickSize: '0.05', lotSize: 1 }, { symbol: 'HALT', halted: true }, { symbol: 'LOT', lotSize: 10 }],
  });
});
afterAll(async () => db.drop());
beforeEach(async () => {
  // Each test starts with an empty book: cancel what rests, the way a user would.
  const live = await db.sql<{ id: string; account_id: string }[]>`
    select id, account_id from orders where status in ('working', 'partially_filled')`;
  for (const o of live) await cancelOrder(db.sql, { accountId: o.account_id }, o.id);
});

describe('placeOrder report chains', () => {
  it('a resting GTC order gets one new report and is on the book', async () => {
    const res = await placeOrder(db.sql, A, limit('sell', 100, '101.25', { clientOrderId: 'rest-1' }));
    expect(res.order).toMatchObject({ status: 'working', cumQty: 0, leavesQty: 100, price: '101.25', avgPx: null, clientOrderId: 'rest-1' });
    expect(res.reports.map(brief)).toEqual([['new', 'working', null, null, 0, 100, null, null]]);
    expect(res.reports[0]).toMatchObject({ orderId: res.order.id, accountId: 'acc-a', symbol: 'AAPL', quantity: 100, tradeId: null });
    expect(typeof res.reports[0]!.eventId).toBe('string');
  });

  it('answers each report exactly as its outbox row stores it (seq and execId included)', async () => {
    await placeOrder(db.sql, B, limit('sell', 5, '50'));
    const res = await placeOrder(db.sql, A, limit('buy', 10, '50'));
    expect(res.reports.map((r) => r.execType)).toEqual(['new', 'trade']);
    for (const { eventId, ...report } of res.reports) {
      const [row] = await db.sql<{ seq: string; payload: unknown }[]>`select seq::text, payload from outbox_events where id = ${eventId}`;
      expect(row!.payload).toEqual(report);
      expect(Number(row!.seq)).toBe(report.seq);
      expect(report.execId).toBe(`${report.orderId}:${report.seq}`);
    }
  });

  it('a crossing order trades on both sides at the resting price with one tradeId, walking levels', async () => {
    const s1 = await placeOrder(db.sql, A, limit('sell', 30, '101.00'));
    const s2 = await placeOrder(db.sql, B, limit('sell', 50, '101.50'));
    const buy = await placeOrder(db.sql, C, limit('buy', 60, '102.00'));
    expect(buy.reports.map(brief)).toEqual([
      ['new', 'working', null, null, 0, 60, null, null],
      ['trade', 'partially_filled', 30, '101', 30, 30, '101', null],
      ['trade', 'filled', 30, '101.5', 60, 0, '101.25', null],
    ]);
    const [sellA] = (await listReports(db.sql, A, { sinceSeq: s1.reports[0]!.seq })).reports;
    const sellB = (await listReports(db.sql, B, { sinceSeq: s2.reports[0]!.seq })).reports;
    expect(brief(sellA!)).toEqual(['trade', 'filled', 30, '101', 30, 0, '101', null]);
    expect(sellB.map(brief)).toEqual([['trade', 'partially_filled', 30, '101.5', 30, 20, '101.5', null]]);
    expect(sellA!.tradeId).toBe(buy.reports[1]!.tradeId);
    expect(sellB[0]!.tradeId).toBe(buy.reports[2]!.tradeId);
    expect(buy.reports[1]!.tradeId).not.toBe(buy.reports[2]!.tradeId);
    expect((await getOrder(db.sql, B, s2.order.id)).leavesQty).toBe(20);
    const [{ n }] = (await db.sql<{ n: number }[]>`select count(*)::int as n from trades where buy_order_id = ${buy.order.id}`) as unknown as [{ n: number }];
    expect(n).toBe(2);
  });

  it('price then time priority: the older order at the best price fills first', async () => {
    const older = await placeOrder(db.sql, A, limit('buy', 10, '100'));
    const newer = await placeOrder(db.sql, B, limit('buy', 10, '100'));
    const worse = await placeOrder(db.sql, B, limit('buy', 10, '99.95'));
    await placeOrder(db.sql, C, limit('sell', 15, '99.95'));
    expect((await getOrder(db.sql, A, older.order.id)).status).toBe('filled');
    expect((await getOrder(db.sql, B, newer.order.id))).toMatchObject({ status: 'partially_filled', cumQty: 5 });
    expect((await getOrder(db.sql, B, worse.order.id)).status).toBe('working');
  });

  it('IOC and market remainders are cancelled with unfilled_remainder', async () => {
    await placeOrder(db.sql, A, limit('sell', 10, '50'));
    const ioc = await placeOrder(db.sql, B, limit('buy', 15, '50', { timeInForce: 'IOC' }));
    expect(ioc.reports.map(brief)).toEqual([
      ['new', 'working', null, null, 0, 15, null, null],
      ['trade', 'partially_filled', 10, '50', 10, 5, '50', null],
      ['cancelled', 'cancelled', null, null, 10, 0, '50', 'unfilled_remainder'],
    ]);
    const mkt = await placeOrder(db.sql, B, market('buy', 5));
    expect(mkt.reports.map(brief)).toEqual([
      ['new', 'working', null, null, 0, 5, null, null],
      ['cancelled', 'cancelled', null, null, 0, 0, null, 'unfilled_remainder'],
    ]);
    expect(mkt.order).toMatchObject({ status: 'cancelled', reason: 'unfilled_remainder', price: null });
  });

  it('self-trade prevention cancels the own resting order and goes on matching', async () => {
    const own = await placeOrder(db.sql, A, limit('sell', 10, '20'));
    const other = await placeOrder(db.sql, B, limit('sell', 10, '20.05'));
    const buy = await placeOrder(db.sql, A, limit('buy', 10, '21'));
    expect(buy.reports.map(brief)).toEqual([
      ['new', 'working', null, null, 0, 10, null, null],
      ['trade', 'filled', 10, '20.05', 10, 0, '20.05', null],
    ]);
    const ownNow = await getOrder(db.sql, A, own.order.id);
    expect(ownNow).toMatchObject({ status: 'cancelled', reason: 'self_trade_prevented', leavesQty: 0 });
    const reportsA = (await listReports(db.sql, A, { sinceSeq: own.reports[0]!.seq })).reports;
    // Seqs follow the events: A's new report, then the STP cancel, then A's fill.
    expect(reportsA.map((r) => [r.orderId, r.execType, r.reason])).toEqual([
      [buy.order.id, 'new', null],
      [own.order.id, 'cancelled', 'self_trade_prevented'],
      [buy.order.id, 'trade', null],
    ]);
    expect((await getOrder(db.sql, B, other.order.id)).status).toBe('filled');
  });

  it('avgPx is the quantity-weighted average, rounded half-even to 8 decimals', async () => {
    // A tick of 1e-8 makes sub-unit averages possible.
    await seed(db.sql, { instruments: [{ symbol: 'FINE', tickSize: '0.00000001' }] });
    const s = (q: number, p: string) => placeOrder(db.sql, A, { ...limit('sell', q, p), symbol: 'FINE' });
    await s(1, '1.00000001');
    await s(1, '1.00000002');
    const buy = await placeOrder(db.sql, B, { ...limit('buy', 2, '2'), symbol: 'FINE' });
    // (1.00000001 + 1.00000002) / 2 = 1.000000015 → half-even → 1.00000002
    expect(buy.order.avgPx).toBe('1.00000002');
    await s(1, '1.00000001');
    await s(1, '1.00000003');
    const buy2 = await placeOrder(db.sql, B, { ...limit('buy', 2, '2'), symbol: 'FINE' });
    // (1.00000001 + 1.00000003) / 2 = 1.00000002 exactly
    expect(buy2.order.avgPx).toBe('1.00000002');
    await s(3, '1.00000001');
    await s(1, '1.00000002');
    const buy3 = await placeOrder(db.sql, B, { ...limit('buy', 4, '2'), symbol: 'FINE' });
    // (3 * 1.00000001 + 1.00000002) / 4 = 1.0000000125 → 1.00000001
    expect(buy3.order.avgPx).toBe('1.00000001');
  });

  it.each([
    ['unknown_symbol', { symbol: 'NOPE' }],
    ['instrument_halted', { symbol: 'HALT', price: '1' }],
    ['invalid_tick', { price: '100.01' }],
    ['invalid_lot', { symbol: 'LOT', quantity: 15, price: '1' }],
  ])('a business reject %s is stored as rejected with one rejected report', async (reason, extra) => {
    const res = await placeOrder(db.sql, A, limit('buy', 10, '100', extra as Partial<PlaceOrderInput>));
    expect(res.order).toMatchObject({ status: 'rejected', reason, leavesQty: 0, cumQty: 0 });
    expect(res.reports.map(brief)).toEqual([['rejected', 'rejected', null, null, 0, 0, null, reason]]);
    expect((await getOrder(db.sql, A, res.order.id)).status).toBe('rejected');
  });

  it('user cancel: cancelled report with user_requested; a final order is 409; a foreign one 404', async () => {
    const o = await placeOrder(db.sql, A, limit('sell', 10, '300'));
    await placeOrder(db.sql, B, limit('buy', 4, '300'));
    await expect(cancelOrder(db.sql, B, o.order.id)).rejects.toMatchObject({ kind: 'not_found', code: 'not_found' });
    const res = await cancelOrder(db.sql, A, o.order.id);
    expect(res.order).toMatchObject({ status: 'cancelled', reason: 'user_requested', cumQty: 4, leavesQty: 0, avgPx: '300' });
    expect(res.reports.map(brief)).toEqual([['cancelled', 'cancelled', null, null, 4, 0, '300', 'user_requested']]);
    await expect(cancelOrder(db.sql, A, o.order.id)).rejects.toMatchObject({ kind: 'conflict', code: 'order_not_cancelable' });
    await expect(cancelOrder(db.sql, A, 'not-a-uuid')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('a duplicate clientOrderId is 409 and writes nothing; another account may reuse it', async () => {
    await placeOrder(db.sql, A, limit('buy', 1, '1', { clientOrderId: 'dup-1' }));
    const before = await db.sql`select (select count(*) from orders)::int as o, (select count(*) from outbox_events)::int as e`;
    await expect(placeOrder(db.sql, A, limit('buy', 1, '1', { clientOrderId: 'dup-1' }))).rejects.toMatchObject({
      kind: 'conflict',
      code: 'duplicate_client_order_id',
    });
    const after = await db.sql`select (select count(*) from orders)::int as o, (select count(*) from outbox_events)::int as e`;
    expect(after).toEqual(before);
    await expect(placeOrder(db.sql, B, limit('buy', 1, '1', { clientOrderId: 'dup-1' }))).resolves.toBeDefined();
  });

  it('lists orders newest first with keyset pagination and filters', async () => {
    await seed(db.sql, { accounts: ['acc-list'] });
    const L = { accountId: 'acc-list' };
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await placeOrder(db.sql, L, limit('buy', 1, '1'))).order.id);
    const p1 = await listOrders(db.sql, L, { limit: 2 });
    const p2 = await listOrders(db.sql, L, { limit: 2, cursor: p1.nextCursor });
    const p3 = await listOrders(db.sql, L, { limit: 2, cursor: p2.nextCursor });
    expect([...p1.orders, ...p2.orders, ...p3.orders].map((o) => o.id)).toEqual(ids.reverse());
    expect(p3.nextCursor).toBeNull();
    expect((await listOrders(db.sql, L, { status: 'filled' })).orders).toEqual([]);
    expect((await listOrders(db.sql, L, { symbol: 'AAPL', status: 'working' })).orders).toHaveLength(5);
  });

  it('one transaction for several orders: later orders match earlier ones; a refused order spares its batch-mates', async () => {
    const outcomes = await placeOrders(db.sql, [
      { trader: A, input: limit('sell', 10, '100', { clientOrderId: 'b-1' }) },
      { trader: B, input: limit('buy', 5, '100') },
      { trader: C, input: limit('buy', 10, '101') },
      { trader: A, input: limit('sell', 3, '99', { clientOrderId: 'b-1' }) },
      { trader: { accountId: 'nobody' }, input: limit('sell', 3, '99') },
      { trader: A, input: limit('sell', 3, '99') },
    ]);
    // Each order is answered as its own request left it, as if it had run alone.
    expect(outcomes.map((o) => (o.ok ? o.result.order.status : (o.error as { code: string }).code))).toEqual([
      'working',
      'filled',
      'partially_filled',
      'duplicate_client_order_id',
      'unknown_account',
      'filled',
    ]);
    const c = outcomes[2]!.ok ? outcomes[2]!.result : undefined;
    expect(c!.reports.map(brief)).toEqual([
      ['new', 'working', null, null, 0, 10, null, null],
      ['trade', 'partially_filled', 5, '100', 5, 5, '100', null],
    ]);
    // C's later fill by a batch-mate is reported (to C's account), but not in C's answer.
    expect((await getOrder(db.sql, C, c!.order.id)).cumQty).toBe(8);
    const last = outcomes[5]!.ok ? outcomes[5]!.result : undefined;
    expect(last!.reports.map(brief)).toEqual([
      ['new', 'working', null, null, 0, 3, null, null],
      ['trade', 'filled', 3, '101', 3, 0, '101', null],
    ]);
    expect(await findViolations(db.sql)).toEqual([]);
  });

  it('one transaction with several reports per account: the seqs of each account follow its events, gap-free', async () => {
    const lastSeq = async (t: { accountId: string }) => (await listReports(db.sql, t, { limit: 1 })).lastSeq;
    const [a0, b0] = [await lastSeq(A), await lastSeq(B)];
    // One transaction: A rests three asks; B's IOC sweeps them (new, three fills, the remainder cancelled).
    const outcomes = await placeOrders(db.sql, [
      { trader: A, input: limit('sell', 1, '10') },
      { trader: A, input: limit('sell', 1, '10.05') },
      { trader: A, input: limit('sell', 1, '10.10') },
      { trader: B, input: limit('buy', 5, '10.10', { timeInForce: 'IOC' }) },
    ]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const a = (await listReports(db.sql, A, { sinceSeq: a0 })).reports;
    const b = (await listReports(db.sql, B, { sinceSeq: b0 })).reports;
    expect(a.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6].map((k) => a0 + k));
    expect(a.map((r) => [r.execType, r.lastPx && Number(r.lastPx)])).toEqual([
      ['new', null], ['new', null], ['new', null], ['trade', 10], ['trade', 10.05], ['trade', 10.1],
    ]);
    expect(b.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5].map((k) => b0 + k));
    expect(b.map((r) => [r.execType, r.cumQty, r.reason])).toEqual([
      ['new', 0, null], ['trade', 1, null], ['trade', 2, null], ['trade', 3, null], ['cancelled', 3, 'unfilled_remainder'],
    ]);
    // Commit order is event order: within each account, a later seq has a later eventId.
    for (const chain of [a, b]) {
      const ids = chain.map((r) => BigInt(r.eventId));
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    }
    expect(await findViolations(db.sql)).toEqual([]);
  });

  it('walks a deep book in numeric price order, reading past the first chunk', async () => {
    // 40 asks from 100.00 up, then a better one at 99.00 that sorts after them as text.
    for (let i = 0; i < 40; i++) await placeOrder(db.sql, A, limit('sell', 1, `${100 + i / 10}`));
    const best = await placeOrder(db.sql, A, limit('sell', 1, '99'));
    const sweep = await placeOrder(db.sql, B, limit('buy', 38, '103.65'));
    expect(sweep.reports[1]).toMatchObject({ lastPx: '99', tradeId: expect.any(String) });
    expect(sweep.order).toMatchObject({ status: 'filled', cumQty: 38 });
    expect((await getOrder(db.sql, A, best.order.id)).status).toBe('filled');
    const bids = await placeOrder(db.sql, B, market('buy', 5));
    expect(bids.reports.filter((r) => r.execType === 'trade').map((r) => r.lastPx)).toEqual(['103.7', '103.8', '103.9']);
    expect(await findViolations(db.sql)).toEqual([]);
  });

  it('one transaction across symbols: each symbol matches its own book; an unknown symbol is rejected alone', async () => {
    await seed(db.sql, { instruments: [{ symbol: 'MSFT', tickSize: '0.01' }] });
    const outcomes = await placeOrders(db.sql, [
      { trader: A, input: limit('sell', 5, '10') },
      { trader: A, input: { ...limit('sell', 5, '20'), symbol: 'MSFT' } },
      { trader: B, input: { ...limit('buy', 5, '20'), symbol: 'MSFT' } },
      { trader: B, input: { ...limit('buy', 5, '10'), symbol: 'NOPE' } },
      { trader: C, input: limit('buy', 2, '10') },
    ]);
    const results = outcomes.map((o) => (o.ok ? o.result : undefined));
    expect(results.map((r) => [r?.order.symbol, r?.order.status, r?.order.avgPx])).toEqual([
      ['AAPL', 'working', null],
      ['MSFT', 'working', null],
      ['MSFT', 'filled', '20'],
      ['NOPE', 'rejected', null],
      ['AAPL', 'filled', '10'],
    ]);
    expect(await findViolations(db.sql)).toEqual([]);
  });
});
