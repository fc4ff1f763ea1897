import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@execn/testing';
import type { OutboxStatus } from '@execn/db';
import { getEventWithDeliveries } from './get-event-with-deliveries';
import { listOutboxEvents } from './list-events';
import { getOutboxStats } from './outbox-stats';
import { requeueEvent } from './requeue-event';
import { requeueEvents } from './requeue-events';

let tdb: TestDatabase;

beforeAll(async () => {
  // Enough connections for the concurrent requeues below to really overlap.
  tdb = await createTestDatabase({ max: 16 });
  await tdb.sql`insert into accounts (id, email) values ('acc-1', 'a1@example.test')`;
});
afterAll(async () => {
  await tdb.drop();
});
beforeEach(async () => {
  await tdb.sql`delete from outbox_events`;
});

let seq = 0;
async function insertEvent(fields: { status: OutboxStatus; type?: string; orderId?: string; createdAt?: Date; lastError?: string }): Promise<string> {
  seq++;
  const [row] = await tdb.sql<{ id: string }[]>`
    insert into outbox_events (type, order_id, account_id, seq, status, generation, attempts, payload, last_error, created_at)
    values (${fields.type ?? 'execution.report'}, ${fields.orderId ?? randomUUID()}, 'acc-1', ${seq}, ${fields.status}, 1,
            ${fields.status === 'pending' ? 0 : 1}, ${JSON.stringify({ seq, execType: "new" })}::jsonb, ${fields.lastError ?? null},
            ${(fields.createdAt ?? new Date()).toISOString()}::timestamptz)
    returning id::text as id`;
  return row!.id;
}

const statusOf = async (id: string) =>
  (await tdb.sql<{ status: string; generation: number }[]>`select status, generation from outbox_events where id = ${id}`)[0];

describe('listOutboxEvents', () => {
  it('filters by status, type and order, newest first, with keyset pages that neither skip nor repeat', async () => {
    const order = randomUUID();
    const failed = [];
    for (let i = 0; i < 5; i++) failed.push(await insertEvent({ status: 'failed', lastError: `550 no ${i}` }));
    const processed = await insertEvent({ status: 'processed' });
    const other = await insertEvent({ status: 'failed', type: 'other.event', orderId: order });

    const all = await listOutboxEvents(tdb.sql, {});
    expect(all.events.map((e) => e.id)).toEqual([other, processed, ...[...failed].reverse()]);
    expect(all.nextCursor).toBeNull();

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listOutboxEvents>> = await listOutboxEvents(tdb.sql, { status: 'failed', type: 'execution.report', limit: 2, cursor });
      expect(page.events.length).toBeLessThanOrEqual(2);
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([...failed].reverse());

    const byOrder = await listOutboxEvents(tdb.sql, { orderId: order });
    expect(byOrder.events).toHaveLength(1);
    expect(byOrder.events[0]).toMatchObject({ id: other, type: 'other.event', orderId: order, accountId: 'acc-1', status: 'failed', generation: 1 });
    expect(byOrder.events[0]!.payload).toMatchObject({ eventId: other, execType: 'new' });
  });
});

describe('getEventWithDeliveries', () => {
  it('returns the event and every delivery of every generation, or null', async () => {
    const id = await insertEvent({ status: 'processed' });
    await tdb.sql`
      insert into notification_deliveries (event_id, channel, generation, status, attempts, last_error, message_id)
      values (${id}, 'mail', 1, 'failed', 3, '550 mailbox unavailable', null),
             (${id}, 'websocket', 1, 'sent', 1, null, null),
             (${id}, 'mail', 2, 'sent', 1, null, ${`<${id}.2@localhost>`})`;
    const found = await getEventWithDeliveries(tdb.sql, id);
    expect(found?.event).toMatchObject({ id, status: 'processed', lastError: null, enqueuedAt: null });
    expect(found?.deliveries.map((d) => [d.channel, d.generation, d.status, d.attempts, d.lastError, d.messageId])).toEqual([
      ['websocket', 1, 'sent', 1, null, null],
      ['mail', 1, 'failed', 3, '550 mailbox unavailable', null],
      ['mail', 2, 'sent', 1, null, `<${id}.2@localhost>`],
    ]);
    expect(await getEventWithDeliveries(tdb.sql, '999999999')).toBeNull();
  });
});

