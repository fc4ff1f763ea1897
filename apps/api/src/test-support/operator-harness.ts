import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { signToken, type Role } from '@execn/auth';
import { createApiMetrics, createLogger, type ApiMetrics } from '@execn/observability';
import { OrderBatcher } from '@execn/orders';
import { createTestDatabase, uniquePrefix, type TestDatabase } from '@execn/testing';
import type { TraderPageOptions } from '@execn/trader-page';
import { openOperatorQueues, type OperatorQueues } from '../admin/operator-queues';
import type { BasicCredentials } from '../admin/basic-credentials';
import { createApp } from '../app';
import { TEST_JWT_SECRET } from './api-harness';
import { callApi, type CallOptions, type CallResult } from './call-api';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Options of `startOperatorHarness`. */
export interface OperatorHarnessOptions {
  /** Bull Board credentials; absent = dashboard disabled. */
  bullBoard?: BasicCredentials;
  /** Reuse a database (a second api on the same data); a fresh one by default. */
  db?: TestDatabase;
  /** Reuse a BullMQ prefix; a fresh one by default. */
  prefix?: string;
  /** Serve the trader page too; absent = not served. */
  traderPage?: TraderPageOptions;
}

/** The api with its BullMQ queues (as `server.ts` wires them) on a fresh database and prefix. Test-only. */
export interface OperatorHarness {
  db: TestDatabase;
  prefix: string;
  url: string;
  metrics: ApiMetrics;
  operator: OperatorQueues;
  token(accountId: string, role?: Role): Promise<string>;
  /** fetch with optional bearer token (or raw Authorization header) and JSON body; JSON parsed when it is JSON. */
  call(method: string, path: string, opts?: CallOptions): Promise<CallResult>;
  close(): Promise<void>;
}

export async function startOperatorHarness(options: OperatorHarnessOptions = {}): Promise<OperatorHarness> {
  const ownDb = options.db === undefined;
  const db = options.db ?? (await createTestDatabase({ max: 8 }));
  const prefix = options.prefix ?? uniquePrefix('ops');
  const log = createLogger({ name: 'api-test', level: 'silent' });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  const operator = openOperatorQueues({ redis: { mode: 'standalone', url: REDIS_URL }, queuePrefix: prefix }, log);
  const orders = new OrderBatcher(db.sql, { maxBatch: 16 });
  const metrics = createApiMetrics({ defaultMetrics: false });
  const app = createApp({
    db,
    redis,
    log,
    metrics,
    jwtSecret: TEST_JWT_SECRET,
    orders,
    queues: operator.queues,
    bullBoard: options.bullBoard,
    traderPage: options.traderPage,
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    db,
    prefix,
    url,
    metrics,
    operator,
    token: (accountId, role = 'trader') => signToken(TEST_JWT_SECRET, { accountId, role }, 3600),
    call: (method, path, opts) => callApi(url, method, path, opts),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await orders.idle();
      await operator.close();
      redis.disconnect();
      if (ownDb) await db.drop();
    },
  };
}

/** `Authorization: Basic …` for a user and password. */
export const basicAuth = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

/** Deletes every Redis key of a BullMQ prefix (test cleanup: the Redis is shared). */
export async function deletePrefixKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
