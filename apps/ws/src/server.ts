import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import type { Logger } from 'pino';
import type { Config } from '@execn/config';
import { accountRoom, type ServerShutdownNotice } from '@execn/contracts';
import type { Database } from '@execn/db';
import { applySecurityHeaders, handleHealthRequest, securityHeaders, type WsMetrics } from '@execn/observability';
import { closeRedisClient, createRedisClient, socketIoAdapterKey, socketIoAdapterPattern } from '@execn/queues';
import { authenticate, disconnectOnExpiry } from './auth';
import { registerResume } from './handlers/resume';
import { registerSubscribe } from './handlers/subscribe';
import { registerUnsubscribe } from './handlers/unsubscribe';
import { limitConnectionsPerAccount } from './connection-limit';
import { limitRate } from './rate-limit';
import { dropWhenNotReading } from './slow-client';
import type { WsServerIo } from './socket-types';

/** What a ws node needs; `main.ts` builds it, tests build their own. */
export interface WsServerDeps {
  config: Pick<Config, 'redis' | 'queuePrefix' | 'jwtSecret'> & {
    ws: Pick<
      Config['ws'],
      | 'resumeBatchSize'
      | 'maxMessageBytes'
      | 'rateLimitPerSecond'
      | 'allowPolling'
      | 'maxConnectionsPerAccount'
      | 'maxSubscriptionsPerSocket'
      | 'maxBufferedMessages'
      | 'slowClientTimeoutMs'
    >;
  };
  log: Logger;
  metrics: WsMetrics;
  /** The node's PostgreSQL pool (ownership checks, resume); closed by the caller. */
  database: Pick<Database, 'sql' | 'ping'>;
}

/** A ws node: Socket.IO plus `/healthz`, `/readyz`, `/metrics` on one HTTP server. */
export interface WsServer {
  io: WsServerIo;
  httpServer: http.Server;
  /** Listens on `port` (0 = any free port) and resolves the actual port. */
  listen(port: number, host?: string): Promise<number>;
  /**
   * Graceful stop: refuses new handshakes, tells every client to reconnect
   * elsewhere (`server.shutdown`) and disconnects it, closes Socket.IO, the
   * HTTP server and the adapter's Redis connections. Safe to call twice.
   */
  close(): Promise<void>;
}

const HEALTH_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Builds a ws node of the trader cluster (CONTRACT section 6).
 *
 * Adapter: the CLASSIC `@socket.io/redis-adapter` (`createAdapter`, Redis
 * PUBLISH/PSUBSCRIBE), not the sharded one, on one Redis and on a Redis
 * Cluster alike. The workers broadcast with `@socket.io/redis-emitter`, which
 * speaks only the classic adapter's protocol and channel names (`<key>#/#...`);
 * the sharded adapter (SPUBLISH) would not hear them, and for our two-room
 * broadcasts it would not cut what a node receives either (README "Redis
 * Cluster", measured). On a cluster, a PUBLISH reaches every node, so the
 * subscriber connection may sit on any of them. The channel key is
 * `socketIoAdapterKey(QUEUE_PREFIX)`, shared with the workers.
 *
 * Socket.IO's connection-state recovery is not used: it does not work with the
 * Redis adapter; `resume` from PostgreSQL with the per-account seq is what
 * makes a reconnect lossless.
 */
export function createWsServer(deps: WsServerDeps): WsServer {
  const { config, log, metrics, database } = deps;
  const pub = createRedisClient(config.redis, log, 'ws-adapter-pub');
  const sub = createRedisClient(config.redis, log, 'ws-adapter-sub');
  let shuttingDown = false;

  const checks = {
    live: () => !shuttingDown,
    ready: async () => !shuttingDown && pub.status === 'ready' && sub.status === 'ready' && (await database.ping()),
  };
  // Health paths are answered here; Socket.IO intercepts its own path (/socket.io/) before this handler.
  const httpServer = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!HEALTH_PATHS.has(path)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'not_found', message: 'Not found' } }));
      return;
    }
    void handleHealthRequest(path, metrics.registry, checks).then(({ status, type, body }) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    });
  });

  const io: WsServerIo = new Server(httpServer, {
    adapter: createAdapter(pub, sub, { key: socketIoAdapterKey(config.queuePrefix) }),
    maxHttpBufferSize: config.ws.maxMessageBytes,
    // Tokens travel in the handshake, never in cookies, so any page origin may connect.
    cors: { origin: '*' },
    serveClient: false,
    // Long-polling holds a socket's output in the node until the client polls, and needs sticky
    // sessions across nodes: only when the operator turns it on (WS_ALLOW_POLLING).
    transports: config.ws.allowPolling ? ['polling', 'websocket'] : ['websocket'],
  });

  // Engine.io took over the server's 'request' listeners when it attached; this one runs before all of
  // them, so Socket.IO's own answers (polling, handshake errors) carry the headers too.
  const headers = securityHeaders();
  httpServer.prependListener('request', (req, res) => applySecurityHeaders(headers, req, res));

  io.use((socket, next) => (shuttingDown ? next(new Error('shutting_down')) : next()));
  io.use(authenticate(config.jwtSecret, log));
  limitConnectionsPerAccount(io, config.ws.maxConnectionsPerAccount);

  const handlerDeps = {
    sql: database.sql,
    log,
    resumeReports: metrics.wsResumeReportsTotal,
    resumeBatchSize: config.ws.resumeBatchSize,
    slowClientTimeoutMs: config.ws.slowClientTimeoutMs,
    maxSubscriptionsPerSocket: config.ws.maxSubscriptionsPerSocket,
  };
  io.on('connection', (socket) => {
    const { accountId } = socket.data.principal;
    metrics.wsConnectedClients.inc();
    socket.once('disconnect', () => metrics.wsConnectedClients.dec());
    void socket.join(accountRoom(accountId));
    disconnectOnExpiry(socket, log);
    limitRate(socket, config.ws.rateLimitPerSecond);
    dropWhenNotReading(socket, config.ws.maxBufferedMessages, () =>
      log.warn({ accountId, maxBufferedMessages: config.ws.maxBufferedMessages }, 'ws socket dropped: it does not read'),
    );
    registerSubscribe(socket, handlerDeps);
    registerUnsubscribe(socket);
    registerResume(socket, handlerDeps);
  });

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    shuttingDown = true;
    const notice: ServerShutdownNotice = { reason: 'shutdown', reconnect: true };
    io.local.emit('server.shutdown', notice);
    io.local.disconnectSockets(true);
    httpServer.closeIdleConnections();
    await io.close();
    await Promise.all([pub, sub].map((r) => closeRedisClient(r)));
    log.info('ws node closed');
  };

  return {
    io,
    httpServer,
    listen: async (port, host = '127.0.0.1') => {
      // The adapter sends PSUBSCRIBE without awaiting it: the same PSUBSCRIBE, awaited, on the same
      // subscriber connection (with a cluster, the node ioredis picked for subscriptions) means it hears broadcasts.
      await sub.psubscribe(socketIoAdapterPattern(config.queuePrefix));
      return new Promise<number>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolve((httpServer.address() as AddressInfo).port);
        });
      });
    },
    close: () => (closing ??= close()),
  };
}