describe('getOutboxStats', () => {
  it('counts every status, zeros included, and the oldest pending age', async () => {
    expect(await getOutboxStats(tdb.sql)).toEqual({
      counts: { pending: 0, enqueued: 0, processing: 0, processed: 0, failed: 0 },
      oldestPendingSeconds: null,
    });
    await insertEvent({ status: 'pending', createdAt: new Date(Date.now() - 90_000) });
    await insertEvent({ status: 'failed' });
    await insertEvent({ status: 'failed' });
    const stats = await getOutboxStats(tdb.sql);
    expect(stats.counts).toEqual({ pending: 1, enqueued: 0, processing: 0, processed: 0, failed: 2 });
    expect(stats.oldestPendingSeconds).toBeGreaterThanOrEqual(89);
  });
});

describe('requeueEvent', () => {
  it('puts a failed event back to pending at generation + 1 with attempts and error reset', async () => {
    const id = await insertEvent({ status: 'failed', lastError: 'boom' });
    const event = await requeueEvent(tdb.sql, id);
    expect(event).toMatchObject({ id, status: 'pending', generation: 2, attempts: 0, lastError: null, processedAt: null });
  });

  it('refuses unknown (404) and queued (409 already_queued) events', async () => {
    await expect(requeueEvent(tdb.sql, '999999999')).rejects.toMatchObject({ kind: 'not_found', code: 'not_found' });
    for (const status of ['pending', 'enqueued', 'processing'] as const) {
      const id = await insertEvent({ status });
      await expect(requeueEvent(tdb.sql, id)).rejects.toMatchObject({ kind: 'conflict', code: 'already_queued' });
      expect(await statusOf(id)).toEqual({ status, generation: 1 });
    }
  });

  it('lets exactly one of many concurrent requeues win', async () => {
    const id = await insertEvent({ status: 'processed' });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => tdb.sql.begin((tx) => requeueEvent(tx, id))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(
      Array(7).fill('already_queued'),
    );
    expect(await statusOf(id)).toEqual({ status: 'pending', generation: 2 });
  });
});

describe('requeueEvents', () => {
  it('requeues only the rows matching status, type and time window, in batches, up to the limit', async () => {
    const t0 = Date.now() - 3_600_000;
    const inWindow = [];
    for (let i = 0; i < 7; i++) inWindow.push(await insertEvent({ status: 'failed', createdAt: new Date(t0 + i * 1000) }));
    const before = await insertEvent({ status: 'failed', createdAt: new Date(t0 - 1000) });
    const atUntil = await insertEvent({ status: 'failed', createdAt: new Date(t0 + 60_000) });
    const processed = await insertEvent({ status: 'processed', createdAt: new Date(t0 + 2000) });
    const otherType = await insertEvent({ status: 'failed', type: 'other.event', createdAt: new Date(t0 + 2000) });

    const batches: number[] = [];
    const n = await requeueEvents(
      tdb.sql,
      { status: 'failed', type: 'execution.report', since: new Date(t0), until: new Date(t0 + 60_000) },
      { batchSize: 3, onBatch: async (_tx, count, index) => void batches.push(index * 100 + count) },
    );
    expect(n).toBe(7);
    expect(batches).toEqual([3, 103, 201]);
    for (const id of inWindow) expect(await statusOf(id)).toEqual({ status: 'pending', generation: 2 });
    for (const id of [before, atUntil, otherType]) expect(await statusOf(id)).toEqual({ status: 'failed', generation: 1 });
    expect(await statusOf(processed)).toEqual({ status: 'processed', generation: 1 });

    await tdb.sql`update outbox_events set status = 'processed' where status = 'pending'`;
    expect(await requeueEvents(tdb.sql, { status: 'processed', limit: 4 }, { batchSize: 3 })).toBe(4);
    expect((await getOutboxStats(tdb.sql)).counts.pending).toBe(4);
  });

  it('rolls a batch back when its hook throws, and requeues nothing when nothing matches', async () => {
    const id = await insertEvent({ status: 'failed' });
    await expect(
      requeueEvents(tdb.sql, { status: 'failed' }, { onBatch: async () => Promise.reject(new Error('audit down')) }),
    ).rejects.toThrow('audit down');
    expect(await statusOf(id)).toEqual({ status: 'failed', generation: 1 });
    let called = false;
    expect(await requeueEvents(tdb.sql, { status: 'processed' }, { onBatch: async () => void (called = true) })).toBe(0);
    expect(called).toBe(false);
  });
});

