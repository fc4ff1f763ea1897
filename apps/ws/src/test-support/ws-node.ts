import pino from 'pino';
import { Emitter } from '@socket.io/redis-emitter';
import { io, type Socket } from 'socket.io-client';
import { signToken } from '@execn/auth';
import { loadConfig } from '@execn/config';
import type { ClientToServerEvents, ServerToClientEvents } from '@execn/contracts';
import type { Database } from '@execn/db';
import { createWsMetrics, type WsMetrics } from '@execn/observability';
import { closeRedisClient, createRedisClient, socketIoAdapterKey } from '@execn/queues';
import { startAppProcess, type AppProcess } from '@execn/testing';
import { createWsServer, type WsServer, type WsServerDeps } from '../server';

export const TEST_JWT_SECRET = 'test-secret-for-ws-integration-0123456789abcdef';
export const REDIS_URL = 'redis://127.0.0.1:6379';
export const silentLog = pino({ level: 'silent' });

/** A ws node on a free loopback port, in this process. */
export interface TestWsNode {
  server: WsServer;
  metrics: WsMetrics;
  url: string;
  close(): Promise<void>;
}

export async function startWsNode(
  prefix: string,
  database: Pick<Database, 'sql' | 'ping'>,
  ws: Partial<WsServerDeps['config']['ws']> = {},
): Promise<TestWsNode> {
  const metrics = createWsMetrics({ defaultMetrics: false });
  const server = createWsServer({
    config: {
      redis: { mode: 'standalone', url: REDIS_URL },
      queuePrefix: prefix,
      jwtSecret: TEST_JWT_SECRET,
      // The configured defaults (one home), with a smaller resume batch and a rate no test meets unless it asks.
      ws: { ...loadConfig({}).ws, resumeBatchSize: 100, maxMessageBytes: 16_384, rateLimitPerSecond: 1_000, ...ws },
    },
    log: silentLog,
    metrics,
    database,
  });
  // No host: the server's own default (loopback) is what http-surface.int.test checks.
  const port = await server.listen(0);
  return { server, metrics, url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/** A ws node in a process of its own (its RSS, CPU and event loop its own), on a free port. */
export type WsChild = AppProcess & { url: string };

export async function spawnWsChild(databaseUrl: string, queuePrefix: string, extra: Record<string, string> = {}): Promise<WsChild> {
  const env = { DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '4', REDIS_URL, QUEUE_PREFIX: queuePrefix, JWT_SECRET: TEST_JWT_SECRET, WS_PORT: '0', ...extra };
  const node = await startAppProcess('ws', env, /"msg":"ws node listening"/, 20_000);
  return { ...node, url: `http://127.0.0.1:${node.port}` };
}

export type RawClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A raw Socket.IO client (websocket only, no reconnection); resolves once connected. */
export async function connectRaw(url: string, token: string | undefined): Promise<RawClient> {
  const socket: RawClient = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: token === undefined ? {} : { token },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
  return socket;
}

/** The message of the `connect_error` a handshake with this auth gets. */
export async function refusal(url: string, auth: Record<string, unknown>): Promise<string> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth });
  try {
    return await new Promise<string>((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', (err) => resolve(err.message));
    });
  } finally {
    socket.close();
  }
}

export const traderToken = (accountId: string, ttlSeconds = 3600) =>
  signToken(TEST_JWT_SECRET, { accountId }, ttlSeconds);

/** A `@socket.io/redis-emitter` on its own Redis connection, as a worker broadcasts. */
export function createTestEmitter(prefix: string) {
  const redis = createRedisClient({ mode: 'standalone', url: REDIS_URL }, silentLog, 'test-emitter');
  const emitter = new Emitter<ServerToClientEvents>(redis, { key: socketIoAdapterKey(prefix) });
  return { emitter, close: () => closeRedisClient(redis) };
}
