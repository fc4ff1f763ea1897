import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { ConfigOf } from '@execn/config';
import { OUTBOX_NOTIFY_CHANNEL, createDatabase } from '@execn/db';
import { ProgressMonitor, type PollerMetrics } from '@execn/observability';
import { pipelineDatabaseUrl } from './pipeline-database-url';
import { OutboxReconciler } from './outbox-reconciler';
import { OutboxRelay } from './outbox-relay';
import { RedisEpoch, outboxEpochKey } from './redis-epoch';
import { ReportRetention } from './report-retention';
import { QUEUE_NAMES, closeRedisClient, createRedisClient, mailJobOptions, outboxJobOptions, type RedisClient } from '@execn/queues';

const DAY_MS = 86_400_000;

/** A poller process's moving parts (`apps/poller` runs one; tests run several). */
export interface OutboxPoller {
  relay: OutboxRelay;
  live(): boolean;
  ready(): Promise<boolean>;
  /** Stops claiming, waits for the batch in flight, closes every client. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Logs a warning when Redis may evict keys: an evicted job is recovered by the
 * reconciliation, but only after the lease, and eviction under load means
 * constant re-dispatch. BullMQ needs `noeviction`.
 */
async function warnOnEvictionPolicy(redis: RedisClient, log: Logger): Promise<void> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = reply[1];
    if (policy && policy !== 'noeviction') {
      log.warn({ policy }, 'redis maxmemory-policy is not noeviction: jobs may be evicted (set maxmemory-policy noeviction)');
    }
  } catch (err) {
    log.warn({ err }, 'could not read redis maxmemory-policy (CONFIG disabled?)');
  }
}

/** The config blocks the poller reads (mail: the options of the mail jobs its reconciliation re-adds). */
export const POLLER_CONFIG_BLOCKS = ['process', 'database', 'redis', 'outbox', 'mail'] as const;
export type PollerConfig = ConfigOf<(typeof POLLER_CONFIG_BLOCKS)[number]>;

/** Wires and starts the relay (claim → addBulk, NOTIFY wake-ups, poll fallback) and its reconciliation. */
export async function startOutboxPoller(config: PollerConfig, log: Logger, metrics: PollerMetrics): Promise<OutboxPoller> {
  const database = createDatabase(pipelineDatabaseUrl(config.databaseUrl), {
    // The relay's statements run one after another, plus the reconciliation's and the gauges': 4 is plenty.
    max: Math.min(config.databasePoolSize, 4),
    applicationName: 'poller',
  });
  const redis = createRedisClient(config.redis, log, 'poller');
  const outboxQueue = new Queue(QUEUE_NAMES.outbox, { connection: redis, prefix: config.queuePrefix });
  const mailQueue = new Queue(QUEUE_NAMES.mail, { connection: redis, prefix: config.queuePrefix });
  outboxQueue.on('error', (err) => log.warn({ err }, 'outbox queue error'));
  mailQueue.on('error', (err) => log.warn({ err }, 'mail queue error'));
  const progress = new ProgressMonitor(config.progressStaleAfterMs);
  const reconciler = new OutboxReconciler({
    sql: database.sql,
    outboxQueue,
    mailQueue,
    mailJobOptions: mailJobOptions(config.mail.attempts, config.mail.backoffMs),
    epoch: new RedisEpoch(redis, outboxEpochKey(config.queuePrefix)),
    log,
    leaseMs: config.outbox.leaseMs,
    summaryDailyAt: config.mail.summaryDailyAt,
  });
  const relay = new OutboxRelay({
    sql: database.sql,
    queue: outboxQueue,
    jobOptions: outboxJobOptions(config.outbox.attempts),
    reconciler,
    log,
    metrics,
    progress,
    batchSize: config.outbox.batchSize,
    jobMaxEvents: config.outbox.jobMaxEvents,
    pollIntervalMs: config.outbox.pollIntervalMs,
    reconcileIntervalMs: config.outbox.reconcileIntervalMs,
    notifyChannel: config.outbox.notify ? OUTBOX_NOTIFY_CHANNEL : undefined,
    // A connection of its own for LISTEN, so the relay can replace it when it stops hearing.
    openListener: async (channel, onNotify) => {
      const listener = createDatabase(config.databaseUrl, { max: 1, applicationName: 'poller-listen' });
      try {
        await listener.sql.listen(channel, onNotify, onNotify);
      } catch (err) {
        await listener.close(0);
        throw err;
      }
      return () => listener.close(1);
    },
  });
  // Retention runs in every poller (one batch at a time across them, by an advisory lock): pollers are what an
  // operator always runs, they own the outbox's lifecycle, and they touch none of the rows it deletes.
  const retention =
    config.outbox.reportRetentionDays > 0
      ? new ReportRetention({
          sql: database.sql,
          log: log.child({ component: 'retention' }),
          retentionMs: config.outbox.reportRetentionDays * DAY_MS,
          onBatch: (deleted) => metrics.outboxRetentionDeletedTotal.inc(deleted),
        })
      : undefined;
  // Advisory only: not awaited, so a poller started while Redis is down still comes up and reports it.
  void warnOnEvictionPolicy(redis, log);
  await relay.start();
  retention?.start();

  let closing: Promise<void> | undefined;
  return {
    relay,
    live: () => progress.isAlive(),
    ready: async () => redis.status === 'ready' && (await database.ping()),
    close: () =>
      (closing ??= (async () => {
        await Promise.all([relay.stop(), retention?.stop()]);
        await Promise.all([outboxQueue.close(), mailQueue.close()]);
        await closeRedisClient(redis);
        await database.close();
      })()),
  };
}
