import { Redis } from 'ioredis';
import { loadConfig, type Config } from '@execn/config';
import { createLogger, createPollerMetrics, createWorkerMetrics, type PollerMetrics, type WorkerMetrics } from '@execn/observability';
import { Queue } from 'bullmq';
import { OutboxReconciler, RedisEpoch, outboxEpochKey, startOutboxPoller, type OutboxPoller } from '@execn/outbox';
import { QUEUE_NAMES, mailJobOptions } from '@execn/queues';
import { SmtpSink, SocketTestServer, createTestDatabase, uniquePrefix, type TestDatabase } from '@execn/testing';
import { startWorkerApp, type WorkerApp, type WorkerAppOverrides } from '../worker-app';

/** Fast settings for tests: short lease, poll, backoff and timeouts. */
export const FAST_ENV: Record<string, string> = {
  OUTBOX_LEASE_MS: '1000',
  POLL_INTERVAL_MS: '50',
  MAIL_ATTEMPTS: '6',
  MAIL_BACKOFF_MS: '100',
  MAIL_SOCKET_TIMEOUT_MS: '2000',
  WORKER_CONCURRENCY: '20',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
};

/**
 * The whole pipeline on real servers for one test file: its own database,
 * BullMQ prefix and Socket.IO key, a real SMTP sink and a Socket.IO node on the
 * Redis adapter; pollers and workers run in-process, started on demand.
 */
export class PipelineHarness {
  db!: TestDatabase;
  sink = new SmtpSink();
  sockets!: SocketTestServer;
  prefix = uniquePrefix('pipe');
  /** The in-process workers' metrics (as a worker process's registry). */
  metrics: WorkerMetrics = createWorkerMetrics({ defaultMetrics: false });
  /** The in-process pollers' metrics (as a poller process's registry). */
  pollerMetrics: PollerMetrics = createPollerMetrics({ defaultMetrics: false });
  private pollers: OutboxPoller[] = [];
  private workers: WorkerApp[] = [];

  constructor(
    private readonly env: Record<string, string> = {},
    readonly redisUrl = 'redis://127.0.0.1:6379',
  ) {}

  /** @param options.databaseServerUrl another PostgreSQL (e.g. a `PrivatePostgres`) for the database; @default the shared one */
  async start(options: { databaseServerUrl?: string } = {}): Promise<this> {
    this.db = await createTestDatabase(options.databaseServerUrl ? { serverUrl: options.databaseServerUrl } : {});
    await this.sink.start();
    this.sockets = new SocketTestServer(this.redisUrl, this.prefix);
    await this.sockets.listen();
    return this;
  }

  /** The config a process of this pipeline would load from its environment. */
  config(extra: Record<string, string> = {}): Config {
    return loadConfig({
      DATABASE_URL: this.db.url,
      REDIS_URL: this.redisUrl,
      QUEUE_PREFIX: this.prefix,
      SMTP_URL: this.sink.url,
      MAIL_FROM: 'Executions <executions@exec.test>',
      ...FAST_ENV,
      ...this.env,
      ...extra,
    });
  }

  /** The environment to give a child process (`tsx apps/<app>/src/main.ts`). */
  childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      DATABASE_URL: this.db.url,
      REDIS_URL: this.redisUrl,
      QUEUE_PREFIX: this.prefix,
      SMTP_URL: this.sink.url,
      MAIL_FROM: 'Executions <executions@exec.test>',
      ...FAST_ENV,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      ...this.env,
      ...extra,
    };
  }

  async startPoller(extra: Record<string, string> = {}): Promise<OutboxPoller> {
    const config = this.config(extra);
    const poller = await startOutboxPoller(config, createLogger({ name: 'poller', level: config.logLevel }), this.pollerMetrics);
    this.pollers.push(poller);
    return poller;
  }

  startWorker(extra: Record<string, string> = {}, overrides: WorkerAppOverrides = {}): WorkerApp {
    const config = this.config(extra);
    const worker = startWorkerApp(config, createLogger({ name: 'worker', level: config.logLevel }), this.metrics, overrides);
    this.workers.push(worker);
    return worker;
  }

  /**
   * A reconciler of this stack's queues on `redis`, as a poller runs it, for a test to drive its passes (with a
   * page size, a lease or a clock of its own).
   */
  reconciler(redis: Redis, options: Partial<ConstructorParameters<typeof OutboxReconciler>[0]> = {}): OutboxReconciler {
    return new OutboxReconciler({
      sql: this.db.sql,
      outboxQueue: new Queue(QUEUE_NAMES.outbox, { connection: redis, prefix: this.prefix }),
      mailQueue: options.mailQueue ?? new Queue(QUEUE_NAMES.mail, { connection: redis, prefix: this.prefix }),
      mailJobOptions: mailJobOptions(3, 100),
      epoch: new RedisEpoch(redis, outboxEpochKey(this.prefix)),
      log: createLogger({ name: 'test', level: 'silent' }),
      leaseMs: 0,
      ...options,
    });
  }

  /** Events by status, for assertions. */
  async statusCounts(): Promise<Record<string, number>> {
    const rows = await this.db.sql<{ status: string; n: string }[]>`select status, count(*)::text as n from outbox_events group by status`;
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async deliveries(eventId: string) {
    return this.db.sql<{ channel: string; generation: number; status: string; attempts: number; last_error: string | null; message_id: string | null }[]>`
      select channel, generation, status, attempts, last_error, message_id
      from notification_deliveries where event_id = ${eventId} order by channel`;
  }

  /** A metric's value summed over the pollers' and the workers' registries (as over their processes). */
  async metricValue(name: string, labels: Record<string, string> = {}): Promise<number> {
    // Histograms list their _count/_sum/_bucket series under the base name.
    const base = name.replace(/_(count|sum|bucket)$/, '');
    const metrics = [...(await this.metrics.registry.getMetricsAsJSON()), ...(await this.pollerMetrics.registry.getMetricsAsJSON())];
    const values = metrics
      .filter((m) => m.name === base)
      .flatMap((m) => m.values as Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>);
    return values
      .filter((v) => (v.metricName ?? base) === name)
      .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
      .reduce((sum, v) => sum + v.value, 0);
  }

  /** Stops every in-process poller and worker started so far. */
  async stopProcesses(): Promise<void> {
    const pollers = this.pollers.splice(0);
    const workers = this.workers.splice(0);
    await Promise.all(pollers.map((p) => p.close()));
    await Promise.all(workers.map((w) => w.close()));
  }

  async close(): Promise<void> {
    await this.stopProcesses();
    await this.sockets?.close();
    await this.sink.stop();
    await this.db?.drop();
    await deletePrefixKeys(this.redisUrl, this.prefix);
  }
}

/** Deletes a test's BullMQ keys, so runs leave nothing behind in the shared Redis. */
export async function deletePrefixKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    // Collected first and deleted in one DEL, so the wipe is as sudden as a FLUSHDB.
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
