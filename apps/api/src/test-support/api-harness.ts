import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { signToken, type Role } from '@execn/auth';
import { createApiMetrics, createLogger } from '@execn/observability';
import { OrderBatcher, type OrderBatcherOptions } from '@execn/orders';
import { createTestDatabase, type TestDatabase } from '@execn/testing';
import type { Express } from 'express';
import { Redis } from 'ioredis';
import { createApp } from '../app';
import { callApi, type CallOptions, type CallResult } from './call-api';

export const TEST_JWT_SECRET = 'test-secret-0123456789-0123456789-0123456789';

/** The api on a fresh database and a real port, with helpers to call it as a trader or admin. Test-only. */
export interface ApiHarness {
  db: TestDatabase;
  /** The Express app under test (its routes can be listed). */
  app: Express;
  url: string;
  /** The api's order intake (its queue can be watched). */
  orders: OrderBatcher;
  token(accountId: string, role?: Role, ttlSeconds?: number): Promise<string>;
  /** Inserts trader accounts (`<id>@example.test`) and returns a token for each, in order. */
  traders(...accountIds: string[]): Promise<string[]>;
  /** fetch with a bearer token and a JSON body; returns status and parsed body. */
  /** `{status, body}` only, so tests can compare the whole answer. */
  call(method: string, path: string, opts?: CallOptions): Promise<Omit<CallResult, 'headers'>>;
  close(): Promise<void>;
}

/** What a suite may set: `orderRateLimitPerSecond` as ORDER_RATE_LIMIT_PER_SECOND (absent = no limit); the intake bounds. */
export interface ApiHarnessOptions {
  orderRateLimitPerSecond?: number;
  orders?: Pick<OrderBatcherOptions, 'maxQueued' | 'queueDeadlineMs'>;
}

export async function startApiHarness(options: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const db = await createTestDatabase({ max: 8 });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  const log = createLogger({ name: 'api-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const orders = new OrderBatcher(db.sql, { maxBatch: 16, ...options.orders });
  const app = createApp({
    db,
    redis,
    log,
    metrics: createApiMetrics({ defaultMetrics: false }),
    jwtSecret: TEST_JWT_SECRET,
    orders,
    orderRateLimitPerSecond: options.orderRateLimitPerSecond,
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    db,
    app,
    url,
    orders,
    token: (accountId, role = 'trader', ttl = 3600) => signToken(TEST_JWT_SECRET, { accountId, role }, ttl),
    traders: async (...ids) => {
      for (const id of ids) await db.sql`insert into accounts (id, email) values (${id}, ${`${id}@example.test`})`;
      return Promise.all(ids.map((id) => signToken(TEST_JWT_SECRET, { accountId: id, role: 'trader' }, 3600)));
    },
    call: async (method, path, opts) => {
      const { status, body } = await callApi(url, method, path, opts);
      return { status, body };
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await orders.idle();
      redis.disconnect();
      await db.drop();
    },
  };
}
