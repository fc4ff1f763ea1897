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

  /** Runs `fn` with this stack's outbox queue, as an operator's tool would reach it. */
  async function withOutboxQueue(fn: (queue: Queue) => Promise<unknown>): Promise<void> {
    const redis = new Redis(h.redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_NAMES.outbox, { connection: redis, prefix: h.prefix });
    try {
      await fn(queue);
    } finally {
      await queue.close();
      redis.disconnect();
    }
  }
  const repairedToPending = () => h.metricValue('outbox_reconcile_repairs_total', { action: 'reset_to_pending' });
  const statusOf = async (id: string) =>
    (await h.db.sql<{ status: string; generation: number }[]>`select status, generation from outbox_events where id = ${id}`)[0];
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
    await withOutboxQueue((queue) => queue.obliterate({ force: true }));
    h.startWorker();
    await waitFor(async () => (await h.statusCounts()).processed === 2, 10_000, 'both processed after the lease');
    await waitFor(() => mailedEvents().has(orphan!) && mailedEvents().has(removed!), 10_000, 'both mailed');
    await poller.close();
  });

  it('processes and mails every event when Redis loses all its data while events flow', async () => {
    await h.stopProcesses(); // the previous test's worker too: this one starts its own after the first wipe
    await h.startPoller();
    const socket = await h.sockets.connectTrader(account.id);
    const repairedBefore = await repairedToPending();
    let lostInFirstWipe = 0;
    const ids: string[] = [];
    for (let round = 0; round < 10; round++) {
      ids.push(...(await insertExecutionReports(h.db.sql, Array.from({ length: 20 }, () => ({ accountId: account.id, orderId })))));
      // Wipe everything this stack has in Redis (jobs, locks, the epoch key) twice while events are in flight.
      if (round === 3) {
        // No worker yet, so this wipe surely takes jobs the relay added (counted here; more may follow before
        // the wipe): their events stay `enqueued` until the reconciliation finds the jobs gone.
        await withOutboxQueue(async (queue) => {
          lostInFirstWipe = await waitFor(() => queue.getJobCountByTypes('waiting', 'prioritized'), 5_000, 'jobs waiting in Redis');
        });
        await deletePrefixKeys(h.redisUrl, h.prefix);
        h.startWorker();
      }
      // The second one races the worker.
      if (round === 7) await deletePrefixKeys(h.redisUrl, h.prefix);
      await new Promise((r) => setImmediate(r));
    }
    // Nothing else puts an enqueued event back to pending: without the reconciliation the lost ones would wait forever.
    await waitFor(
      async () => (await repairedToPending()) - repairedBefore >= lostInFirstWipe,
      10_000,
      `the reconciliation re-enqueued the ${lostInFirstWipe} events whose jobs the first wipe took`,
    );
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

  it('an event whose dispatch keeps failing ends `failed` with its error, and neither retries nor reconciliation picks it up again', async () => {
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
    await h.stopProcesses();
    // Its failed job cleaned away too (as an operator may do in Bull Board): only PostgreSQL still says it failed.
    await withOutboxQueue((queue) => queue.clean(0, 1000, 'failed'));

    // Evidence that the reconciliation looked at the table after the failure: a control event, claimed by a
    // poller that died before adding its job, which only the reconciliation can repair. The pass that repairs it
    // (after the lease) reads every in-flight row older than the lease, the failed event's included if it were one.
    const [control] = await insertExecutionReports(h.db.sql, [{ accountId: account.id, orderId }]);
    expect((await claimPendingEvents(h.db.sql, 10)).map((e) => e.eventId)).toEqual([control]);
    const repairedBefore = await repairedToPending();
    await h.startPoller();
    h.startWorker();
    // The control's mail also shows the header the check below looks for is there.
    await waitFor(() => mailedEvents().has(control!), 10_000, 'control event repaired and mailed');
    expect((await repairedToPending()) - repairedBefore).toBeGreaterThanOrEqual(1);
    await waitFor(async () => (await statusOf(control!))?.status === 'processed', 5_000, 'control event processed');

    expect(await statusOf(eventId!)).toEqual({ status: 'failed', generation: 1 });
    expect(mailedEvents().has(eventId!)).toBe(false);
  }, 30_000);
});
