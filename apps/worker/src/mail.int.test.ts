import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES, mailJobId } from '@execn/queues';
import { insertAccount, insertExecutionReports, insertOrder, waitFor } from '@execn/testing';
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
    const job = await mailQueue.getJob(mailJobId(id!, 1));
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
    expect((await mailQueue.getJob(again.id!))!.returnvalue).toBe('already_sent');
    expect(mailsOf(id!)).toHaveLength(1);
  });
});
