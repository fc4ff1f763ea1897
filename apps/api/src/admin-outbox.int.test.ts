import { insertAccount, insertExecutionReports, insertOrder } from '@execn/testing';
import { basicAuth, deletePrefixKeys, startOperatorHarness, type OperatorHarness } from './test-support/operator-harness';

/**
 * The admin REST of CONTRACT section 5 for the outbox and the audit log, on a
 * real api (createApp on port 0), PostgreSQL and Redis: who may call it, what
 * it answers, what it changes, and the audit trail of every change.
 */
let h: OperatorHarness;
let admin: string;
let trader: string;
let account: { id: string; email: string };
let orderId: string;

beforeAll(async () => {
  h = await startOperatorHarness({ bullBoard: { user: 'ops', password: 'correct horse battery staple' } });
  admin = await h.token('ops-admin', 'admin');
  account = await insertAccount(h.db.sql);
  trader = await h.token(account.id);
  orderId = await insertOrder(h.db.sql, { accountId: account.id });
});
afterAll(async () => {
  await h.close();
  await deletePrefixKeys(h.prefix);
});

/** Inserts `n` reports of the order and sets their status (as the relay and workers would have). */
async function events(n: number, status: 'pending' | 'enqueued' | 'processing' | 'processed' | 'failed', lastError?: string): Promise<string[]> {
  const ids = await insertExecutionReports(h.db.sql, Array.from({ length: n }, () => ({ accountId: account.id, orderId })));
  await h.db.sql`
    update outbox_events set status = ${status}, last_error = ${lastError ?? null},
      processed_at = ${status === 'processed' ? h.db.sql`now()` : null}
    where id in ${h.db.sql(ids)}`;
  return ids;
}
const auditCount = async () => Number((await h.db.sql<{ n: string }[]>`select count(*)::text as n from audit_events`)[0]!.n);
const eventRow = async (id: string) =>
  (await h.db.sql<{ status: string; generation: number }[]>`select status, generation from outbox_events where id = ${id}`)[0];

describe('access', () => {
  /**
   * Each admin route, what an admin gets from it and the shape of the body.
   * `{id}` stands for a processed event made below: with an unknown id, the
   * 404 `not_found` of a missing event could not be told from that of a
   * deleted route.
   */
  const routes: Array<[string, string, number, unknown, (id: string) => unknown]> = [
    ['GET', '/admin/outbox', 200, undefined, () => ({ events: expect.any(Array), nextCursor: null })],
    ['GET', '/admin/outbox/stats', 200, undefined, () => ({ counts: expect.objectContaining({ processed: expect.any(Number) }), oldestPendingSeconds: null })],
    ['GET', '/admin/outbox/{id}', 200, undefined, (id) => ({ event: expect.objectContaining({ id, status: 'processed' }), deliveries: [] })],
    ['POST', '/admin/outbox/{id}/requeue', 202, undefined, (id) => ({ event: expect.objectContaining({ id, status: 'pending', generation: 2 }) })],
    ['POST', '/admin/outbox/requeue', 202, { status: 'failed' }, () => ({ requeued: 0 })],
    ['GET', '/admin/audit', 200, undefined, () => ({ entries: expect.any(Array), nextCursor: null })],
  ];
  let eventId: string;
  beforeAll(async () => {
    [eventId] = (await events(1, 'processed')) as [string];
  });
  const at = (path: string) => path.replace('{id}', eventId);

  it.each(routes)('%s %s: 401 without a token, 403 for a trader, and writes nothing', async (method, path, _status, body) => {
    const before = await auditCount();
    const none = await h.call(method, at(path), { body });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    const bad = await h.call(method, at(path), { body, token: 'not.a.jwt' });
    expect(bad.status).toBe(401);
    const forbidden = await h.call(method, at(path), { body, token: trader });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('forbidden');
    // Bull Board's Basic credentials open the dashboard only, not the REST.
    const basic = await h.call(method, at(path), { body, authorization: basicAuth('ops', 'correct horse battery staple') });
    expect(basic.status).toBe(401);
    expect(await auditCount()).toBe(before);
    expect(await eventRow(eventId)).toEqual({ status: 'processed', generation: 1 });
  });

  it.each(routes)('%s %s: answers an admin token with %i', async (method, path, status, body, expected) => {
    const res = await h.call(method, at(path), { body, token: admin });
    expect({ status: res.status, body: res.body }).toEqual({ status, body: expected(eventId) });
  });
});

