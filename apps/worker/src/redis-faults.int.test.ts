import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES } from '@execn/queues';
import {
  PrivateRedis,
  TcpProxy,
  acquireLoadTestLock,
  insertAccount,
  insertOrder,
  startSteadyReportLoad,
  waitFor,
  type SteadyReportLoad,
} from '@execn/testing';
import { PipelineHarness } from './test-support/pipeline-harness';

/**
 * Issue 10, part 3: Redis restarted with its data kept (AOF), and Redis
 * unreachable for 30 s, each with a steady 200 reports/s flowing through the
 * whole pipeline on a private redis-server. Afterwards the BullMQ workers
 * fetch again by themselves, the Socket.IO node's adapter subscription is back
 * (broadcasts reach the socket), and nothing committed is lost: every event
 * reached the socket or lies in a gap a `resume` covers, every event is mailed,
 * processed and its mail delivery `sent`. Duplicates are counted and bounded.
 */
describe('Redis faults under a steady load', () => {
  // Needs most of the 2 cores: one such test file at a time (see acquireLoadTestLock); released last.
  let releaseLoadTestLock: () => void = () => undefined;
  beforeAll(async () => {
    releaseLoadTestLock = await acquireLoadTestLock();
  }, 600_000);
  const RATE_PER_SECOND = 200;
  // Fast settings: a short lease so claims stuck in the outage are retaken quickly; a short stale window for /healthz.
  const env = {
    MAIL_ATTEMPTS: '15',
    MAIL_BACKOFF_MS: '200',
    WORKER_CONCURRENCY: '40',
    WORKER_LOCK_DURATION_MS: '5000',
    WORKER_STALLED_INTERVAL_MS: '2000',
    PROGRESS_STALE_AFTER_MS: '4000',
  };
  const redis = new PrivateRedis();
  let proxy: TcpProxy;

  beforeAll(async () => {
    await redis.start();
    proxy = new TcpProxy('127.0.0.1', redis.port);
    await proxy.start();
  });
  afterAll(async () => {
    await proxy?.cut();
    await redis.close();
  });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Job counts and worker connection states, for failure messages. */
  async function queueState(h: PipelineHarness): Promise<string> {
    const redisClient = new Redis(h.redisUrl, { maxRetriesPerRequest: null });
    try {
      const out: Record<string, unknown> = {};
      for (const name of [QUEUE_NAMES.outbox, QUEUE_NAMES.mail]) {
        const q = new Queue(name, { connection: redisClient, prefix: h.prefix });
        out[name] = await q.getJobCounts();
        out[`${name} workers`] = (await q.getWorkers()).map((w) => w.name);
        await q.close();
      }
      out.clients = (await redisClient.client('LIST')) as string;
      return JSON.stringify(out);
    } finally {
      redisClient.disconnect();
    }
  }

  /**
   * Runs the pipeline on `redisUrl`, injects `fault` after 2 s of load, keeps
   * the load 3 s past the recovery, then checks that nothing was lost.
   */
  async function runThrough(redisUrl: string, fault: (live: () => boolean) => Promise<void>): Promise<void> {
    const h = new PipelineHarness(env, redisUrl);
    h.sink.headersOnly = true; // thousands of mails: parsing their bodies would cost more than the pipeline
    await h.start();
    let load: SteadyReportLoad | undefined;
    try {
      const account = await insertAccount(h.db.sql);
      const orderId = await insertOrder(h.db.sql, { accountId: account.id });
      const trader = await h.sockets.connectTrader(account.id);
      await h.startPoller();
      const worker = h.startWorker();
      load = startSteadyReportLoad(h.db.sql, { accountId: account.id, orderId }, RATE_PER_SECOND);
      await waitFor(() => h.sink.mails.length >= 200 && trader.reports.length >= 200, 10_000, 'the pipeline flowing before the fault');

      await fault(worker.live);
      const recoveredAt = Date.now();
      // Every BullMQ worker (each outbox loop and the mail worker) fetches again: none is left on a blocking
      // connection that stays "reconnecting" while the others carry the load.
      const completedAfter = worker.workers.map(() => 0);
      worker.workers.forEach((w, i) => w.on('completed', () => completedAfter[i]!++));
      // Broadcasts reach the socket again: the adapter resubscribed and the workers fetch jobs.
      const seenBefore = trader.reports.length;
      await waitFor(() => trader.reports.length > seenBefore + 100, 20_000, 'reports on the socket after the fault');
      const socketBackMs = Date.now() - recoveredAt;
      await sleep(3_000);
      // While the load still runs. A loop whose blocking BZPOPMIN went down with Redis may wait for BullMQ's own
      // watchdog (drainDelay 5 s + 1 s) before it fetches again, while the other loops carry the load: seen once
      // in CI as 0/37/38 jobs 3.6 s after a restart. Stuck for good is what fails here.
      await waitFor(() => completedAfter.every((n) => n > 0), 15_000, 'every BullMQ worker completing jobs again').catch((err: Error) => {
        throw new Error(`${err.message}: jobs per worker after the fault ${completedAfter.join('/')}`);
      });
      const achieved = await load.stop();
      expect(achieved).toBeGreaterThanOrEqual(RATE_PER_SECOND * 0.9);
      const ids = (await h.db.sql<{ id: string }[]>`select id::text from outbox_events order by seq`).map((r) => r.id);
      expect(ids.length).toBe(load.ids.length);

      // The drain after a 30 s outage runs at what a loaded machine manages (~200/s); the trace says how far it got.
      const trace: string[] = [];
      const tracer = setInterval(
        () => void h.statusCounts().then((c) => trace.push(`${Date.now() - recoveredAt} ms: ${JSON.stringify(c)}, ${h.sink.mails.length} mails`)),
        5_000,
      );
      try {
        await waitFor(async () => (await h.statusCounts()).processed === ids.length, 60_000, `all ${ids.length} events processed`).catch(
          async (err: Error) => {
            const state = `${JSON.stringify(await h.statusCounts())}; ${await queueState(h)}; live ${worker.live()}`;
            throw new Error(`${err.message}: ${state}\n${trace.join('\n')}`);
          },
        );
      } finally {
        clearInterval(tracer);
      }
      const drainedMs = Date.now() - recoveredAt;
      const eventIdOf = (m: { headers: Map<string, unknown> }) => m.headers.get('x-execution-event-id') as string;
      await waitFor(() => {
        const mailed = new Set(h.sink.mails.map(eventIdOf));
        return ids.every((id) => mailed.has(id));
      }, 40_000, 'every event mailed');
      await waitFor(async () => {
        const [r] = await h.db.sql<{ n: number }[]>`
          select count(*)::int as n from notification_deliveries where channel = 'mail' and status = 'sent'`;
        return r!.n === ids.length;
      }, 15_000, 'every mail delivery recorded sent');

      // The socket: seqs 1..N were committed. Every one it missed lies before the last one it got, so the SDK sees
      // the gap and a `resume {sinceSeq}` (every report with seq > sinceSeq, from PostgreSQL) replays it.
      const lastSeq = ids.length;
      await waitFor(() => trader.reports.some((r) => r.seq === lastSeq), 10_000, 'the last report on the socket');
      const seqs = trader.reports.map((r) => r.seq);
      const received = new Set(seqs);
      const missing = Array.from({ length: lastSeq }, (_, i) => i + 1).filter((s) => !received.has(s));
      if (missing.length) {
        const sinceSeq = missing[0]! - 1;
        const replay = await h.db.sql<{ seq: number }[]>`
          select seq::int from outbox_events where account_id = ${account.id} and seq > ${sinceSeq} order by seq`;
        const replayed = new Set(replay.map((r) => r.seq));
        expect(missing.filter((s) => !replayed.has(s))).toEqual([]);
      }
      // Counted: whether a missed report's broadcast failed (recorded) or was handed to Redis before the node resubscribed.
      const missedBroadcasts = await h.db.sql<{ status: string; n: number }[]>`
        select d.status, count(*)::int as n from notification_deliveries d join outbox_events e on e.id = d.event_id
        where d.channel = 'websocket' and e.seq = any(${missing}::int[]) group by d.status`;
      const socketDuplicates = seqs.length - received.size;
      const mailed = h.sink.mails.map(eventIdOf);
      const mailDuplicates = mailed.length - new Set(mailed).size;
      const missedByStatus = JSON.stringify(Object.fromEntries(missedBroadcasts.map((r) => [r.status, r.n])));
      process.stdout.write(
        `${expect.getState().currentTestName}: ${ids.length} events, socket back in ${socketBackMs} ms, ` +
          `all processed in ${drainedMs} ms, socket missed ${missing.length} (broadcasts ${missedByStatus}), ` +
          `socket duplicates ${socketDuplicates}, mail duplicates ${mailDuplicates}, ` +
          `jobs per worker after ${completedAfter.join('/')}\n`,
      );
      expect(socketDuplicates).toBeLessThanOrEqual(Math.ceil(ids.length * 0.02));
      expect(mailDuplicates).toBeLessThanOrEqual(Math.ceil(ids.length * 0.02));
      expect(worker.live()).toBe(true);
    } finally {
      await load?.stop(); // a no-op once stopped; after a failure, no insert runs into a dropped database
      await h.close();
    }
  }

  it('restarted with its data (SHUTDOWN, start again, AOF replayed): workers, adapter and every event come back', async () => {
    const marker = new Redis(redis.url);
    try {
      await marker.set('aof-marker', 'kept');
      await runThrough(redis.url, async () => {
        await redis.restart();
      });
      // The data came back from the AOF: a restart, not a wipe (that case is recovery.int.test.ts's).
      expect(await marker.get('aof-marker')).toBe('kept');
    } finally {
      marker.disconnect();
    }
  }, 90_000);

  it('unreachable for 30 s (a TCP proxy cut), not restarted: /healthz turns false, then everything comes back', async () => {
    await runThrough(`redis://127.0.0.1:${proxy.port}`, async (live) => {
      await proxy.cut();
      const cutAt = Date.now();
      // A worker that cannot fetch while jobs wait is not live; PROGRESS_STALE_AFTER_MS is 4 s.
      await waitFor(() => !live(), 15_000, '/healthz false during the outage');
      await sleep(30_000 - (Date.now() - cutAt));
      await proxy.restore();
    });
  }, 120_000);
  afterAll(() => releaseLoadTestLock());
});
