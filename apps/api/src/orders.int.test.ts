import { signToken } from '@execn/auth';
import { startApiHarness, type ApiHarness } from './test-support/api-harness';

let api: ApiHarness;
let alice: string;
let bob: string;

async function counts(): Promise<{ orders: number; events: number; trades: number }> {
  const [row] = await api.db.sql<{ orders: number; events: number; trades: number }[]>`
    select (select count(*) from orders)::int as orders, (select count(*) from outbox_events)::int as events,
           (select count(*) from trades)::int as trades`;
  return row!;
}

beforeAll(async () => {
  api = await startApiHarness();
  await api.db.sql`insert into accounts (id, email) values ('alice', 'alice@example.test'), ('bob', 'bob@example.test')`;
  await api.db.sql`insert into instruments (symbol, tick_size) values ('AAPL', '0.01')`;
  alice = await api.token('alice');
  bob = await api.token('bob');
});
afterAll(async () => api.close());

describe('authentication', () => {
  it.each([
    ['missing', undefined],
    ['malformed', 'not-a-jwt'],
  ])('refuses a %s token with 401 unauthorized', async (_label, token) => {
    const res = await api.call('GET', '/v1/orders', token === undefined ? {} : { token });
    expect(res).toEqual({ status: 401, body: { error: { code: 'unauthorized', message: expect.any(String) } } });
  });

  it('refuses an expired token and a forged one', async () => {
    const expired = await signToken('test-secret-0123456789-0123456789-0123456789', { accountId: 'alice' }, -60);
    const forged = await signToken('another-secret-0123456789-0123456789-0123', { accountId: 'alice' });
    expect((await api.call('GET', '/v1/orders', { token: expired })).status).toBe(401);
    expect((await api.call('POST', '/v1/orders', { token: forged, body: {} })).status).toBe(401);
  });

  it('refuses admin routes to a trader with 403 forbidden', async () => {
    const res = await api.call('POST', '/admin/instruments', { token: alice, body: { symbol: 'X', tickSize: '1' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });
});

describe('orders over HTTP', () => {
  it('places, reads, trades and cancels; reports carry eventIds and seqs', async () => {
    const sell = await api.call('POST', '/v1/orders', {
      token: alice,
      body: { symbol: 'AAPL', side: 'sell', type: 'limit', quantity: 10, price: '100.50', clientOrderId: 'a-1' },
    });
    expect(sell.status).toBe(201);
    expect(sell.body.order).toMatchObject({ status: 'working', timeInForce: 'GTC', price: '100.5', clientOrderId: 'a-1' });
    expect(sell.body.reports).toEqual([expect.objectContaining({ execType: 'new', eventId: expect.any(String), seq: expect.any(Number) })]);

    const buy = await api.call('POST', '/v1/orders', {
      token: bob,
      body: { symbol: 'AAPL', side: 'buy', type: 'market', quantity: 4 },
    });
    expect(buy.status).toBe(201);
    expect(buy.body.order).toMatchObject({ status: 'filled', timeInForce: 'IOC', price: null, avgPx: '100.5', cumQty: 4 });
    expect(buy.body.reports.map((r: { execType: string }) => r.execType)).toEqual(['new', 'trade']);

    const got = await api.call('GET', `/v1/orders/${sell.body.order.id}`, { token: alice });
    expect(got.body).toMatchObject({ status: 'partially_filled', cumQty: 4, leavesQty: 6 });

    const since = sell.body.reports[0].seq;
    const reports = await api.call('GET', `/v1/execution-reports?sinceSeq=${since}`, { token: alice });
    expect(reports.body.reports).toEqual([
      expect.objectContaining({ execType: 'trade', tradeId: buy.body.reports[1].tradeId, seq: since + 1, lastQty: 4 }),
    ]);
    expect(reports.body.lastSeq).toBe(since + 1);

    // Another account's order is not found, whether read or cancelled.
    expect((await api.call('GET', `/v1/orders/${sell.body.order.id}`, { token: bob })).status).toBe(404);
    expect((await api.call('DELETE', `/v1/orders/${sell.body.order.id}`, { token: bob })).status).toBe(404);
    expect((await api.call('GET', '/v1/orders/00000000-0000-4000-8000-000000000000', { token: bob })).body.error.code).toBe(
      'not_found',
    );

    const cancel = await api.call('DELETE', `/v1/orders/${sell.body.order.id}`, { token: alice });
    expect(cancel.status).toBe(200);
    expect(cancel.body.order).toMatchObject({ status: 'cancelled', reason: 'user_requested', leavesQty: 0 });
    expect(cancel.body.reports).toEqual([expect.objectContaining({ execType: 'cancelled', reason: 'user_requested' })]);
    const again = await api.call('DELETE', `/v1/orders/${sell.body.order.id}`, { token: alice });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('order_not_cancelable');
  });

  it('a business reject is 201 with a rejected order', async () => {
    const res = await api.call('POST', '/v1/orders', {
      token: alice,
      body: { symbol: 'MSFT', side: 'buy', type: 'limit', quantity: 1, price: '1' },
    });
    expect(res.status).toBe(201);
    expect(res.body.order).toMatchObject({ status: 'rejected', reason: 'unknown_symbol' });
    expect(res.body.reports).toEqual([expect.objectContaining({ execType: 'rejected', reason: 'unknown_symbol' })]);
  });

  it('a repeated clientOrderId is 409 duplicate_client_order_id and writes nothing', async () => {
    const body = { symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 1, price: '1', clientOrderId: 'dup' };
    expect((await api.call('POST', '/v1/orders', { token: alice, body })).status).toBe(201);
    const before = await counts();
    const res = await api.call('POST', '/v1/orders', { token: alice, body });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('duplicate_client_order_id');
    expect(await counts()).toEqual(before);
  });

  it('an order on a token whose account does not exist is 403 unknown_account and writes nothing', async () => {
    const before = await counts();
    const res = await api.call('POST', '/v1/orders', {
      token: await api.token('ghost'),
      body: { symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 1, price: '1' },
    });
    expect(res).toEqual({ status: 403, body: { error: { code: 'unknown_account', message: 'Account ghost does not exist' } } });
    expect(await counts()).toEqual(before);
  });

  const base = { symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 5, price: '10' };
  it.each([
    ['an unknown field', { ...base, colour: 'red' }, ['colour']],
    ['a price on a market order', { ...base, type: 'market' }, ['price']],
    ['GTC on a market order', { symbol: 'AAPL', side: 'buy', type: 'market', quantity: 1, timeInForce: 'GTC' }, ['timeInForce']],
    ['a lower-case symbol', { ...base, symbol: 'aapl' }, ['symbol']],
    ['a fractional quantity', { ...base, quantity: 1.5 }, ['quantity']],
    ['a zero quantity', { ...base, quantity: 0 }, ['quantity']],
    ['a quantity as a string', { ...base, quantity: '5' }, ['quantity']],
    ['a price with 9 decimals', { ...base, price: '1.000000001' }, ['price']],
    ['a negative price', { ...base, price: '-1' }, ['price']],
    ['a zero price', { ...base, price: '0' }, ['price']],
    ['a price as a JSON number', { ...base, price: 10.5 }, ['price']],
    ['a limit order without a price', { symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 1 }, ['price']],
    ['several bad fields', { symbol: 'x', side: 'up', type: 'limit', quantity: -1, price: '1', extra: 1 }, ['extra', 'symbol', 'side', 'quantity']],
  ])('refuses %s with 400 naming the field, writing nothing', async (_label, body, fields) => {
    const before = await counts();
    const res = await api.call('POST', '/v1/orders', { token: alice, body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    const named = res.body.error.details.map((d: { field: string }) => d.field);
    expect(named.sort()).toEqual([...fields].sort());
    expect(await counts()).toEqual(before);
  });

  it('refuses malformed JSON with 400 and a body over 64 KiB with 413', async () => {
    const malformed = await api.call('POST', '/v1/orders', { token: alice, raw: '{"symbol": "AAPL",' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('validation_error');
    const huge = await api.call('POST', '/v1/orders', { token: alice, body: { ...base, clientOrderId: 'x'.repeat(70_000) } });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
  });

  it('lists the caller’s orders newest first with a cursor; limit above 1000 is 400', async () => {
    const carol = await api.token('carol');
    await api.db.sql`insert into accounts (id, email) values ('carol', 'carol@example.test')`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await api.call('POST', '/v1/orders', { token: carol, body: { ...base, price: '1' } })).body.order.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { orders: { id: string }[]; nextCursor: string | null } } = await api.call(
        'GET',
        `/v1/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: carol },
      );
      expect(page.body.orders.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.orders.map((o) => o.id));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([...ids].reverse());
    expect((await api.call('GET', '/v1/orders?status=filled', { token: carol })).body).toEqual({ orders: [], nextCursor: null });
    const tooMany = await api.call('GET', '/v1/orders?limit=1001', { token: carol });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details).toEqual([expect.objectContaining({ field: 'limit' })]);
    expect((await api.call('GET', '/v1/execution-reports?sinceSeq=-1', { token: carol })).status).toBe(400);
  });
});

describe('health and metrics', () => {
  it('answers /healthz, /readyz and /metrics without a token', async () => {
    expect(await api.call('GET', '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await api.call('GET', '/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
    const metrics = await api.call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('http_request_duration_seconds_bucket');
    expect(metrics.body).toContain('route="/v1/orders/"');
  });

  it('answers unknown paths with a JSON 404', async () => {
    expect(await api.call('GET', '/nope')).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'Not found' } } });
  });
});
