import { signToken } from '@execn/auth';
import { connectTrader, type TraderConnection } from '@execn/client';
import { loadConfig } from '@execn/config';
import type { ExecutionReport } from '@execn/contracts';
import { createLogger, createPollerMetrics, createWorkerMetrics } from '@execn/observability';
import { startOutboxPoller, type OutboxPoller } from '@execn/outbox';
import {
  PrivateRedisCluster,
  SmtpSink,
  createTestDatabase,
  insertAccount,
  startAppProcess,
  uniquePrefix,
  type AppProcess,
  type TestDatabase,
} from '@execn/testing';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { startWorkerApp, type WorkerApp } from '../worker-app';
import { FAST_ENV } from './pipeline-harness';

export const CLUSTER_JWT_SECRET = 'redis-cluster-test-secret-0123456789-abcdef';

/** A trader's SDK connection on one ws node, and what it handed over. */
export interface ClusterTrader {
  accountId: string;
  token: string;
  connection: TraderConnection;
  /** Report seqs in the order the SDK handed them over (deduplicated, gaps filled by resume). */
  seqs: number[];
  eventIds: Set<string>;
}

/** A plain socket.io-client: what the server sent live, duplicates and gaps included (the SDK hides both). */
export interface RawListener {
  socket: Socket;
  arrivals: Array<{ seq: number; at: number }>;
}

/**
 * The whole stack on a real Redis Cluster (3 masters, 3 replicas): api and two
 * ws nodes as processes, the poller and a worker in this process, a test
 * database, an SMTP sink; every Redis client in cluster mode
 * (`REDIS_CLUSTER_URLS`, a hash-tagged `QUEUE_PREFIX`).
 */
export class ClusterStack {
  readonly cluster = new PrivateRedisCluster();
  readonly sink = new SmtpSink();
  readonly prefix = `{${uniquePrefix('cluster')}}`;
  db!: TestDatabase;
  apiUrl = '';
  wsUrls: string[] = [];
  env: Record<string, string> = {};
  private apps: AppProcess[] = [];
  private poller: OutboxPoller | undefined;
  private worker: WorkerApp | undefined;
  private closers: Array<() => void> = [];

  async start(extraEnv: Record<string, string>): Promise<this> {
    this.sink.headersOnly = true;
    const [db] = await Promise.all([createTestDatabase(), this.sink.start(), this.cluster.start()]);
    this.db = db;
    this.env = {
      ...FAST_ENV,
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      REDIS_CLUSTER_URLS: this.cluster.urls.join(','),
      QUEUE_PREFIX: this.prefix,
      SMTP_URL: this.sink.url,
      MAIL_FROM: 'Executions <executions@exec.test>',
      JWT_SECRET: CLUSTER_JWT_SECRET,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...extraEnv,
    };
    const [api, ws1, ws2] = await Promise.all([
      startAppProcess('api', { ...this.env, LOG_LEVEL: 'info', API_PORT: '0' }, /api listening/),
      startAppProcess('ws', { ...this.env, LOG_LEVEL: 'info', WS_PORT: '0' }, /ws node listening/),
      startAppProcess('ws', { ...this.env, LOG_LEVEL: 'info', WS_PORT: '0' }, /ws node listening/),
    ]);
    this.apps.push(api, ws1, ws2);
    this.apiUrl = `http://127.0.0.1:${api.port}`;
    this.wsUrls = [ws1, ws2].map((w) => `http://127.0.0.1:${w.port}`);
    const config = loadConfig(this.env);
    this.poller = await startOutboxPoller(config, createLogger({ name: 'poller', level: config.logLevel }), createPollerMetrics({ defaultMetrics: false }));
    this.worker = startWorkerApp(config, createLogger({ name: 'worker', level: config.logLevel }), createWorkerMetrics({ defaultMetrics: false }));
    return this;
  }

  /** A new account with a token. */
  async account(): Promise<{ id: string; token: string }> {
    const { id } = await insertAccount(this.db.sql);
    return { id, token: await signToken(CLUSTER_JWT_SECRET, { accountId: id, role: 'trader' }, 3600) };
  }

  /** An SDK connection of `account` on the ws node `node` (0 or 1). */
  connect(account: { id: string; token: string }, node: number): ClusterTrader {
    const trader: ClusterTrader = { accountId: account.id, token: account.token, seqs: [], eventIds: new Set(), connection: undefined as unknown as TraderConnection };
    trader.connection = connectTrader({
      url: this.wsUrls[node]!,
      token: account.token,
      gapGraceMs: 200,
      onReport: (r: ExecutionReport) => {
        trader.seqs.push(r.seq);
        trader.eventIds.add(r.eventId);
      },
    });
    this.closers.push(() => trader.connection.close());
    return trader;
  }

  /** A raw socket of `account` on ws node `node`, recording every live report. */
  async listen(account: { token: string }, node: number): Promise<RawListener> {
    const socket = io(this.wsUrls[node]!, { transports: ['websocket'], auth: { token: account.token }, forceNew: true });
    const listener: RawListener = { socket, arrivals: [] };
    socket.on('execution.report', (r: ExecutionReport) => listener.arrivals.push({ seq: r.seq, at: Date.now() }));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    this.closers.push(() => socket.close());
    return listener;
  }

  /** Keys matching `pattern` on the master that serves the prefix's slot. */
  async keysOnCluster(pattern: string): Promise<number> {
    const { master } = await this.cluster.shardOf(this.prefix);
    return keyCount(`redis://127.0.0.1:${master}`, pattern);
  }

  /** Keys matching `pattern` on the Redis of REDIS_URL (the default one), which a cluster stack must not touch. */
  keysOnDefaultRedis(pattern: string): Promise<number> {
    return keyCount(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', pattern);
  }

  /** Event ids whose mail reached the sink. */
  mailedEventIds(): Set<string> {
    return new Set(this.sink.mails.map((m) => m.headers.get('x-execution-event-id') as string));
  }

  /** The apps' output, for failure messages. */
  output(): string {
    return this.apps.map((a) => `--- ${a.name}\n${a.output().slice(-3000)}`).join('\n');
  }

  async close(): Promise<void> {
    for (const close of this.closers) close();
    await Promise.all(this.apps.map((a) => a.stop()));
    await this.poller?.close();
    await this.worker?.close();
    await this.sink.stop();
    await this.db?.drop();
    await this.cluster.close();
  }
}

async function keyCount(url: string, pattern: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.keys(pattern)).length;
  } finally {
    redis.disconnect();
  }
}
