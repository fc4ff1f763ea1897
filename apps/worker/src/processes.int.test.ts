import net from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES } from '@execn/queues';
import {
  acquireLoadTestLock,
  insertAccount,
  insertExecutionReports,
  insertOrder,
  insertReportBacklog,
  mailJobIdOf,
  outboxJobIdOf,
  spawnAppProcess,
  waitFor,
  type AppProcess,
} from '@execn/testing';
import { PipelineHarness } from './test-support/pipeline-harness';

const SHORT_LOCKS = { WORKER_LOCK_DURATION_MS: '1000', WORKER_STALLED_INTERVAL_MS: '1000' };

describe('worker and poller processes', () => {
  // Needs most of the 2 cores: one such test file at a time (see acquireLoadTestLock); released last.
  let releaseLoadTestLock: () => void = () => undefined;
  beforeAll(async () => {
    releaseLoadTestLock = await acquireLoadTestLock();
  }, 600_000);
  const h = new PipelineHarness();
  const children: AppProcess[] = [];
  let account: { id: string; email: string };
  let orderId: string;
  let redis: Redis;

  beforeAll(async () => {
    h.sink.headersOnly = true; // thousands of mails: only their headers are checked
    await h.start();
    account = await insertAccount(h.db.sql);
    orderId = await insertOrder(h.db.sql, { accountId: account.id });
    redis = new Redis(h.redisUrl, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => c.kill()));
    redis.disconnect();
    await h.close();
  }, 30_000);

  const mailed = () => new Set(h.sink.mails.map((m) => m.headers.get('x-execution-event-id') as string));
  const allMailed = (ids: string[]) => {
    const m = mailed();
    return ids.every((id) => m.has(id));
  };
  const processedCount = async (ids: string[]) => {
    const [r] = await h.db.sql<{ n: string }[]>`
      select count(*)::text as n from outbox_events where id = any(${ids}::bigint[]) and status = 'processed'`;
    return Number(r!.n);
  };
  const jobState = async (queueName: string, jobId: string) => {
    const q = new Queue(queueName, { connection: redis, prefix: h.prefix });
    try {
      return await (await q.getJob(jobId))?.getState();
    } finally {
      await q.close();
    }
  };

  let releaseLock: () => Promise<void> = async () => undefined;
  afterEach(async () => {
    await releaseLock();
    await h.stopProcesses();
  });

  const started = (child: AppProcess, app: string) =>
    waitFor(() => child.output().includes(`"msg":"${app} started"`), 15_000, `${app} process started`);

  it('a worker killed with SIGKILL in the middle of jobs: another worker finishes them', async () => {
    // An SMTP server that accepts connections and never answers keeps the child's mail jobs in flight.
    const sockets: net.Socket[] = [];
    const hung = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
    const hungUrl = `smtp://127.0.0.1:${(hung.address() as net.AddressInfo).port}`;
    const [blocked] = await insertExecutionReports(h.db.sql, [{ accountId: account.id, orderId }]);
    await h.startPoller();
    await waitFor(async () => (await h.statusCounts()).enqueued === 1, 10_000, 'event enqueued');
    // A transaction holding the event's row keeps the child's outbox job for it in flight.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const lock = h.db.sql.begin(async (tx) => {
      await tx`select id from outbox_events where id = ${blocked!} for update`;
      await held;
    });
    releaseLock = async () => {
      release();
      await lock;
    };
    const child = spawnAppProcess('worker', h.childEnv({ ...SHORT_LOCKS, SMTP_URL: hungUrl, MAIL_SOCKET_TIMEOUT_MS: '60000' }));
    children.push(child);
    const blockedJob = (await outboxJobIdOf(h.db.sql, blocked!))!;
    await waitFor(async () => (await jobState(QUEUE_NAMES.outbox, blockedJob)) === 'active', 15_000, 'outbox job active');
    // Two more events: processed by the child, whose mail jobs then hang on the SMTP server.
    const others = await insertExecutionReports(h.db.sql, [{ accountId: account.id, orderId }, { accountId: account.id, orderId }]);
    await waitFor(async () => (await processedCount(others)) === 2, 10_000, 'the other events processed by the child');
    await waitFor(async () => (await jobState(QUEUE_NAMES.mail, (await mailJobIdOf(h.db.sql, others[0]!)) ?? '')) === 'active', 10_000, 'mail job active');

    child.child.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    await releaseLock();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => hung.close(() => r()));

    h.startWorker(SHORT_LOCKS);
    const all = [blocked!, ...others];
    await waitFor(async () => (await processedCount(all)) === 3, 20_000, 'every event processed');
    await waitFor(() => allMailed(all), 20_000, 'every event mailed');
  }, 60_000);

  it('SIGTERM under load: poller and worker exit 0 within 10 s and nothing is lost', async () => {
    const poller = spawnAppProcess('poller', h.childEnv({ LOG_LEVEL: 'info' }));
    const worker = spawnAppProcess('worker', h.childEnv({ LOG_LEVEL: 'info' }));
    children.push(poller, worker);
    await Promise.all([started(poller, 'poller'), started(worker, 'worker')]);
    const ids: string[] = [];
    // Keep producing until the children have processed some, then stop them mid-flow.
    for (let round = 0; round < 200; round++) {
      ids.push(...(await insertExecutionReports(h.db.sql, Array.from({ length: 20 }, () => ({ accountId: account.id, orderId })))));
      if (round >= 5 && (await processedCount(ids)) >= 100) break;
    }
    // A burst the children cannot finish before the signal.
    await insertReportBacklog(h.db.sql, [{ accountId: account.id, orderId }], 2_000);
    const burst = await h.db.sql<{ id: string }[]>`select id::text as id from outbox_events where id > ${ids[ids.length - 1]!}`;
    ids.push(...burst.map((r) => r.id));
    const signalledAt = Date.now();
    poller.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect((await poller.exited).code).toBe(0);
    expect((await worker.exited).code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    expect(await processedCount(ids)).toBeLessThan(ids.length);

    await h.startPoller();
    h.startWorker();
    await waitFor(async () => (await processedCount(ids)) === ids.length, 30_000, 'every event processed');
    await waitFor(() => allMailed(ids), 30_000, 'every event mailed').catch(async (err) => {
      const rows = await h.db.sql`select status, attempts, left(last_error, 80) as e, count(*)::int as n from notification_deliveries where channel = 'mail' group by 1, 2, 3`;
      const stuck = await h.db.sql<{ job_id: string }[]>`select job_id from notification_deliveries where channel = 'mail' and status = 'pending' limit 3`;
      const states: unknown[] = await Promise.all(stuck.map((r) => jobState(QUEUE_NAMES.mail, r.job_id)));
      const q = new Queue(QUEUE_NAMES.mail, { connection: redis, prefix: h.prefix });
      states.push(JSON.stringify(await q.getJobCounts()), JSON.stringify(await redis.keys(`${h.prefix}:mail:marker*`)), String(await redis.zcard(`${h.prefix}:mail:marker`)));
      await q.close();
      throw new Error(`${(err as Error).message}: mailed ${mailed().size} of ${ids.length}; deliveries ${JSON.stringify(rows)} states ${states.join()}\n${worker.output().slice(-3000)}`);
    });
  }, 60_000);
  afterAll(() => releaseLoadTestLock());
});
