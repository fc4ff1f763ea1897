import type { Queue } from 'bullmq';
import type { Database } from '@execn/db';
import type { Logger } from '@execn/observability';
import type { ApiMetrics } from '@execn/observability';
import type { OrderBatcher } from '@execn/orders';
import type { TraderPageOptions } from '@execn/trader-page';
import type { BasicCredentials } from './admin/basic-credentials';

/** Anything that answers a Redis PING (an ioredis client in production). */
export interface RedisPinger {
  ping(): Promise<string>;
}

/**
 * Everything the api's routes need, built by `main.ts` (or a test) and handed
 * to `createApp`. Adding an area (admin outbox, Bull Board) means adding a
 * field here and a router in `app.ts`.
 */
export interface AppDeps {
  db: Database;
  redis: RedisPinger;
  log: Logger;
  metrics: ApiMetrics;
  jwtSecret: string;
  /** Places orders, grouping concurrent ones of a symbol into one transaction. */
  orders: OrderBatcher;
  /** NOTIFY the outbox relay on cancels too (placing orders is configured on the batcher). @default true */
  notify?: boolean;
  /** Liveness beyond "the event loop answers"; `/healthz` is 503 when false. */
  isLive?: () => boolean;
  /** The BullMQ `outbox` and `mail` queues, for Bull Board and the queue-depth gauge; absent = neither. */
  queues?: { outbox: Queue; mail: Queue };
  /** Bull Board's Basic-auth pair (`BULL_BOARD_USER`/`BULL_BOARD_PASSWORD`); absent = dashboard disabled (404). */
  bullBoard?: BasicCredentials;
  /** ORDER_RATE_LIMIT_PER_SECOND: per-account orders placed and cancelled per second; absent = no limit (tests). */
  orderRateLimitPerSecond?: number;
  /** The trader web page at `/` (issue 4); absent = not served. */
  traderPage?: TraderPageOptions;
}
