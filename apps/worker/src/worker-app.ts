import { Queue, UnrecoverableError, Worker, type Job, type Processor } from 'bullmq';
import type { Logger } from 'pino';
import type { ConfigOf } from '@execn/config';
import { createDatabase } from '@execn/db';
import { RedisReportBroadcaster, SmtpPool, type ReportBroadcaster } from '@execn/notifications';
import { ProgressMonitor, type WorkerMetrics } from '@execn/observability';
import { ExecutionReportDispatcher, ReportMailDispatcher, pipelineDatabaseUrl } from '@execn/outbox';
import { QUEUE_NAMES, closeRedisClient, createRedisClient, mailJobOptions, socketIoAdapterKey, type RedisClient } from '@execn/queues';
import { splitConcurrency } from './split-concurrency';

/** Replaceable parts, for tests that must inject a fault they cannot cause for real. */
export interface WorkerAppOverrides {
  broadcaster?: ReportBroadcaster;
}

/** A worker process's moving parts, built from its config. */
export interface WorkerApp {
  workers: Worker[];
  /** Alive and making progress (`/healthz`). */
  live(): boolean;
  /** PostgreSQL and Redis answer (`/readyz`). */
  ready(): Promise<boolean>;
  /** Stops taking jobs, lets jobs in flight finish, closes every client. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds and starts the BullMQ workers of `WORKER_QUEUES`: `outbox`
 * (broadcast, mark processed, mail job: `ExecutionReportDispatcher`) and `mail`
 * (SMTP sends with retries: `ReportMailDispatcher`).
 */
/** The config blocks a worker reads. */
export const WORKER_CONFIG_BLOCKS = ['process', 'database', 'redis', 'outbox', 'mail', 'worker'] as const;
export type WorkerConfig = ConfigOf<(typeof WORKER_CONFIG_BLOCKS)[number]>;

export function startWorkerApp(config: WorkerConfig, log: Logger, metrics: WorkerMetrics, overrides: WorkerAppOverrides = {}): WorkerApp {
  const database = createDatabase(pipelineDatabaseUrl(config.databaseUrl), { max: config.databasePoolSize, applicationName: 'worker' });
  const queueRedis = createRedisClient(config.redis, log, 'worker-queue');
  // Fails fast instead of queueing while Redis is down: a broadcast that cannot be handed over is recorded failed.
  // Auto-pipelined: the PUBLISHes of the jobs that finish in one event-loop turn go out in one socket write
  // (a write costs more here than the command; BullMQ's own connections stay as they are).
  const emitterRedis = createRedisClient(config.redis, log, 'worker-emitter', {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
  });
  const mailQueue = new Queue(QUEUE_NAMES.mail, { connection: queueRedis, prefix: config.queuePrefix });
  mailQueue.on('error', (err) => log.warn({ err }, 'mail queue error'));
  const smtp = new SmtpPool({ smtpUrl: config.smtpUrl, socketTimeoutMs: config.mail.socketTimeoutMs });
  // One monitor per queue: with a single one, the outbox worker's completions kept /healthz green while the
  // mail worker sat on a blocking connection that never delivered again and mail jobs piled up.
  const progress = new Map<string, ProgressMonitor>();
  const progressOf = (queue: string) => {
    let monitor = progress.get(queue);
    if (!monitor) progress.set(queue, (monitor = new ProgressMonitor(config.progressStaleAfterMs)));
    return monitor;
  };

  const workerOptions = {
    prefix: config.queuePrefix,
    concurrency: config.worker.concurrency,
    lockDuration: config.worker.lockDurationMs,
    stalledInterval: config.worker.stalledIntervalMs,
    maxStalledCount: 3,
  };
  const workerRedis: RedisClient[] = [];
  const probes: Queue[] = [];
  const makeWorker = (
    name: string,
    processor: Processor,
    onFinalFailure?: (job: Job, err: Error) => Promise<void>,
    concurrency = workerOptions.concurrency,
    addProbe = true,
  ) => {
    const connection = createRedisClient(config.redis, log, `worker-${name}`);
    workerRedis.push(connection);
    const worker = new Worker(name, processor, { ...workerOptions, concurrency, connection });
    if (addProbe) {
      const probe = name === QUEUE_NAMES.mail ? mailQueue : new Queue(name, { connection: queueRedis, prefix: config.queuePrefix });
      probe.on('error', (err) => log.warn({ err, queue: name }, 'queue error'));
      probes.push(probe);
    }
    worker.on('error', (err) => log.warn({ err, queue: name }, 'worker error'));
    const queueProgress = progressOf(name);
    worker.on('completed', () => queueProgress.beat());
    worker.on('failed', (job, err) => {
      queueProgress.beat();
      if (!job) return;
      const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      log.warn({ err, queue: name, jobId: job.id, attemptsMade: job.attemptsMade, final }, 'job failed');
      if (final && onFinalFailure) void onFinalFailure(job, err).catch((e: unknown) => log.error({ err: e, jobId: job.id }, 'final failure not recorded'));
    });
    return worker;
  };

  const workers: Worker[] = [];
  if (config.worker.queues.includes('outbox')) {
    const dispatcher = new ExecutionReportDispatcher({
      sql: database.sql,
      broadcaster: overrides.broadcaster ?? new RedisReportBroadcaster(emitterRedis, socketIoAdapterKey(config.queuePrefix)),
      mailQueue,
      mailJobOptions: mailJobOptions(config.mail.attempts, config.mail.backoffMs),
      markLingerMs: config.worker.markLingerMs,
      metrics,
      log,
    });
    const processor = (job: Job) => dispatcher.process(job);
    const onFinalFailure = (job: Job, err: Error) => dispatcher.recordFinalFailure(job, err);
    // All loops share one dispatcher, so their jobs still share its micro-batches.
    splitConcurrency(config.worker.concurrency).forEach((concurrency, i) =>
      workers.push(makeWorker(QUEUE_NAMES.outbox, processor, onFinalFailure, concurrency, i === 0)),
    );
  }
  if (config.worker.queues.includes('mail')) {
    const dispatcher = new ReportMailDispatcher({
      sql: database.sql,
      smtp,
      mailFrom: config.mailFrom,
      // Connect, greeting and a few replies, each bounded by the socket timeout.
      sendTimeoutMs: config.mail.socketTimeoutMs * 3,
      maxConcurrentSends: config.worker.concurrency,
      metrics,
      log,
    });
    workers.push(makeWorker(QUEUE_NAMES.mail, (job: Job) => dispatcher.process(job)));
  }

  // Idle progress, per queue: Redis answers and nothing waits in it. Jobs waiting with none completing is a stuck worker.
  const idleCheck = setInterval(() => {
    void (async () => {
      if ((await queueRedis.ping()) !== 'PONG') return;
      await Promise.all(
        probes.map(async (probe) => {
          if (!workers.filter((w) => w.name === probe.name).every((w) => w.isRunning())) return;
          if ((await probe.getWaitingCount()) === 0) progressOf(probe.name).beat();
        }),
      );
    })().catch(() => undefined);
  }, 1_000);
  idleCheck.unref();

  let closing: Promise<void> | undefined;
  return {
    workers,
    live: () => [...progress.values()].every((monitor) => monitor.isAlive()),
    ready: async () => queueRedis.status === 'ready' && (await database.ping()),
    close: () =>
      (closing ??= (async () => {
        clearInterval(idleCheck);
        await Promise.all(workers.map((w) => w.close()));
        await Promise.all([...new Set([...probes, mailQueue])].map((q) => q.close()));
        smtp.close();
        await Promise.all([queueRedis, emitterRedis, ...workerRedis].map((r) => closeRedisClient(r)));
        await database.close();
      })()),
  };
}
