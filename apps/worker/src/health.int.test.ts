import { startHealthServer } from '@execn/observability';
import { QUEUE_NAMES } from '@execn/queues';
import { TcpProxy, insertAccount, insertExecutionReports, insertOrder, waitFor } from '@execn/testing';
import { PipelineHarness } from './test-support/pipeline-harness';


describe('worker health', () => {
  const proxy = new TcpProxy('127.0.0.1', 6379);
  let h: PipelineHarness;

  beforeAll(async () => {
    await proxy.start();
    h = await new PipelineHarness({}, `redis://127.0.0.1:${proxy.port}`).start();
  });
  afterAll(async () => {
    await proxy.restore();
    await h.close();
    await proxy.cut();
  }, 30_000);

  it('live() (/healthz) turns false when one queue\'s worker stops fetching while its jobs wait, though the other queue completes jobs', async () => {
    await h.stopProcesses();
    const worker = h.startWorker({ PROGRESS_STALE_AFTER_MS: '2000' });
    const account = await insertAccount(h.db.sql);
    const orderId = await insertOrder(h.db.sql, { accountId: account.id });
    await h.startPoller();
    const mailed = () => new Set(h.sink.mails.map((m) => m.headers.get('x-execution-event-id') as string));
    const [first] = await insertExecutionReports(h.db.sql, [{ accountId: account.id, orderId }]);
    await waitFor(() => mailed().has(first!), 15_000, 'a first mail');

    // The known BullMQ failure, made on purpose: the mail worker is idle, blocked on its blocking connection, and
    // that connection never delivers a reply again (its socket stops reading). The worker still "runs", Redis
    // answers everyone else, and the outbox worker keeps completing jobs.
    const mailWorker = worker.workers.find((w) => w.name === QUEUE_NAMES.mail)!;
    const blocking = (await mailWorker.waitUntilReady()) as unknown as { stream: { pause(): void; resume(): void } };
    blocking.stream.pause();
    try {
      const ids: string[] = [];
      await waitFor(async () => {
        ids.push(...(await insertExecutionReports(h.db.sql, [{ accountId: account.id, orderId }])));
        return !worker.live();
      }, 15_000, 'live() false while mail jobs wait and none completes');
      expect(ids.some((id) => mailed().has(id))).toBe(false);
      expect((await h.statusCounts()).processed).toBeGreaterThan(1);
    } finally {
      blocking.stream.resume();
    }
    // Once it fetches again, it catches up and is live again.
    await waitFor(() => worker.live(), 15_000, 'live again');
  });

  it('/healthz turns 503 while Redis is unreachable for long, and 200 again once it is back', async () => {
    const worker = h.startWorker({ PROGRESS_STALE_AFTER_MS: '1500' });
    const health = await startHealthServer(0, h.metrics.registry, { live: worker.live, ready: worker.ready });
    const get = async (path: string) => (await fetch(`http://127.0.0.1:${health.port}${path}`)).status;
    try {
      await waitFor(async () => (await get('/readyz')) === 200, 10_000, 'ready');
      expect(await get('/healthz')).toBe(200);
      expect(await get('/metrics')).toBe(200);

      await proxy.cut();
      await waitFor(async () => (await get('/healthz')) === 503, 10_000, 'unhealthy during the outage');
      expect(await get('/readyz')).toBe(503);

      await proxy.restore();
      await waitFor(async () => (await get('/healthz')) === 200, 15_000, 'healthy again');
      // And it takes jobs again after the outage.
      const account = await insertAccount(h.db.sql);
      const orderId = await insertOrder(h.db.sql, { accountId: account.id });
      await h.startPoller();
      const [eventId] = await insertExecutionReports(h.db.sql, [{ accountId: account.id, orderId }]);
      await waitFor(() => h.sink.mails.some((m) => m.headers.get('x-execution-event-id') === eventId), 15_000, 'mail after the outage');
    } finally {
      await health.close();
    }
  });
});
