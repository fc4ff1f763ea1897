import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisTarget } from '@execn/config';

/** A Redis client of either kind; BullMQ, the Socket.IO adapter and emitter take both. */
export type RedisClient = Redis | Cluster;

/** Per-connection settings a caller may change (the rest is the house default). */
export type RedisClientOptions = Pick<
  RedisOptions,
  'maxRetriesPerRequest' | 'enableOfflineQueue' | 'enableAutoPipelining' | 'lazyConnect' | 'connectTimeout' | 'commandTimeout'
>;

const retryStrategy = (times: number) => Math.min(times * 200, 2_000);

/**
 * THE place where Redis connections are made: one server (`REDIS_URL`, its
 * `/N` db index honoured) or a Redis Cluster (`REDIS_CLUSTER_URLS`, an ioredis
 * `Cluster` that discovers every node from the seeds and follows failovers).
 * BullMQ workers need `maxRetriesPerRequest: null` (blocking commands must not
 * give up); it is the default for every connection so that a Redis outage
 * makes callers wait and retry rather than fail. Every client gets an `error`
 * listener that logs at most one line every 5 s.
 */
export function createRedisClient(target: RedisTarget, log: Logger, name: string, options: RedisClientOptions = {}): RedisClient {
  const redisOptions: RedisOptions = {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectionName: name,
    retryStrategy,
    ...options,
  };
  const client = target.mode === 'standalone' ? new Redis(target.url, redisOptions) : new Cluster(target.urls, clusterOptions(target.urls, redisOptions));
  let lastErrorLog = 0;
  client.on('error', (err) => {
    // A down Redis emits an error per reconnect attempt; one line every 5 s is enough.
    const now = Date.now();
    if (now - lastErrorLog > 5_000) {
      lastErrorLog = now;
      log.warn({ err, connection: name }, 'redis connection error');
    }
  });
  return client;
}

/**
 * Cluster options from the seeds and the per-node options. Credentials and TLS
 * of the first seed apply to every node the client discovers (the seeds' own
 * are only used for the first contact). The queueing and pipelining options are
 * the cluster's, not the nodes': a command waits in the cluster's offline queue
 * while the slot map is refreshed after a failover.
 */
function clusterOptions(urls: string[], node: RedisOptions): ClusterOptions {
  const seed = new URL(urls[0]!);
  const { enableOfflineQueue, enableAutoPipelining, lazyConnect, ...perNode } = node;
  return {
    redisOptions: {
      ...perNode,
      ...(seed.username ? { username: decodeURIComponent(seed.username) } : {}),
      ...(seed.password ? { password: decodeURIComponent(seed.password) } : {}),
      ...(seed.protocol === 'rediss:' ? { tls: {} } : {}),
    },
    clusterRetryStrategy: retryStrategy,
    enableOfflineQueue: enableOfflineQueue ?? true,
    enableAutoPipelining: enableAutoPipelining ?? false,
    lazyConnect: lazyConnect ?? false,
    enableReadyCheck: true,
    // A master that died leaves its slots unserved until a replica is promoted (cluster-node-timeout plus an
    // election): commands to it are retried every 200 ms for about 10 s rather than failed after 1.6 s.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    maxRedirections: 50,
  };
}

/** Closes a client: QUIT, or a hard disconnect after `graceMs` (QUIT waits forever on a Redis that is down). */
export async function closeRedisClient(client: RedisClient, graceMs = 1_000): Promise<void> {
  const timer = setTimeout(() => client.disconnect(), graceMs);
  await client.quit().catch(() => client.disconnect());
  clearTimeout(timer);
}
