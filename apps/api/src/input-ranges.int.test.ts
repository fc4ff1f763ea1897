import { insertAccount, insertOrder } from '@execn/testing';
import { deletePrefixKeys, startOperatorHarness, type OperatorHarness } from './test-support/operator-harness';

/**
 * Issue 11 item 5: every id and cursor a client can send, out of range or
 * malformed, is a 400 `validation_error` naming the field, and writes nothing.
 * Before, a cursor above int8 reached PostgreSQL's `::bigint` cast: a 500 and
 * an error log line per request. Real api, PostgreSQL and Redis, over HTTP.
 */
let h: OperatorHarness;
let admin: string;
let trader: string;
let orderId: string;

const ABOVE_INT8 = '9223372036854775808'; // INT8_MAX + 1: still 19 digits
const INT8_MAX = '9223372036854775807';

beforeAll(async () => {
  h = await startOperatorHarness();
  admin = await h.token('ops-admin', 'admin');
  const account = await insertAccount(h.db.sql);
  trader = await h.token(account.id);
  orderId = await insertOrder(h.db.sql, { accountId: account.id });
});
afterAll(async () => {
  await h.close();
  await deletePrefixKeys(h.prefix);
});

const writes = async () =>
  (
    await h.db.sql<{ n: string }[]>`
      select ((select count(*) from audit_events) + (select count(*) from orders)
        + (select count(*) from outbox_events where generation > 1 or status <> 'pending'))::text as n`
  )[0]!.n;

describe('out-of-range and malformed ids and cursors', () => {
  // [method, path, who, field]
  const cases: Array<[string, string, 'trader' | 'admin', string]> = [
    ['GET', `/v1/orders?cursor=${ABOVE_INT8}`, 'trader', 'cursor'],
    ['GET', '/v1/orders?cursor=99999999999999999999999', 'trader', 'cursor'],
    ['GET', '/v1/orders?cursor=-1', 'trader', 'cursor'],
    ['GET', '/v1/orders?cursor=1e3', 'trader', 'cursor'],
    ['GET', '/v1/orders?cursor=1&cursor=2', 'trader', 'cursor'],
    ['GET', `/admin/audit?cursor=${ABOVE_INT8}`, 'admin', 'cursor'],
    ['GET', `/admin/outbox?cursor=${ABOVE_INT8}`, 'admin', 'cursor'],
    ['GET', `/admin/outbox/${ABOVE_INT8}`, 'admin', 'id'],
    ['GET', '/admin/outbox/0', 'admin', 'id'],
    ['GET', '/admin/outbox/12abc', 'admin', 'id'],
    ['POST', `/admin/outbox/${ABOVE_INT8}/requeue`, 'admin', 'id'],
    ['GET', '/v1/execution-reports?sinceSeq=99999999999999999999', 'trader', 'sinceSeq'],
    ['GET', '/v1/execution-reports?sinceSeq=-5', 'trader', 'sinceSeq'],
    ['GET', '/v1/orders/not-a-uuid', 'trader', 'id'],
    ['GET', `/v1/orders/${ABOVE_INT8}`, 'trader', 'id'],
    ['DELETE', '/v1/orders/not-a-uuid', 'trader', 'id'],
  ];

  it.each(cases)('%s %s as %s is 400 validation_error naming %s, writing nothing', async (method, path, who, field) => {
    const before = await writes();
    const res = await h.call(method, path, { token: who === 'admin' ? admin : trader });
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 400, code: 'validation_error' });
    expect(res.body.error.details).toEqual([expect.objectContaining({ field })]);
    expect(await writes()).toBe(before);
  });

  it('takes the largest int8 as a cursor and as an id (the range is not cut short)', async () => {
    const orders = await h.call('GET', `/v1/orders?cursor=${INT8_MAX}`, { token: trader });
    expect(orders.status).toBe(200);
    expect(orders.body.orders.map((o: { id: string }) => o.id)).toEqual([orderId]);
    expect((await h.call('GET', `/admin/audit?cursor=${INT8_MAX}`, { token: admin })).status).toBe(200);
    expect((await h.call('GET', `/admin/outbox?cursor=${INT8_MAX}`, { token: admin })).status).toBe(200);
    expect((await h.call('GET', `/admin/outbox/${INT8_MAX}`, { token: admin })).status).toBe(404);
  });

  it('still answers 404 for a well-formed order id that is unknown', async () => {
    const res = await h.call('GET', '/v1/orders/00000000-0000-4000-8000-000000000000', { token: trader });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
