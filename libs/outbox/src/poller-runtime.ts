import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '@execn/config';
import { OUTBOX_NOTIFY_CHANNEL, createDatabase } from '@execn/db';
import { ProgressMonitor, type PollerMetrics } from '@execn/observability';
import { pipelineDatabaseUrl } from './pipeline-database-url';
import { OutboxReconciler } from './outbox-reconciler';
import { OutboxRelay } from './outbox-relay';
import { RedisEpoch, outboxEpochKey } from './redis-epoch';
import { QUEUE_NAMES, createRedisConnection, mailJobOptions, outboxJobOptions } from '@execn/queues';

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
async function warnOnEvictionPolicy(redis: Redis, log: Logger): Promise<void> {
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

/** Wires and starts the relay (claim → addBulk, NOTIFY wake-ups, poll fallback) and its reconciliation. */
export async function startOutboxPoller(config: Config, log: Logger, metrics: PollerMetrics): Promise<OutboxPoller> {
  const database = createDatabase(pipelineDatabaseUrl(config.databaseUrl), { max: 4, applicationName: 'poller' });
  const redis = createRedisConnection(config.redisUrl, log, 'poller');
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
    reconcileIntervalMs: Math.min(Math.max(Math.floor(config.outbox.leaseMs / 4), 250), 5_000),
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
  // Advisory only: not awaited, so a poller started while Redis is down still comes up and reports it.
  void warnOnEvictionPolicy(redis, log);
  await relay.start();

  let closing: Promise<void> | undefined;
  return {
    relay,
    live: () => progress.isAlive(),
    ready: async () => redis.status === 'ready' && (await database.ping()),
    close: () =>
      (closing ??= (async () => {
        await relay.stop();
        await Promise.all([outboxQueue.close(), mailQueue.close()]);
        await redis.quit().catch(() => undefined);
        await database.close();
      })()),
  };
}
