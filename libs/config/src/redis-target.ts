import { z } from 'zod';
import { url } from './env';

/**
 * Where every Redis client of a process connects: one server (`REDIS_URL`) or
 * a Redis Cluster (`REDIS_CLUSTER_URLS`). The clients themselves are made in
 * one place, `createRedisClient` in `libs/queues`, from this.
 */
export type RedisTarget =
  | { mode: 'standalone'; /** `REDIS_URL`, a `/N` db index honoured. */ url: string }
  | { mode: 'cluster'; /** Seed nodes, `redis[s]://[user:pass@]host:port`; the rest is discovered. */ urls: string[] };

/** The variables of the redis block (`blocks.ts`). */
export const redisEnvShape = {
  REDIS_URL: url('redis://127.0.0.1:6379', ['redis', 'rediss']),
  REDIS_CLUSTER_URLS: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine(isClusterSeedUrl, { message: 'expected redis://host:port URLs, comma-separated (a cluster has no db index)' }))),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:{}-]{1,64}$/, { message: 'expected 1-64 of A-Z a-z 0-9 _ . : { } -' })
    .optional()
    .transform((v) => v ?? 'bull'),
};

type RedisEnv = { [K in keyof typeof redisEnvShape]: z.infer<(typeof redisEnvShape)[K]> };

function isClusterSeedUrl(value: string): boolean {
  try {
    const u = new URL(value);
    // Cluster mode only has db 0: a `/N` would be silently dropped by the client, so it is refused.
    return (u.protocol === 'redis:' || u.protocol === 'rediss:') && u.hostname !== '' && (u.pathname === '' || u.pathname === '/' || u.pathname === '/0');
  } catch {
    return false;
  }
}

/**
 * The hash tag Redis Cluster hashes a key by: the text between the first `{`
 * and the first `}` after it, when not empty (else the whole key is hashed).
 * Every BullMQ key starts with `QUEUE_PREFIX`, so a prefix with a hash tag puts
 * every key of every queue in one slot, which BullMQ's multi-key scripts need.
 */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open === -1) return undefined;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return undefined;
  return key.slice(open + 1, close);
}

/** Why a cluster's `QUEUE_PREFIX` needs a hash tag (the redis block refuses one without). */
export const QUEUE_PREFIX_NEEDS_HASH_TAG =
  'expected a hash tag such as {bull} when REDIS_CLUSTER_URLS is set (BullMQ needs every key of a queue in one cluster slot)';

/** The Redis target of a parsed environment (the block has refused a cluster whose prefix has no hash tag). */
export function redisTargetOf(e: RedisEnv): RedisTarget {
  return e.REDIS_CLUSTER_URLS.length === 0 ? { mode: 'standalone', url: e.REDIS_URL } : { mode: 'cluster', urls: e.REDIS_CLUSTER_URLS };
}

