import { Queue } from 'bullmq';
import { QUEUE_NAMES } from '@execn/queues';
import {
  TcpProxy,
  createTestDatabase,
  insertAccount,
  insertExecutionReports,
  insertOrder,
  outboxJobIdOf,
  startAppProcess,
  uniquePrefix,
  waitFor,
  type AppProcess,
  type TestDatabase,
} from '@execn/testing';

/**
 * The poller as operators run it: its own process, health and metrics on
 * METRICS_PORT, and a real Redis outage (a TCP proxy cut) in the middle.
 */
describe('poller process', () => {
  const proxy = new TcpProxy('127.0.0.1', 6379);
  const prefix = uniquePrefix('poller');
  let db: TestDatabase;
  let poller: AppProcess | undefined;
  let queue: Queue;

  beforeAll(async () => {
    await proxy.start();
    db = await createTestDatabase({ max: 2 });
    queue = new Queue(QUEUE_NAMES.outbox, { connection: { host: '127.0.0.1', port: 6379 }, prefix });
  });

  afterAll(async () => {
    await proxy.restore();
    await poller?.stop();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await db.drop();
    await proxy.cut();
  }, 30_000);

  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${poller!.port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? Number.NaN : Number(line.split(' ')[1]);
  };
  const status = async (path: string) => (await fetch(`http://127.0.0.1:${poller!.port}${path}`)).status;
  const hasJob = async (eventId: string) => {
    const jobId = await outboxJobIdOf(db.sql, eventId);
    return jobId !== null && (await queue.getJob(jobId)) !== undefined;
  };

  it('serves health and metrics, shows a Redis outage, and enqueues everything once Redis is back', async () => {
    poller = await startAppProcess(
      'poller',
      {
        DATABASE_URL: db.url,
        REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
        QUEUE_PREFIX: prefix,
        METRICS_PORT: '0',
        POLL_INTERVAL_MS: '50',
        PROGRESS_STALE_AFTER_MS: '1500',
      },
      /metrics and health listening/,
    );
    const account = await insertAccount(db.sql);
    const orderId = await insertOrder(db.sql, { accountId: account.id });

    const [first] = await insertExecutionReports(db.sql, [{ accountId: account.id, orderId }]);
    await waitFor(() => hasJob(first!), 10_000, 'the first event enqueued');
    expect([await status('/healthz'), await status('/readyz')]).toEqual([200, 200]);
    await waitFor(async () => (await metric('outbox_pending_events')) === 0, 5_000, 'no pending event');

    await proxy.cut();
    await waitFor(async () => (await status('/readyz')) === 503, 10_000, 'not ready without Redis');
    // The relay claims this one and waits for Redis; what comes after it stays pending, and operators see it.
    const [stuck] = await insertExecutionReports(db.sql, [{ accountId: account.id, orderId }]);
    await waitFor(async () => (await db.sql`select status from outbox_events where id = ${stuck!}`)[0]?.status === 'enqueued', 5_000, 'claimed');
    const later = await insertExecutionReports(db.sql, [
      { accountId: account.id, orderId },
      { accountId: account.id, orderId },
    ]);
    await waitFor(async () => (await metric('outbox_pending_events')) === 2, 5_000, 'two pending events in the gauge');
    await waitFor(async () => (await metric('outbox_oldest_pending_seconds')) >= 1, 5_000, 'their age in the gauge');
    await waitFor(async () => (await status('/healthz')) === 503, 10_000, 'unhealthy: no progress during the outage');

    await proxy.restore();
    for (const id of [stuck!, ...later]) await waitFor(() => hasJob(id), 15_000, `event ${id} enqueued after the outage`);
    await waitFor(async () => (await status('/readyz')) === 200, 10_000, 'ready again');
    await waitFor(async () => (await status('/healthz')) === 200, 10_000, 'healthy again');
    await waitFor(async () => (await metric('outbox_pending_events')) === 0, 5_000, 'nothing pending');
    const rows = await db.sql<{ status: string }[]>`select status from outbox_events order by id`;
    expect(rows.map((r) => r.status)).toEqual(['enqueued', 'enqueued', 'enqueued', 'enqueued']);
    expect(await metric('outbox_events_total{type="execution.report",status="enqueued"}')).toBe(4);

    await poller.stop();
    expect(poller.child.exitCode).toBe(0);
    poller = undefined;
  });
});