describe('deliveryStatus filter', () => {
  it('finds and requeues only events with a failed delivery at their current generation', async () => {
    const bounced = await insertEvent({ status: 'processed' });
    const fine = await insertEvent({ status: 'processed' });
    const fixedLater = await insertEvent({ status: 'processed' });
    await tdb.sql`update outbox_events set generation = 2 where id = ${fixedLater}`;
    await tdb.sql`
      insert into notification_deliveries (event_id, channel, generation, status, last_error)
      values (${bounced}, 'mail', 1, 'failed', '550'), (${fine}, 'mail', 1, 'sent', null),
             (${fixedLater}, 'mail', 1, 'failed', '550'), (${fixedLater}, 'mail', 2, 'sent', null)`;
    const page = await listOutboxEvents(tdb.sql, { deliveryStatus: 'failed' });
    expect(page.events.map((e) => e.id)).toEqual([bounced]);
    expect(await requeueEvents(tdb.sql, { status: 'processed', deliveryStatus: 'failed' })).toBe(1);
    expect(await statusOf(bounced)).toEqual({ status: 'pending', generation: 2 });
    expect(await statusOf(fine)).toEqual({ status: 'processed', generation: 1 });
    expect(await statusOf(fixedLater)).toEqual({ status: 'processed', generation: 2 });
  });
});

describe('concurrent requeues', () => {
  const EVENTS = 300;

  /** `n` processed events at generation 1, in one statement; returns their ids. */
  async function insertProcessedEvents(n: number): Promise<string[]> {
    const rows = await tdb.sql<{ id: string }[]>`
      insert into outbox_events (type, order_id, account_id, seq, status, generation, attempts, payload)
      select 'execution.report', gen_random_uuid(), 'acc-1', 100000 + g, 'processed', 1, 1,
             jsonb_build_object('seq', 100000 + g, 'execType', 'new')
      from generate_series(1, ${n}) g
      returning id::text as id`;
    return rows.map((r) => r.id);
  }

  /** How many events are at each (status, generation). */
  const generations = async () => [
    ...(await tdb.sql<{ status: string; generation: number; n: number }[]>`
      select status, generation, count(*)::int as n from outbox_events group by status, generation order by status, generation`),
  ];

  /**
   * A bulk requeue as the api runs it, with small batches and a hook that
   * holds each batch's transaction open a moment (the api writes its audit
   * entry there), so concurrent requeues overlap on the same rows.
   */
  const bulkRequeue = () =>
    requeueEvents(tdb.sql, { status: 'processed' }, { batchSize: 20, onBatch: async (tx) => void (await tx`select pg_sleep(0.002)`) });

  it('bumps each event exactly once when many bulk requeues run at the same time', async () => {
    await insertProcessedEvents(EVENTS);
    const counts = await Promise.all(Array.from({ length: 8 }, bulkRequeue));
    expect(await generations()).toEqual([{ status: 'pending', generation: 2, n: EVENTS }]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(EVENTS);
  });

  it('bumps each event exactly once when bulk requeues race single requeues', async () => {
    const ids = await insertProcessedEvents(EVENTS);
    // Every third event is also requeued one by one, each in its own transaction as the api does.
    const singles = ids.filter((_, i) => i % 3 === 0);
    const [bulk, single] = await Promise.all([
      Promise.all(Array.from({ length: 4 }, bulkRequeue)),
      Promise.allSettled(singles.map((id) => tdb.sql.begin((tx) => requeueEvent(tx, id)))),
    ]);
    const refused = single.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason.code);
    expect(refused).toEqual(Array(refused.length).fill('already_queued'));
    expect(await generations()).toEqual([{ status: 'pending', generation: 2, n: EVENTS }]);
    expect(bulk.reduce((a, b) => a + b, 0) + (single.length - refused.length)).toBe(EVENTS);
  });
});
