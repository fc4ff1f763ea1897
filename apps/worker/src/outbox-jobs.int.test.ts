import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES, mailJobEvents, mailJobSchema, outboxJobId, outboxJobOptions } from '@execn/queues';
import { insertAccount, insertExecutionReports, insertOrder, mailJobIdOf, waitFor } from '@execn/testing';
import { PipelineHarness } from './test-support/pipeline-harness';

/**
 * The outbox job's life when the job is not the one a current poller adds:
 * an older version's job without its payload, a job of a generation an admin
 * has requeued since, a job redelivered after the event was processed. No
 * poller runs here: the test adds the jobs itself, as those producers would
 * (single-event jobs are the shape of the version before batches).
 */
describe('outbox jobs from older versions, older generations and redeliveries', () => {
  const h = new PipelineHarness();
  let redis: Redis;
  let outbox: Queue;
  let mail: Queue;
  let account: { id: string; email: string };
  let orderId: string;

  beforeAll(async () => {
    await h.start();
    redis = new Redis(h.redisUrl, { maxRetriesPerRequest: null });
    outbox = new Queue(QUEUE_NAMES.outbox, { connection: redis, prefix: h.prefix });
    mail = new Queue(QUEUE_NAMES.mail, { connection: redis, prefix: h.prefix });
    account = await insertAccount(h.db.sql);
    orderId = await insertOrder(h.db.sql, { accountId: account.id });
    h.startWorker();
  });
  afterAll(async () => {
    await Promise.all([outbox.close(), mail.close()]);
    redis.disconnect();
    await h.close();
  });

  const enqueued = async (generation = 1) => {
    const [id] = await insertExecutionReports(h.db.sql, [{ accountId: account.id, orderId }]);
    await h.db.sql`update outbox_events set status = 'enqueued', generation = ${generation} where id = ${id!}`;
    return id!;
  };
  const payloadOf = async (id: string) => (await h.db.sql<{ payload: Record<string, unknown> }[]>`select payload from outbox_events where id = ${id}`)[0]!.payload;
  const resultOf = (jobId: string) =>
    waitFor(async () => {
      const job = await outbox.getJob(jobId);
      return job && (await job.getState()) === 'completed' ? (job.returnvalue as Record<string, number>) : null;
    }, 10_000, `job ${jobId} completed`);
  const mailsOf = (id: string) => h.sink.mails.filter((m) => m.headers.get('x-execution-event-id') === id);
  /** The ids of the mail jobs (in any state) that carry this event's mail. */
  const mailJobsCarrying = async (id: string) =>
    (await mail.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized', 'waiting-children']))
      .filter((j) => {
        const parsed = mailJobSchema.safeParse(j?.data);
        return parsed.success && mailJobEvents(parsed.data).some((e) => e.eventId === id);
      })
      .map((j) => j.id);

  it('a job without its payload (added by an older poller) reads the row, broadcasts, marks processed and mails', async () => {
    const socket = await h.sockets.connectTrader(account.id);
    const id = await enqueued();
    await outbox.add('execution.report', { eventId: id, generation: 1 }, { ...outboxJobOptions(3), jobId: outboxJobId(id, 1) });
    expect(await resultOf(outboxJobId(id, 1))).toEqual({ processed: 1 });
    await waitFor(() => socket.reports.some((r) => r.eventId === id), 5_000, 'broadcast');
    await waitFor(() => mailsOf(id).length === 1, 10_000, 'mailed');
    const [row] = await h.db.sql`select status from outbox_events where id = ${id}`;
    expect(row!.status).toBe('processed');
  });

  it('a job of a generation requeued since is stale: the row is left to its own job and no mail is added for it', async () => {
    const id = await enqueued(2);
    await outbox.add('execution.report', { eventId: id, generation: 1, payload: await payloadOf(id) }, { ...outboxJobOptions(3), jobId: outboxJobId(id, 1) });
    expect(await resultOf(outboxJobId(id, 1))).toEqual({ stale: 1 });
    const [row] = await h.db.sql`select status, generation from outbox_events where id = ${id}`;
    expect(row).toMatchObject({ status: 'enqueued', generation: 2 });
    expect(await mailJobsCarrying(id)).toEqual([]);
    expect(await h.deliveries(id)).toEqual([]);
  });

  it('a job redelivered after its event was processed adds the mail job its first run may not have added', async () => {
    const id = await enqueued();
    // The first run marked it processed and recorded the pending mail, then died before adding the mail job.
    await h.db.sql`update outbox_events set status = 'processed', processed_at = now() where id = ${id}`;
    await h.db.sql`insert into notification_deliveries (event_id, channel, generation, status) values (${id}, 'mail', 1, 'pending')`;
    await outbox.add('execution.report', { eventId: id, generation: 1, payload: await payloadOf(id) }, { ...outboxJobOptions(3), jobId: outboxJobId(id, 1) });
    expect(await resultOf(outboxJobId(id, 1))).toEqual({ duplicate: 1 });
    await waitFor(() => mailsOf(id).length === 1, 10_000, 'mailed');
  });

  it("a job redelivered after its batch died before adding the batch's mail job adds it with the other jobs' mails too", async () => {
    // The first runs of two outbox jobs were marked in one batch, which recorded one mail job for both mails and
    // died before adding it. Only the first job comes back (the other is still waiting for its retry's backoff).
    const [a, b] = [await enqueued(), await enqueued()];
    const batchMailJob = 'mail-mb-test-died';
    await h.db.sql`update outbox_events set status = 'processed', processed_at = now() where id in ${h.db.sql([a, b])}`;
    for (const id of [a, b]) {
      await h.db.sql`insert into notification_deliveries (event_id, channel, generation, status, job_id) values (${id}, 'mail', 1, 'pending', ${batchMailJob})`;
    }
    await outbox.add('execution.report', { eventId: a, generation: 1, payload: await payloadOf(a) }, { ...outboxJobOptions(3), jobId: outboxJobId(a, 1) });
    expect(await resultOf(outboxJobId(a, 1))).toEqual({ duplicate: 1 });
    await waitFor(() => mailsOf(a).length === 1 && mailsOf(b).length === 1, 10_000, 'both mailed');
    expect(await mailJobsCarrying(b)).toEqual([batchMailJob]);
  });

  it('under a steady flow, the marks of several outbox jobs share one mail job; every mail is sent once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await enqueued());
    const payloads = await Promise.all(ids.map((id) => payloadOf(id)));
    // One job every 10 ms, well inside WORKER_MARK_LINGER_MS (50): the marks wait for each other. The rows and
    // payloads are read first, so a loaded machine's statements do not stretch the gaps between the jobs.
    for (const [i, id] of ids.entries()) {
      await outbox.add('execution.report', { eventId: id, generation: 1, payload: payloads[i] }, { ...outboxJobOptions(3), jobId: outboxJobId(id, 1) });
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitFor(() => ids.every((id) => mailsOf(id).length === 1), 15_000, 'every mail sent');
    const mailJobs = new Set(await Promise.all(ids.map((id) => mailJobIdOf(h.db.sql, id))));
    expect(mailJobs.size).toBeLessThanOrEqual(10);
    expect(ids.map((id) => mailsOf(id).length)).toEqual(ids.map(() => 1));
  });

  it('a batch of 120 marks is mailed by jobs of at most 50 mails, every mail sent once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) ids.push(await enqueued());
    const events = await Promise.all(ids.map(async (id) => ({ eventId: id, generation: 1, type: 'execution.report', payload: await payloadOf(id) })));
    // One outbox job with all of them: their marks are one batch.
    await outbox.add('execution.report', { events }, { ...outboxJobOptions(3), jobId: `evb-${ids[0]}-big` });
    expect(await resultOf(`evb-${ids[0]}-big`)).toEqual({ processed: 120 });
    await waitFor(() => ids.every((id) => mailsOf(id).length === 1), 20_000, 'every mail sent');
    const jobOf = await Promise.all(ids.map((id) => mailJobIdOf(h.db.sql, id)));
    const perJob = new Map<string | null, number>();
    for (const j of jobOf) perJob.set(j, (perJob.get(j) ?? 0) + 1);
    expect([...perJob.values()].sort((a, b) => b - a)).toEqual([50, 50, 20]);
    expect(ids.map((id) => mailsOf(id).length)).toEqual(ids.map(() => 1));
  });

  it('a batch job dispatches each of its events on its own terms', async () => {
    const socket = await h.sockets.connectTrader(account.id);
    const [fresh, requeued] = [await enqueued(), await enqueued(2)];
    const events = await Promise.all(
      [fresh, requeued].map(async (id) => ({ eventId: id, generation: 1, type: 'execution.report', payload: await payloadOf(id) })),
    );
    await outbox.add('execution.report', { events }, { ...outboxJobOptions(3), jobId: `evb-${fresh}-test` });
    expect(await resultOf(`evb-${fresh}-test`)).toEqual({ processed: 1, stale: 1 });
    await waitFor(() => mailsOf(fresh).length === 1, 10_000, 'the fresh event mailed');
    expect(socket.reports.map((r) => r.eventId)).toContain(fresh);
    expect(await mailJobsCarrying(requeued)).toEqual([]);
  });

  it('a job redelivered after its mail was sent mails nothing again', async () => {
    const id = await enqueued();
    await outbox.add('execution.report', { eventId: id, generation: 1, payload: await payloadOf(id) }, { ...outboxJobOptions(3), jobId: outboxJobId(id, 1) });
    expect(await resultOf(outboxJobId(id, 1))).toEqual({ processed: 1 });
    await waitFor(async () => (await h.deliveries(id)).some((d) => d.channel === 'mail' && d.status === 'sent'), 10_000, 'mail sent');
    await outbox.add('execution.report', { eventId: id, generation: 1, payload: await payloadOf(id) }, { ...outboxJobOptions(3), jobId: 'redelivered' });
    expect(await resultOf('redelivered')).toEqual({ duplicate: 1 });
    expect(await mailJobsCarrying(id)).toEqual([await mailJobIdOf(h.db.sql, id)]);
    expect(mailsOf(id)).toHaveLength(1);
  });
});
