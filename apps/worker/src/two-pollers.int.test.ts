import { acquireLoadTestLock, insertAccount, insertExecutionReports, insertOrder, insertReportBacklog, waitFor } from '@execn/testing';
import { PipelineHarness } from './test-support/pipeline-harness';

describe('two pollers at once', () => {
  // Needs most of the 2 cores: one such test file at a time (see acquireLoadTestLock); released last.
  let releaseLoadTestLock: () => void = () => undefined;
  beforeAll(async () => {
    releaseLoadTestLock = await acquireLoadTestLock();
  }, 600_000);
  const h = new PipelineHarness({ OUTBOX_BATCH_SIZE: '50' });

  beforeAll(async () => {
    h.sink.headersOnly = true; // 1,050 mails: parsing their bodies would cost more than the pipeline
    await h.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it('lose nothing, and duplicates are rare and counted', async () => {
    const accounts = await Promise.all(Array.from({ length: 4 }, () => insertAccount(h.db.sql)));
    const targets = await Promise.all(accounts.map(async (a) => ({ accountId: a.id, orderId: await insertOrder(h.db.sql, { accountId: a.id }) })));
    const sockets = await Promise.all(accounts.map((a) => h.sockets.connectTrader(a.id)));
    await Promise.all([h.startPoller(), h.startPoller()]);
    h.startWorker();
    // A backlog both pollers compete for, then a trickle that wakes both on every NOTIFY.
    await insertReportBacklog(h.db.sql, targets, 250);
    for (let i = 0; i < 50; i++) await insertExecutionReports(h.db.sql, [targets[i % 4]!]);
    const total = 1_050;

    await waitFor(async () => (await h.statusCounts()).processed === total, 30_000, 'every event processed');
    await waitFor(() => sockets.reduce((n, s) => n + s.reports.length, 0) >= total, 10_000, 'every report on a socket');
    await waitFor(() => new Set(h.sink.mails.map((m) => m.messageId)).size === total, 30_000, 'every event mailed');

    const received = sockets.flatMap((s) => s.reports.map((r) => r.eventId));
    const duplicates = received.length - new Set(received).size;
    const mailDuplicates = h.sink.mails.length - new Set(h.sink.mails.map((m) => m.messageId)).size;
    // Job ids derived from event ids make a double claim a no-op; SKIP LOCKED makes it rare in the first place.
    expect(new Set(received).size).toBe(total);
    expect(duplicates + mailDuplicates).toBeLessThanOrEqual(total * 0.01);
    expect(await h.metricValue('outbox_events_total', { status: 'enqueued' })).toBe(total);
  }, 60_000);
  afterAll(() => releaseLoadTestLock());
});
