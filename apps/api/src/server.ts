import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { ConfigOf } from '@execn/config';
import { createDatabase } from '@execn/db';
import type { ApiMetrics, Logger } from '@execn/observability';
import { OrderBatcher } from '@execn/orders';
import { QUEUE_NAMES, closeRedisClient, createRedisClient, outboxJobOptions } from '@execn/queues';
import { QueueHandOff } from '@execn/outbox';
import { Queue } from 'bullmq';
import { openOperatorQueues } from './admin/operator-queues';
import { Counter, Histogram } from 'prom-client';
import { createApp } from './app';
import type { AppDeps } from './deps';

/** A running api: its port and a `close()` that drains and releases everything (safe twice). */
export interface ApiServer {
  port: number;
  deps: AppDeps;
  /** Stops intake, waits for requests in flight, then closes Redis and the pool. */
  close(): Promise<void>;
}

/** Builds the api's dependencies from the config and listens on `config.host`:`config.apiPort` (0 = any free port). */
/** The config blocks the api reads (the ws block: where the trader page sends browsers). */
export const API_CONFIG_BLOCKS = ['process', 'database', 'redis', 'auth', 'outbox', 'ws', 'api'] as const;
export type ApiConfig = ConfigOf<(typeof API_CONFIG_BLOCKS)[number]>;

export async function startApiServer(config: ApiConfig, log: Logger, metrics: ApiMetrics): Promise<ApiServer> {
  const db = createDatabase(config.databaseUrl, { max: config.databasePoolSize, applicationName: 'api' });
  // Only `/readyz` uses Redis here; fail its PING fast instead of queueing it while Redis is down.
  const redis = createRedisClient(config.redis, log, 'api-ready', { maxRetriesPerRequest: 1 });
  // Batching off (ORDER_BATCH_MAX=1) means one transaction per order, as many at once as the pool allows.
  const maxConcurrent = config.orderBatchMax === 1 ? config.databasePoolSize : config.orderMaxConcurrent;
  const batchSize = new Histogram({
    name: 'order_batch_size',
    help: 'Orders placed per database transaction (concurrent orders are grouped)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [metrics.registry],
  });
  const intakeRefused = new Counter({
    name: 'order_intake_refused_total',
    help: 'Orders not executed for lack of capacity: full (queue at ORDER_INTAKE_MAX_QUEUED), deadline, aborted (client gone)',
    labelNames: ['reason'],
    registers: [metrics.registry],
  });
  // The order transactions' outbox jobs, added by this process after each commit (`QueueHandOff`). Its own
  // connection, failing fast: while Redis is away or hangs, the rows go back to the relay instead of waiting here.
  const handOffRedis = config.outbox.directEnqueue
    ? createRedisClient(config.redis, log, 'api-outbox', { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2_000 })
    : undefined;
  const handOffQueue = handOffRedis && new Queue(QUEUE_NAMES.outbox, { connection: handOffRedis, prefix: config.queuePrefix });
  handOffQueue?.on('error', (err) => log.debug({ err }, 'outbox hand-off queue error'));
  const handOff =
    handOffQueue &&
    new QueueHandOff({
      sql: db.sql,
      queue: handOffQueue,
      jobOptions: outboxJobOptions(config.outbox.attempts),
      eventsPerJob: config.outbox.jobMaxEvents,
      log,
    });
  const orders = new OrderBatcher(db.sql, {
    handOff,
    maxBatch: config.orderBatchMax,
    maxConcurrent,
    notify: config.outbox.notify,
    maxQueued: config.orderIntakeMaxQueued,
    queueDeadlineMs: config.orderIntakeDeadlineMs,
    log,
    onTransaction: (n) => batchSize.observe(n),
    onRefused: (reason) => intakeRefused.inc({ reason }),
  });
  const operator = openOperatorQueues(config, log);
  const deps: AppDeps = { db, redis, log, metrics, jwtSecret: config.jwtSecret, orders, notify: config.outbox.notify };
  deps.orderRateLimitPerSecond = config.orderRateLimitPerSecond;
  // Bull Board and the queue-depth gauge (issue 5).
  deps.queues = operator.queues;
  deps.bullBoard = config.bullBoard;
  // The trader web page (issue 4), pointing browsers at the ws nodes.
  deps.traderPage = { wsUrls: config.ws.publicUrls, devTokens: config.traderPageDevTokens };
  const server: Server = createApp(deps).listen(config.apiPort, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  let closing: Promise<void> | undefined;
  // A request in flight when the stop begins would keep its connection open for keepAliveTimeout after its
  // answer, and the stop with it: once closing, a connection is closed as soon as it is idle again.
  server.on('request', (_req, res) => {
    res.once('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    deps,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await closed;
        await orders.idle();
        await handOff?.idle();
        await handOffQueue?.close();
        if (handOffRedis) await closeRedisClient(handOffRedis);
        await closeRedisClient(redis);
        await operator.close();
        await db.close();
      })()),
  };
}
