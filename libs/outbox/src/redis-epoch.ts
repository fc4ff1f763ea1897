import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@execn/queues';

/**
 * Detects a wiped Redis (FLUSHALL, FLUSHDB, a restart without persistence, an
 * eviction): a key set when absent to a fresh value. If it later disappears or
 * changes, every job in Redis may be gone and the in-flight outbox rows must be
 * swept at once rather than after the lease.
 */
export class RedisEpoch {
  private known: string | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
  ) {}

  /** `initial` on the first check, `changed` when Redis was wiped since the last one, else `same`. */
  async check(): Promise<'initial' | 'same' | 'changed'> {
    await this.redis.set(this.key, randomUUID(), 'NX');
    const current = await this.redis.get(this.key);
    const previous = this.known;
    this.known = current ?? undefined;
    if (previous === undefined) return 'initial';
    return current === previous ? 'same' : 'changed';
  }
}

/** The epoch key of a queue prefix. */
export const outboxEpochKey = (queuePrefix: string): string => `${queuePrefix}:outbox:epoch`;
