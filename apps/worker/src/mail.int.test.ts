import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { requeueEvent } from '@execn/outbox';
import { MAIL_JOB_NAME, QUEUE_NAMES, mailJobEvents, mailJobSchema } from '@execn/queues';
import { insertAccount, insertExecutionReports, insertOrder, mailJobIdOf, waitFor } from '@execn/testing';
import { PipelineHarness } from './test-support/pipeline-harness';

describe('mail delivery against a real SMTP server', () => {
  const h = new PipelineHarness();
  let account: { id: string; email: string };
  let orderId: string;
  let redis: Redis;
  let mailQueue: Queue;

  beforeAll(async () => {
    await h.start();
    account = await insertAccount(h.db.sql);
    orderId = await insertOrder(h.db.sql, { accountId: account.id });
    await h.startPoller();
    h.startWorker();
    redis = new Redis(h.redisUrl, { maxRetriesPerRequest: null });
    mailQueue = new Queue(QUEUE_NAMES.mail, { connection: redis, prefix: h.prefix });
  });
  afterEach(() => {
    h.sink.faults = {};
  });
  afterAll(async () => {
    await mailQueue.close();
    redis.disconnect();
    await h.close();
  });

  const mailsOf = (eventId: string) => h.sink.mails.filter((m) => m.headers.get('x-execution-event-id') === eventId);
  const mailDelivery = async (eventId: string) => (await h.deliveries(eventId)).find((d) => d.channel === 'mail');

  it('delivers every mail after the SMTP server refused connections for a while', async () => {
    const port = h.sink.port;
    await h.sink.stop();
    const ids = await insertExecutionReports(h.db.sql, Array.from({ length: 5 }, () => ({ accountId: account.id, orderId })));
    await waitFor(async () => (await mailDelivery(ids[4]!))?.last_error, 10_000, 'a refused attempt recorded');
    const refused = await mailDelivery(ids[4]!);
    expect(refused).toMatchObject({ status: 'pending', last_error: expect.stringMatching(/ECONNREFUSED|ECONNECTION/) });
    await h.sink.start(port);
    await waitFor(() => ids.every((id) => mailsOf(id).length >= 1), 15_000, 'every mail delivered');
    for (const id of ids) {
      await waitFor(async () => (await mailDelivery(id))?.status === 'sent', 5_000, `delivery of ${id} sent`);
    }
    expect(await h.metricValue('notification_errors_total', { channel: 'mail' })).toBeGreaterThanOrEqual(1);
  });

  it('retries a 451 and records both attempts', async () => {
    h.sink.faults.rejectWith = { code: 451, message: 'Greylisted, try again later' };
    const [id] = await insertExecutionReports(h.db.sql, [{ accountId: account.id, orderId }]);
    await waitFor(async () => (await mailDelivery(id!))?.attempts, 10_000, 'first attempt recorded');
    h.sink.faults = {};
    await waitFor(() => mailsOf(id!).length === 1, 10_000, 'mail delivered on retry');
    const d = await waitFor(async () => {
      const x = await mailDelivery(id!);
      return x?.status === 'sent' ? x : null;
    }, 5_000, 'sent');
    expect(d.attempts).toBeGreaterThanOrEqual(2);
    expect(d.last_error).toContain('451');
    expect(d.message_id).toBe(`<${id}.1@exec.test>`);
  });

  it('records a 550 as failed and does not retry it', async () => {
    h.sink.faults.rejectWith = { code: 550, message: 'No such user' };
    const [id] = await insertExecutionReports(h.db.sql, [{ accountId: account.id, orderId }]);
    const d = await waitFor(async () => {
      const x = await mailDelivery(id!);
      return x?.status === 'failed' ? x : null;
    }, 10_000, 'delivery failed');
    expect(d).toMatchObject({ attempts: 1, last_error: expect.stringContaining('550') });
    const job = await mailQueue.getJob((await mailJobIdOf(h.db.sql, id!))!);
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    expect(mailsOf(id!)).toHaveLength(0);
    // The outbox event itself is processed: a mail failure never blocks it.
    const [row] = await h.db.sql`select status from outbox_events where id = ${id!}`;
    expect(row!.status).toBe('processed');
  });

  it('never sends again a mail already recorded sent (redelivered job)', async () => {
    const [id] = await insertExecutionReports(h.db.sql, [{ accountId: account.id, orderId }]);
    await waitFor(async () => (await mailDelivery(id!))?.status === 'sent', 10_000, 'sent');
    const again = await mailQueue.add('execution.report.mail', { eventId: id!, generation: 1 }, { jobId: `redelivered-${id}` });
    await waitFor(async () => (await again.getState()) === 'completed', 10_000, 'redelivered job done');
    expect((await mailQueue.getJob(again.id!))!.returnvalue).toEqual({ already_sent: 1 });
    expect(mailsOf(id!)).toHaveLength(1);
  });

  /** An account of its own (so a fault can target its address) with an order. */
  const trader = async () => {
    const a = await insertAccount(h.db.sql);
    return { accountId: a.id, orderId: await insertOrder(h.db.sql, { accountId: a.id }), email: a.email };
  };
  const jobOf = async (id: string) => waitFor(() => mailJobIdOf(h.db.sql, id), 10_000, `mail job of ${id} recorded`);

  it('one mail job carries the mails of one outbox job; a 550 is final for its mail alone, a 451 is retried alone', async () => {
    const [ok, refused, greylisted] = [await trader(), await trader(), await trader()];
    h.sink.faults.rejectRecipients = {
      [refused.email]: { code: 550, message: 'No such user' },
      [greylisted.email]: { code: 451, message: 'Greylisted, try again later' },
    };
    // One transaction, one claim, one outbox job: one mail job for the three.
    const ids = await insertExecutionReports(h.db.sql, [ok, refused, greylisted]);
    const [okId, refusedId, greyId] = ids as [string, string, string];
    const jobId = await jobOf(okId);
    expect([await mailJobIdOf(h.db.sql, refusedId), await mailJobIdOf(h.db.sql, greyId)]).toEqual([jobId, jobId]);

    await waitFor(async () => (await mailDelivery(okId))?.status === 'sent', 10_000, 'the accepted mail sent');
    await waitFor(async () => (await mailDelivery(refusedId))?.status === 'failed', 10_000, 'the 550 recorded failed');
    // The retry carries only the greylisted mail.
    await waitFor(async () => {
      const job = await mailQueue.getJob(jobId);
      return JSON.stringify(job?.data) === JSON.stringify({ events: [{ eventId: greyId, generation: 1 }] });
    }, 10_000, 'job narrowed to the mail still to send');
    expect((await mailDelivery(greyId))!.status).toBe('pending');
    h.sink.faults = {};
    await waitFor(async () => (await mailDelivery(greyId))?.status === 'sent', 15_000, 'the greylisted mail sent on a retry');
    await waitFor(async () => (await mailQueue.getJob(jobId).then((j) => j?.getState())) === 'completed', 10_000, 'job completed');

    expect(mailsOf(okId)).toHaveLength(1);
    expect(mailsOf(greyId)).toHaveLength(1);
    expect(mailsOf(refusedId)).toHaveLength(0);
    expect(await mailDelivery(okId)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await mailDelivery(refusedId)).toMatchObject({ status: 'failed', attempts: 1, last_error: expect.stringContaining('550') });
    expect((await mailDelivery(greyId))!.attempts).toBeGreaterThanOrEqual(2);
  });

  it('a mail job of a generation requeued since sends nothing (a board retry of the old failed job after an admin requeue)', async () => {
    const t = await trader();
    h.sink.faults.rejectRecipients = { [t.email]: { code: 550, message: 'Mailbox disabled' } };
    const [id] = (await insertExecutionReports(h.db.sql, [t])) as [string];
    const oldJob = await jobOf(id);
    await waitFor(async () => (await mailDelivery(id))?.status === 'failed', 10_000, 'generation 1 mail failed');
    h.sink.faults = {};
    // The admin requeues the event: generation 2 is dispatched and mailed.
    await requeueEvent(h.db.sql, id);
    await waitFor(() => mailsOf(id).length === 1, 15_000, 'generation 2 mailed');
    expect(mailsOf(id)[0]!.messageId).toBe(`<${id}.2@exec.test>`);
    // Then an operator retries the old failed job from the board: the generation-1 mail is stale, not sent.
    const job = (await mailQueue.getJob(oldJob))!;
    await job.retry();
    await waitFor(async () => (await job.getState()) === 'completed', 10_000, 'old job completed');
    expect((await mailQueue.getJob(oldJob))!.returnvalue).toEqual({ stale: 1 });
    expect(mailsOf(id)).toHaveLength(1);
  });

  it('a mail still being retried when its event is requeued is closed, not sent: only the new generation is mailed', async () => {
    const t = await trader();
    h.sink.faults.rejectRecipients = { [t.email]: { code: 451, message: 'Try again later' } };
    const [id] = (await insertExecutionReports(h.db.sql, [t])) as [string];
    await waitFor(async () => (await mailDelivery(id))?.attempts, 10_000, 'generation 1 mail tried and pending');
    await requeueEvent(h.db.sql, id);
    h.sink.faults = {};
    await waitFor(() => mailsOf(id).length === 1, 15_000, 'generation 2 mailed');
    const gen1 = await waitFor(async () => {
      const d = (await h.deliveries(id)).find((x) => x.channel === 'mail' && x.generation === 1);
      return d?.status === 'failed' ? d : null;
    }, 15_000, 'generation 1 delivery closed');
    expect(gen1.last_error).toContain('requeued');
    await new Promise((r) => setTimeout(r, 500));
    expect(mailsOf(id).map((m) => m.messageId)).toEqual([`<${id}.2@exec.test>`]);
  });

  it('a mail job lost from Redis is added again by the reconciliation with every mail it carried, past its page too', async () => {
    await h.stopProcesses();
    const poller = await h.startPoller();
    const outboxOnly = h.startWorker({ WORKER_QUEUES: 'outbox' });
    const t = await trader();
    const ids = (await insertExecutionReports(h.db.sql, [t, t, t])) as string[];
    const jobId = await jobOf(ids[0]!);
    await waitFor(async () => (await Promise.all(ids.map((id) => mailJobIdOf(h.db.sql, id)))).every((j) => j === jobId), 10_000, 'one mail job for the three');
    await Promise.all([poller.close(), outboxOnly.close()]);
    await mailQueue.remove(jobId);
    expect(await mailQueue.getJob(jobId)).toBeUndefined();

    // A page of one delivery: the job comes back with the three mails all the same.
    const reconciler = h.reconciler(redis, { mailQueue, pageSize: 1, maxPagesPerPass: 1 });
    const result = await reconciler.reconcileOnce();
    expect(result.mailJobsReadded).toBe(3);
    const readded = (await mailQueue.getJob(jobId))!;
    expect(readded.name).toBe(MAIL_JOB_NAME);
    expect(mailJobEvents(mailJobSchema.parse(readded.data)).map((e) => e.eventId)).toEqual(ids);

    h.startWorker({ WORKER_QUEUES: 'mail' });
    await waitFor(() => ids.every((id) => mailsOf(id).length === 1), 15_000, 'the three mailed');
    await new Promise((r) => setTimeout(r, 300));
    expect(ids.map((id) => mailsOf(id).length)).toEqual([1, 1, 1]);
  });

  it('60 mails in two jobs against a slow server: sends wait for a free slot, not against their deadline (none times out)', async () => {
    await h.stopProcesses();
    // 10 sends at once (the pool's 10 connections), a 3 s deadline per send, 600 ms per message: 60 sends started
    // at once would wait up to 3.6 s for a connection, and the last ones would time out.
    await h.startPoller({ OUTBOX_JOB_MAX_EVENTS: '60' });
    h.startWorker({ WORKER_CONCURRENCY: '10', MAIL_SOCKET_TIMEOUT_MS: '1000' });
    h.sink.faults.dataDelayMs = 600;
    const t = await trader();
    const ids = (await insertExecutionReports(h.db.sql, Array.from({ length: 60 }, () => t))) as string[];
    // Two mail jobs (at most MAILS_PER_MAIL_JOB, 50, mails each), run at once by the one worker: their 60 sends
    // share its 10 slots all the same.
    const jobIds = await Promise.all(ids.map((id) => jobOf(id)));
    expect([...new Set(jobIds)].map((j) => jobIds.filter((x) => x === j).length).sort((a, b) => b - a)).toEqual([50, 10]);
    await waitFor(() => ids.every((id) => mailsOf(id).length >= 1), 30_000, 'the 60 mails');
    // The sink sees a mail before the worker records its outcome (recorded per batch after the sends): wait for
    // every outcome, then each must be one attempt that succeeded (a send that timed out would be retried).
    const outcomes = () => h.db.sql<{ attempts: number; status: string }[]>`
      select attempts, status from notification_deliveries where channel = 'mail' and event_id = any(${ids}::bigint[])`;
    await waitFor(async () => (await outcomes()).every((d) => d.status !== 'pending'), 10_000, 'the 60 outcomes recorded');
    const deliveries = await outcomes();
    expect(deliveries).toHaveLength(60);
    expect(deliveries.filter((d) => d.status !== 'sent' || d.attempts !== 1)).toEqual([]);
    expect(ids.map((id) => mailsOf(id).length)).toEqual(ids.map(() => 1));
  }, 60_000);
});
