import { createRestClient, RestApiError, type RestClient } from '@execn/client';
import { startApiHarness, type ApiHarness } from './test-support/api-harness';

/** Resolves to the RestApiError a call throws (fails the test when it does not throw one). */
async function refusal(call: Promise<unknown>): Promise<RestApiError> {
  const err = await call.then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  );
  if (!(err instanceof RestApiError)) throw err;
  return err;
}

/** `@execn/client`'s REST client against the real api (real HTTP, PostgreSQL): typed answers and typed refusals. */
describe('createRestClient against the api', () => {
  let api: ApiHarness;
  let alice: RestClient;
  let bob: RestClient;

  beforeAll(async () => {
    // 1 order a second, burst 2: the third order in a row is a 429.
    api = await startApiHarness({ orderRateLimitPerSecond: 1 });
    const [aliceToken, bobToken] = await api.traders('rc-alice', 'rc-bob');
    await api.db.sql`insert into instruments (symbol, tick_size) values ('RCX', '0.01')`;
    // A trailing slash is fine; a token function is called per request.
    alice = createRestClient({ baseUrl: `${api.url}/`, token: aliceToken! });
    bob = createRestClient({ baseUrl: api.url, token: async () => bobToken! });
  });
  afterAll(async () => api?.close());

  it('places, reads, lists and cancels orders and reads reports, then says why and when to retry a refusal', async () => {
    const placed = await alice.placeOrder({ symbol: 'RCX', side: 'buy', type: 'limit', quantity: 5, price: '10.50', clientOrderId: 'rc-1' });
    expect(placed.order).toMatchObject({ symbol: 'RCX', status: 'working', price: '10.5', leavesQty: 5, clientOrderId: 'rc-1' });
    expect(placed.reports.map((r) => r.execType)).toEqual(['new']);

    // A repeated clientOrderId is the contract's 409, with its code (a retry that already went through).
    const duplicate = await refusal(alice.placeOrder({ symbol: 'RCX', side: 'buy', type: 'limit', quantity: 5, price: '10.50', clientOrderId: 'rc-1' }));
    expect(duplicate).toMatchObject({ status: 409, code: 'duplicate_client_order_id', retryable: false });

    // Over the rate: 429 rate_limited with Retry-After in seconds, nothing written.
    const limited = await refusal(alice.placeOrder({ symbol: 'RCX', side: 'buy', type: 'limit', quantity: 1, price: '10.00' }));
    expect(limited).toMatchObject({ status: 429, code: 'rate_limited', retryable: true });
    expect(limited.retryAfterSeconds).toBeGreaterThanOrEqual(1);

    expect(await alice.getOrder(placed.order.id)).toEqual(placed.order);
    const page = await alice.listOrders({ status: 'working', limit: 1 });
    expect(page.orders.map((o) => o.id)).toEqual([placed.order.id]);
    expect(page.nextCursor).toBeNull();
    expect((await alice.listReports({ sinceSeq: 0 })).lastSeq).toBe(1);

    // Another account's order does not exist for bob; a malformed id names the field.
    expect(await refusal(bob.getOrder(placed.order.id))).toMatchObject({ status: 404, code: 'not_found' });
    const invalid = await refusal(bob.listOrders({ limit: 5000 }));
    expect(invalid).toMatchObject({ status: 400, code: 'validation_error' });
    expect(invalid.fields).toEqual([{ field: 'limit', message: expect.any(String) }]);

    await new Promise((r) => setTimeout(r, limited.retryAfterSeconds! * 1000));
    const cancelled = await alice.cancelOrder(placed.order.id);
    expect(cancelled.order.status).toBe('cancelled');
    expect(cancelled.reports.map((r) => [r.execType, r.reason])).toEqual([['cancelled', 'user_requested']]);
    expect((await alice.listReports({ sinceSeq: 1 })).reports.map((r) => r.seq)).toEqual([2]);

    const expired = createRestClient({ baseUrl: api.url, token: await api.token('rc-alice', 'trader', -10) });
    expect(await refusal(expired.listOrders())).toMatchObject({ status: 401, code: 'unauthorized' });
  });
});