describe('GET /admin/outbox', () => {
  it('filters by status, type and order and pages newest first without skipping or repeating', async () => {
    const failed = await events(5, 'failed', '550 5.1.1 mailbox unavailable');
    const otherOrder = await insertOrder(h.db.sql, { accountId: account.id });
    const [mine] = await insertExecutionReports(h.db.sql, [{ accountId: account.id, orderId: otherOrder }]);

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res = await h.call('GET', `/admin/outbox?status=failed&type=execution.report&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: admin });
      expect(res.status).toBe(200);
      expect(res.body.events.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.events.map((e: { id: string }) => e.id));
      cursor = res.body.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual([...failed].reverse());

    const byOrder = await h.call('GET', `/admin/outbox?orderId=${otherOrder}`, { token: admin });
    expect(byOrder.body).toEqual({ events: [expect.objectContaining({ id: mine, orderId: otherOrder })], nextCursor: null });
    const event = byOrder.body.events[0];
    expect(Object.keys(event).sort()).toEqual(
      ['accountId', 'attempts', 'createdAt', 'enqueuedAt', 'generation', 'id', 'lastError', 'orderId', 'payload', 'processedAt', 'status', 'type'].sort(),
    );
    expect(event).toMatchObject({ type: 'execution.report', accountId: account.id, status: 'pending', generation: 1, attempts: 0, lastError: null, enqueuedAt: null });
    expect(event.payload).toMatchObject({ eventId: mine, accountId: account.id, orderId: otherOrder });
    expect(new Date(event.createdAt).toISOString()).toBe(event.createdAt);
  });

  it('refuses bad filters with 400 validation_error naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['limit=1001', 'limit'],
      ['limit=0', 'limit'],
      ['status=lost', 'status'],
      ['orderId=not-a-uuid', 'orderId'],
      ['cursor=abc', 'cursor'],
      ['deliveryStatus=bounced', 'deliveryStatus'],
      ['colour=red', 'colour'],
    ];
    for (const [query, field] of cases) {
      const res = await h.call('GET', `/admin/outbox?${query}`, { token: admin });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    }
  });
});

describe('GET /admin/outbox/:id', () => {
  it('shows the event with its delivery records, 404 for an unknown id, 400 for a non-numeric one', async () => {
    const [id] = await events(1, 'processed');
    await h.db.sql`
      insert into notification_deliveries (event_id, channel, generation, status, attempts, last_error, message_id)
      values (${id!}, 'websocket', 1, 'sent', 1, null, null),
             (${id!}, 'mail', 1, 'failed', 1, '550 5.1.1 mailbox unavailable', null)`;
    const res = await h.call('GET', `/admin/outbox/${id}`, { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.event).toMatchObject({ id, status: 'processed', generation: 1 });
    expect(res.body.deliveries).toEqual([
      { channel: 'websocket', generation: 1, status: 'sent', attempts: 1, lastError: null, messageId: null, updatedAt: expect.any(String) },
      { channel: 'mail', generation: 1, status: 'failed', attempts: 1, lastError: '550 5.1.1 mailbox unavailable', messageId: null, updatedAt: expect.any(String) },
    ]);

    const unknown = await h.call('GET', '/admin/outbox/987654321', { token: admin });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    for (const bad of ['abc', '0', '1.5', '99999999999999999999']) {
      const res400 = await h.call('GET', `/admin/outbox/${bad}`, { token: admin });
      expect(res400.status).toBe(400);
      expect(res400.body.error.details).toEqual([expect.objectContaining({ field: 'id' })]);
    }
  });
});

describe('GET /admin/outbox/stats', () => {
  it('counts every status, zeros included, and the age of the oldest pending event', async () => {
    await h.db.sql`delete from outbox_events`;
    const empty = await h.call('GET', '/admin/outbox/stats', { token: admin });
    expect(empty.body).toEqual({ counts: { pending: 0, enqueued: 0, processing: 0, processed: 0, failed: 0 }, oldestPendingSeconds: null });
    await events(2, 'failed');
    await events(1, 'enqueued');
    const [pending] = await events(1, 'pending');
    await h.db.sql`update outbox_events set created_at = now() - interval '2 minutes' where id = ${pending!}`;
    const res = await h.call('GET', '/admin/outbox/stats', { token: admin });
    expect(res.body.counts).toEqual({ pending: 1, enqueued: 1, processing: 0, processed: 0, failed: 2 });
    expect(res.body.oldestPendingSeconds).toBeGreaterThanOrEqual(119);
    expect(res.body.oldestPendingSeconds).toBeLessThan(180);
  });
});

describe('POST /admin/outbox/:id/requeue', () => {
  it('sends a processed event again at generation + 1, audited; refuses queued (409) and unknown (404) without audit', async () => {
    const [id] = await events(1, 'processed');
    const before = await auditCount();
    const res = await h.call('POST', `/admin/outbox/${id}/requeue`, { token: admin });
    expect(res.status).toBe(202);
    expect(res.body.event).toMatchObject({ id, status: 'pending', generation: 2, attempts: 0, lastError: null, processedAt: null });
    expect(await eventRow(id!)).toEqual({ status: 'pending', generation: 2 });

    const again = await h.call('POST', `/admin/outbox/${id}/requeue`, { token: admin });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_queued');
    for (const status of ['enqueued', 'processing'] as const) {
      const [queued] = await events(1, status);
      const r = await h.call('POST', `/admin/outbox/${queued}/requeue`, { token: admin });
      expect(r.status).toBe(409);
      expect(await eventRow(queued!)).toEqual({ status, generation: 1 });
    }
    expect((await h.call('POST', '/admin/outbox/987654321/requeue', { token: admin })).status).toBe(404);
    expect((await h.call('POST', '/admin/outbox/x1/requeue', { token: admin })).status).toBe(400);

    expect(await auditCount()).toBe(before + 1);
    const audit = await h.call('GET', '/admin/audit?limit=1', { token: admin });
    expect(audit.body.entries).toEqual([
      { id: expect.any(String), actor: 'ops-admin', action: 'outbox_event.requeue', target: `outbox_event:${id}`, params: { generation: 2 }, at: expect.any(String) },
    ]);
  });

  it('lets one of three concurrent requeues win', async () => {
    const [id] = await events(1, 'failed', 'boom');
    const before = await auditCount();
    const results = await Promise.all([1, 2, 3].map(() => h.call('POST', `/admin/outbox/${id}/requeue`, { token: admin })));
    expect(results.map((r) => r.status).sort()).toEqual([202, 409, 409]);
    expect(await eventRow(id!)).toEqual({ status: 'pending', generation: 2 });
    expect(await auditCount()).toBe(before + 1);
  });
});

describe('POST /admin/outbox/requeue', () => {
  it('requeues exactly the events matching status, type and time window, up to the limit, with one audit entry', async () => {
    await h.db.sql`delete from outbox_events`;
    const inWindow = await events(6, 'failed', '550 no such user');
    const outside = await events(2, 'failed', '550 no such user');
    const processed = await events(2, 'processed');
    const t0 = new Date(Date.now() - 3_600_000);
    await h.db.sql`update outbox_events set created_at = ${t0.toISOString()}::timestamptz + interval '10 minutes' where id in ${h.db.sql([...inWindow, ...processed])}`;
    await h.db.sql`update outbox_events set created_at = ${t0.toISOString()}::timestamptz - interval '10 minutes' where id in ${h.db.sql(outside)}`;
    const since = t0.toISOString();
    const until = new Date(t0.getTime() + 30 * 60_000).toISOString();
    const before = await auditCount();

    const limited = await h.call('POST', '/admin/outbox/requeue', { token: admin, body: { status: 'failed', type: 'execution.report', since, until, limit: 4 } });
    expect(limited).toMatchObject({ status: 202, body: { requeued: 4 } });
    const rest = await h.call('POST', '/admin/outbox/requeue', { token: admin, body: { status: 'failed', since, until } });
    expect(rest.body).toEqual({ requeued: 2 });
    for (const id of inWindow) expect(await eventRow(id)).toEqual({ status: 'pending', generation: 2 });
    for (const id of outside) expect(await eventRow(id)).toEqual({ status: 'failed', generation: 1 });
    for (const id of processed) expect(await eventRow(id)).toEqual({ status: 'processed', generation: 1 });

    const nothing = await h.call('POST', '/admin/outbox/requeue', { token: admin, body: { status: 'failed', type: 'no.such.type' } });
    expect(nothing.body).toEqual({ requeued: 0 });

    expect(await auditCount()).toBe(before + 2);
    const audit = await h.call('GET', '/admin/audit?limit=2', { token: admin });
    expect(audit.body.entries.map((e: { action: string; target: string; params: unknown; actor: string }) => [e.actor, e.action, e.target, e.params])).toEqual([
      ['ops-admin', 'outbox_event.requeue_bulk', 'outbox_event:*', { status: 'failed', since, until }],
      ['ops-admin', 'outbox_event.requeue_bulk', 'outbox_event:*', { status: 'failed', type: 'execution.report', since, until, limit: 4 }],
    ]);
  });

  it('refuses a malformed body with 400 naming the field, and changes nothing', async () => {
    const [id] = await events(1, 'failed');
    const before = await auditCount();
    const cases: Array<[unknown, string]> = [
      [{}, 'status'],
      [{ status: 'pending' }, 'status'],
      [{ status: 'failed', since: 'yesterday' }, 'since'],
      [{ status: 'failed', until: '2026-01-01' }, 'until'],
      [{ status: 'failed', since: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z' }, 'until'],
      [{ status: 'failed', limit: 0 }, 'limit'],
      [{ status: 'failed', limit: '10' }, 'limit'],
      [{ status: 'failed', everything: true }, 'everything'],
      [{ status: 'processed', deliveryStatus: 'bounced' }, 'deliveryStatus'],
    ];
    for (const [body, field] of cases) {
      const res = await h.call('POST', '/admin/outbox/requeue', { token: admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    }
    expect(await eventRow(id!)).toEqual({ status: 'failed', generation: 1 });
    expect(await auditCount()).toBe(before);
  });
});

describe('GET /admin/audit', () => {
  it('pages the entries newest first', async () => {
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: any } = await h.call('GET', `/admin/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: admin });
      expect(res.status).toBe(200);
      all.push(...res.body.entries.map((e: { id: string }) => e.id));
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    expect(all.length).toBe(await auditCount());
    expect([...all].sort((a, b) => Number(b) - Number(a))).toEqual(all);
    expect((await h.call('GET', '/admin/audit?limit=5000', { token: admin })).status).toBe(400);
  });
});
