import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { claimPendingEvents } from '@execn/outbox';
import { QUEUE_NAMES } from '@execn/queues';
import { insertAccount, insertExecutionReports, insertOrder, waitFor } from '@execn/testing';
import { PipelineHarness, deletePrefixKeys } from './test-support/pipeline-harness';

describe('recovery: PostgreSQL is the truth, Redis only carries work', () => {
  const h = new PipelineHarness();
  let account: { id: string; email: string };
  let orderId: string;

  beforeAll(async () => {
    await h.start();
    account = await insertAccount(h.db.sql);
    orderId = await insertOrder(h.db.sql, { accountId: account.id });
  });
  afterAll(async () => {
    await h.close();
  });

  const mailedEvents = () => new Set(h.sink.mails.map((m) => m.headers.get('x-execution-event-id') as string));
  const allIn = (ids: string[], seen: Set<string>) => ids.every((id) => seen.has(id));

  it('re-enqueues an event claimed by a poller that died before adding its job, and one whose job was removed', async () => {
    const [orphan, removed] = await insertExecutionReports(h.db.sql, [
      { accountId: account.id, orderId },
      { accountId: account.id, orderId },
    ]);
    // A poller that claimed (marked enqueued) and died before addBulk.
    expect((await claimPendingEvents(h.db.sql, 1)).map((e) => e.eventId)).toEqual([orphan]);
    const poller = await h.startPoller();
    await waitFor(async () => {
      const [r] = await h.db.sql`select status from outbox_events where id = ${removed!}`;
      return r!.status === 'enqueued';
    }, 5_000, 'second event enqueued');
    const redis = new Redis(h.redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAMES.outbox, { connection: redis, prefix: h.prefix });
    try {
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
      redis.disconnect();
    }
    h.startWorker();
    await waitFor(async () => (await h.statusCounts()).processed === 2, 10_000, 'both processed after the lease');
    await waitFor(() => mailedEvents().has(orphan!) && mailedEvents().has(removed!), 10_000, 'both mailed');
    await poller.close();
  });

  it('processes and mails every event when Redis loses all its data while events flow', async () => {
    await h.startPoller();
    h.startWorker();
    const socket = await h.sockets.connectTrader(account.id);
    const ids: string[] = [];
    for (let round = 0; round < 10; round++) {
      ids.push(...(await insertExecutionReports(h.db.sql, Array.from({ length: 20 }, () => ({ accountId: account.id, orderId })))));
      // Wipe everything this stack has in Redis (jobs, locks, the epoch key) twice while events are in flight.
      if (round === 3 || round === 7) await deletePrefixKeys(h.redisUrl, h.prefix);
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(async () => {
      const [r] = await h.db.sql<{ n: string }[]>`
        select count(*)::text as n from outbox_events where id = any(${ids}::bigint[]) and status = 'processed'`;
      return Number(r!.n) === ids.length;
    }, 20_000, 'every event processed').catch(async (err) => {
      const rows = await h.db.sql`select status, count(*)::int as n from outbox_events group by status`;
      const d = await h.db.sql`select channel, status, count(*)::int as n from notification_deliveries group by 1, 2`;
      throw new Error(`${(err as Error).message}: ${JSON.stringify(rows)} ${JSON.stringify(d)}`);
    });
    await waitFor(() => allIn(ids, mailedEvents()), 20_000, 'every event mailed').catch(async (err) => {
      const d = await h.db.sql`select channel, status, count(*)::int as n from notification_deliveries group by 1, 2`;
      throw new Error(`${(err as Error).message}: mailed ${mailedEvents().size}; ${JSON.stringify(d)}`);
    });
    await waitFor(() => allIn(ids, new Set(socket.reports.map((r) => r.eventId))), 10_000, 'every event broadcast');
    // Every mail delivery ends up recorded sent (a job lost between send and record is re-added after the lease).
    await waitFor(async () => {
      const [r] = await h.db.sql<{ n: string }[]>`
        select count(*)::text as n from notification_deliveries
        where channel = 'mail' and status = 'sent' and event_id = any(${ids}::bigint[])`;
      return Number(r!.n) === ids.length;
    }, 15_000, 'every mail delivery recorded sent');
  }, 60_000);

  it('an event whose dispatch keeps failing ends `failed` with its error, and is not retried forever', async () => {
    await h.stopProcesses();
    const [eventId] = await insertExecutionReports(h.db.sql, [{ accountId: account.id, orderId }]);
    // A real, lasting fault: the dispatch query cannot run while the accounts table is missing.
    await h.db.sql`alter table accounts rename to accounts_gone`;
    try {
      // The relay sets the job's attempts.
      await h.startPoller({ OUTBOX_ATTEMPTS: '2' });
      h.startWorker();
      const row = await waitFor(async () => {
        const [r] = await h.db.sql<{ status: string; last_error: string | null }[]>`
          select status, last_error from outbox_events where id = ${eventId!}`;
        return r!.status === 'failed' ? r : null;
      }, 15_000, 'event failed');
      expect(row.last_error).toContain('accounts');
    } finally {
      await h.db.sql`alter table accounts_gone rename to accounts`;
    }
    // Two leases later the reconciliation has looked at it and left it failed (an admin requeue is the way back).
    await new Promise((r) => setTimeout(r, 2_500));
    const [after] = await h.db.sql<{ status: string }[]>`select status from outbox_events where id = ${eventId!}`;
    expect(after!.status).toBe('failed');
    expect(h.sink.mails.some((m) => m.headers.get('x-execution-event-id') === eventId)).toBe(false);
  }, 30_000);
});
