import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * An ioredis connection for BullMQ or the Socket.IO adapter. `REDIS_URL`'s
 * `/N` db index is honoured by ioredis. BullMQ workers need
 * `maxRetriesPerRequest: null` (blocking commands must not give up); it is set
 * for every connection so that a Redis outage makes callers wait and retry
 * rather than fail.
 */
export function createRedisConnection(
  url: string,
  log: Logger,
  name: string,
  options: RedisOptions = {},
): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectionName: name,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...options,
  });
  let lastErrorLog = 0;
  redis.on('error', (err) => {
    // A down Redis emits an error per reconnect attempt; one line every 5 s is enough.
    const now = Date.now();
    if (now - lastErrorLog > 5_000) {
      lastErrorLog = now;
      log.warn({ err, connection: name }, 'redis connection error');
    }
  });
  return redis;
}
