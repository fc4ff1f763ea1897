import { z } from 'zod';
import { bool, int, optionalString, url } from './env';
import { QUEUE_PREFIX_NEEDS_HASH_TAG, hashTagOf, redisEnvShape, redisTargetOf } from './redis-target';

/**
 * The settings, one zod schema per concern. Each reads its variables from the environment and its output *is*
 * the config block (no hand-written twin): a new variable is one line in its block's object and one in its
 * transform. A process reads only the blocks it needs (`loadConfigOf`), so the poller never needs a JWT secret.
 * A rule across variables goes in the block's `superRefine`, with the variable it names as its path.
 */

const DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-change-me-0123456789';

const nodeEnv = z.enum(['development', 'production', 'test']).optional().transform((v) => v ?? 'development');

/** Whether `host` (a host name or address, IPv6 with or without brackets) is this machine's loopback. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/** Every process: logging, where its HTTP listeners bind, its health server, how it stops. */
const processBlock = z
  .object({
    NODE_ENV: nodeEnv,
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .optional()
      .transform((v) => v ?? 'info'),
    // Interface every HTTP listener binds to (api, ws, poller/worker metrics): loopback unless an
    // operator says otherwise, so a dev stack with dev tokens and dev credentials is not on the network.
    HOST: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9.:-]{1,253}$/, { message: 'expected an IP address or host name, e.g. 127.0.0.1 or 0.0.0.0' })
      .optional()
      .transform((v) => v || '127.0.0.1'),
    METRICS_PORT: z
      .string()
      .regex(/^\d+$/, { message: 'expected a port number' })
      .transform(Number)
      .pipe(z.number().int().min(0).max(65535))
      .optional(),
    SHUTDOWN_TIMEOUT_MS: int(8_000, 100, 60_000),
    // /healthz of poller and worker turns 503 when no progress was seen for this long.
    PROGRESS_STALE_AFTER_MS: int(60_000, 1_000, 3_600_000),
  })
  .transform((e) => ({
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    /** Interface the HTTP listeners bind to. @default '127.0.0.1' */
    host: e.HOST,
    metricsPort: e.METRICS_PORT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    /** How long poller and worker may go without progress before `/healthz` fails. */
    progressStaleAfterMs: e.PROGRESS_STALE_AFTER_MS,
  }));

const databaseBlock = z
  .object({
    DATABASE_URL: url('postgres://postgres@127.0.0.1:5432/exec_notify', ['postgres', 'postgresql']),
    DATABASE_POOL_SIZE: int(10, 1, 200),
  })
  .transform((e) => ({ databaseUrl: e.DATABASE_URL, databasePoolSize: e.DATABASE_POOL_SIZE }));

const redisBlock = z
  .object(redisEnvShape)
  .superRefine((e, ctx) => {
    if (e.REDIS_CLUSTER_URLS.length > 0 && hashTagOf(e.QUEUE_PREFIX) === undefined) {
      ctx.addIssue({ code: 'custom', path: ['QUEUE_PREFIX'], message: QUEUE_PREFIX_NEEDS_HASH_TAG });
    }
  })
  .transform((e) => ({
    /** `REDIS_URL`, or the cluster of `REDIS_CLUSTER_URLS` when set (then `REDIS_URL` is not used). */
    redis: redisTargetOf(e),
    /** BullMQ key prefix and Socket.IO channel namespace; carries a hash tag (`{…}`) with a cluster. */
    queuePrefix: e.QUEUE_PREFIX,
  }));

/** The token secret: the api and the ws nodes verify tokens; nothing else needs it. */
const authBlock = z
  .object({ NODE_ENV: nodeEnv, JWT_SECRET: optionalString() })
  .superRefine((e, ctx) => {
    if (!e.JWT_SECRET && e.NODE_ENV === 'production') ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'required when NODE_ENV=production' });
    if (e.JWT_SECRET && e.JWT_SECRET.length < 32) ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'expected at least 32 characters for an HS256 key' });
  })
  .transform((e) => ({
    jwtSecret: e.JWT_SECRET ?? DEV_JWT_SECRET,
    /** True when JWT_SECRET was not set and the dev secret is in use; callers log a loud warning. */
    jwtSecretIsDefault: !e.JWT_SECRET,
  }));

/** `SMTP_URL`, asking nodemailer for STARTTLS or nothing (`requireTLS=true`) when it goes off this machine in clear. */
function withRequiredTls(smtpUrl: string, requireTls: boolean): string {
  const u = new URL(smtpUrl);
  if (!requireTls || u.protocol !== 'smtp:' || isLoopbackHost(u.hostname)) return smtpUrl;
  u.searchParams.set('requireTLS', 'true');
  return u.toString();
}

const mailBlock = z
  .object({
    SMTP_URL: url('smtp://127.0.0.1:1025', ['smtp', 'smtps']),
    // STARTTLS is mandatory towards a relay that is not on loopback (a stripped STARTTLS must not
    // send reports in clear); `false` is the documented opt-out for a trusted network.
    SMTP_REQUIRE_TLS: bool(true),
    MAIL_FROM: z.string().min(3).optional().transform((v) => v ?? 'Executions <executions@localhost>'),
    // 12 attempts from 2 s doubling: ~2+4+...+2^11*2 s ≈ 68 min of retries, well past a 10-minute outage.
    MAIL_ATTEMPTS: int(12, 1, 100),
    MAIL_BACKOFF_MS: int(2_000, 10, 3_600_000),
    MAIL_SOCKET_TIMEOUT_MS: int(10_000, 100, 300_000),
    // When (UTC) the fills an order_summary account's still-working orders held that day go out in a summary.
    MAIL_SUMMARY_DAILY_AT: z
      .string()
      .trim()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'expected a UTC time HH:MM, e.g. 22:00' })
      .optional()
      .transform((v) => v ?? '22:00'),
  })
  .transform((e) => ({
    smtpUrl: withRequiredTls(e.SMTP_URL, e.SMTP_REQUIRE_TLS),
    mailFrom: e.MAIL_FROM,
    mail: {
      attempts: e.MAIL_ATTEMPTS,
      backoffMs: e.MAIL_BACKOFF_MS,
      socketTimeoutMs: e.MAIL_SOCKET_TIMEOUT_MS,
      /** UTC `HH:MM` of the daily summary of still-working orders' held fills (order_summary). @default '22:00' */
      summaryDailyAt: e.MAIL_SUMMARY_DAILY_AT,
    },
  }));

/** The outbox relay (poller), and the outbox job options every process that enqueues uses. */
const outboxBlock = z
  .object({
    POLL_INTERVAL_MS: int(200, 10, 60_000),
    OUTBOX_BATCH_SIZE: int(500, 1, 10_000),
    OUTBOX_JOB_MAX_EVENTS: int(20, 1, 500),
    OUTBOX_LEASE_MS: int(60_000, 1_000, 3_600_000),
    OUTBOX_ATTEMPTS: int(10, 1, 100),
    ENABLE_NOTIFY: bool(true),
    OUTBOX_DIRECT_ENQUEUE: bool(true),
    // Processed execution reports older than this are deleted by the pollers; 0 keeps everything.
    REPORT_RETENTION_DAYS: int(30, 0, 36_500),
  })
  .transform((e) => ({
    outbox: {
      pollIntervalMs: e.POLL_INTERVAL_MS,
      batchSize: e.OUTBOX_BATCH_SIZE,
      jobMaxEvents: e.OUTBOX_JOB_MAX_EVENTS,
      leaseMs: e.OUTBOX_LEASE_MS,
      attempts: e.OUTBOX_ATTEMPTS,
      notify: e.ENABLE_NOTIFY,
      /** The api adds the jobs of its order transactions' outbox rows itself, after the commit (the relay takes the rest). @default true */
      directEnqueue: e.OUTBOX_DIRECT_ENQUEUE,
      /** How often the reconciliation looks for events whose job vanished: a quarter of the lease, 250 ms to 5 s. */
      reconcileIntervalMs: Math.min(Math.max(Math.floor(e.OUTBOX_LEASE_MS / 4), 250), 5_000),
      /** Days a processed execution report is kept (the replay horizon); 0 keeps everything. @default 30 */
      reportRetentionDays: e.REPORT_RETENTION_DAYS,
    },
  }));

const workerBlock = z
  .object({
    WORKER_QUEUES: z
      .string()
      .optional()
      .transform((v) => (v ?? 'outbox,mail').split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(z.enum(['outbox', 'mail'])).min(1, { message: 'expected outbox, mail or both' })),
    // Jobs are I/O-bound and share round trips through micro-batches: more in flight means bigger batches.
    WORKER_CONCURRENCY: int(100, 1, 1000),
    // BullMQ job lock and stalled-job check: a worker that dies mid-job hands its job to another within about these.
    WORKER_LOCK_DURATION_MS: int(30_000, 500, 600_000),
    WORKER_STALLED_INTERVAL_MS: int(30_000, 500, 600_000),
    // How long a processed mark waits for the others while outbox jobs keep coming (never when the pipe is idle):
    // one statement and one mail job per this many ms instead of per job. Only the mail waits.
    WORKER_MARK_LINGER_MS: int(50, 0, 1_000),
    // CPU priority of the process (Unix nice, 0 = unchanged): a mail-only worker at 10 yields the cores to the
    // live path (api, ws, outbox workers, PostgreSQL) whenever they want them, and sends when they do not.
    WORKER_NICE: int(0, 0, 19),
  })
  .transform((e) => ({
    worker: {
      queues: e.WORKER_QUEUES,
      concurrency: e.WORKER_CONCURRENCY,
      lockDurationMs: e.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
      markLingerMs: e.WORKER_MARK_LINGER_MS,
      nice: e.WORKER_NICE,
    },
  }));

/** Comma-separated values, trimmed, empty ones dropped, each matching `pattern`. */
const list = (pattern: RegExp, message: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(pattern, { message })));

const wsBlock = z
  .object({
    WS_PORT: int(3001, 0, 65535),
    WS_RESUME_BATCH_SIZE: int(500, 1, 10_000),
    WS_MAX_MESSAGE_BYTES: int(16_384, 256, 1_048_576),
    WS_RATE_LIMIT_PER_SECOND: int(50, 1, 100_000),
    // Long-polling keeps a socket's outgoing packets in the node until the client polls, and needs sticky
    // sessions: off unless an operator turns it on.
    WS_ALLOW_POLLING: bool(false),
    WS_MAX_CONNECTIONS_PER_ACCOUNT: int(20, 1, 100_000),
    WS_MAX_SUBSCRIPTIONS_PER_SOCKET: int(100, 1, 100_000),
    // Messages queued in a node for one socket that does not read; past it the socket is dropped.
    WS_MAX_BUFFERED_MESSAGES: int(5_000, 100, 1_000_000),
    // How long a resume waits for a client that does not read before dropping it.
    WS_SLOW_CLIENT_TIMEOUT_MS: int(10_000, 100, 600_000),
    // Where browsers reach the ws nodes, for the trader page: comma-separated URLs; `:3001` means
    // "this port on the page's own host". Default: `:<WS_PORT>`.
    WS_PUBLIC_URLS: list(/^(https?:\/\/[^\s,]+|:\d{1,5})$/, 'expected http(s) URLs or :port, comma-separated'),
  })
  .transform((e) => ({
    wsPort: e.WS_PORT,
    ws: {
      resumeBatchSize: e.WS_RESUME_BATCH_SIZE,
      maxMessageBytes: e.WS_MAX_MESSAGE_BYTES,
      rateLimitPerSecond: e.WS_RATE_LIMIT_PER_SECOND,
      /** URLs the trader page hands to browsers (`:port` = the page's host). @default [`:${wsPort}`] */
      publicUrls: e.WS_PUBLIC_URLS.length > 0 ? e.WS_PUBLIC_URLS : [`:${e.WS_PORT}`],
      /** Offer the long-polling transport (needs sticky sessions). @default false */
      allowPolling: e.WS_ALLOW_POLLING,
      /** Sockets one account may hold on one node. @default 20 */
      maxConnectionsPerAccount: e.WS_MAX_CONNECTIONS_PER_ACCOUNT,
      /** `orders_status:` rooms one socket may join. @default 100 */
      maxSubscriptionsPerSocket: e.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
      /** Messages queued for one socket before it is dropped as not reading. @default 5000 */
      maxBufferedMessages: e.WS_MAX_BUFFERED_MESSAGES,
      /** How long a resume waits for a socket that does not read before dropping it. @default 10000 */
      slowClientTimeoutMs: e.WS_SLOW_CLIENT_TIMEOUT_MS,
    },
  }));

/** The REST api: its port, the operators' board, order intake, the dev page's tokens. */
const apiBlock = z
  .object({
    NODE_ENV: nodeEnv,
    API_PORT: int(3000, 0, 65535),
    BULL_BOARD_USER: optionalString(),
    BULL_BOARD_PASSWORD: optionalString(),
    // Dev only: tokens the trader page offers with one click (`label=token,label=token`); `npm start` sets it.
    TRADER_PAGE_DEV_TOKENS: list(/^[A-Za-z0-9_.@-]{1,64}=[A-Za-z0-9_.-]+$/, 'expected label=token pairs, comma-separated'),
    // Most orders of one symbol the api groups into one transaction; 1 turns batching off.
    ORDER_BATCH_MAX: int(64, 1, 1_000),
    // Order transactions one api process runs at once (fewer: bigger batches; more: more overlap).
    ORDER_MAX_CONCURRENT: int(2, 1, 200),
    // Per account: orders placed and cancelled per second (token bucket, burst of twice that); beyond it 429.
    ORDER_RATE_LIMIT_PER_SECOND: int(2_000, 1, 1_000_000),
    // Orders one api process holds waiting for a transaction; one more is refused 503 overloaded.
    ORDER_INTAKE_MAX_QUEUED: int(10_000, 1, 1_000_000),
    // How long an order may wait for its transaction; past it, it is not executed (503 overloaded).
    ORDER_INTAKE_DEADLINE_MS: int(10_000, 10, 600_000),
  })
  .superRefine((e, ctx) => {
    if (e.TRADER_PAGE_DEV_TOKENS.length > 0 && e.NODE_ENV === 'production') {
      ctx.addIssue({ code: 'custom', path: ['TRADER_PAGE_DEV_TOKENS'], message: 'dev tokens must not be served when NODE_ENV=production' });
    }
    if (Boolean(e.BULL_BOARD_USER) !== Boolean(e.BULL_BOARD_PASSWORD)) {
      ctx.addIssue({ code: 'custom', path: [e.BULL_BOARD_USER ? 'BULL_BOARD_PASSWORD' : 'BULL_BOARD_USER'], message: 'BULL_BOARD_USER and BULL_BOARD_PASSWORD go together' });
    }
  })
  .transform((e) => ({
    apiPort: e.API_PORT,
    bullBoard: e.BULL_BOARD_USER && e.BULL_BOARD_PASSWORD ? { user: e.BULL_BOARD_USER, password: e.BULL_BOARD_PASSWORD } : undefined,
    /** Tokens the trader page offers with one click (dev only). */
    traderPageDevTokens: e.TRADER_PAGE_DEV_TOKENS.map((pair) => {
      const at = pair.indexOf('=');
      return { label: pair.slice(0, at), token: pair.slice(at + 1) };
    }),
    /** Most concurrent orders of one symbol grouped into one transaction (1 = no batching). */
    orderBatchMax: e.ORDER_BATCH_MAX,
    /** Order transactions one api process runs at once (with batching on). */
    orderMaxConcurrent: e.ORDER_MAX_CONCURRENT,
    /** Orders one account may place and cancel per second on one api process (burst: twice that). @default 2000 */
    orderRateLimitPerSecond: e.ORDER_RATE_LIMIT_PER_SECOND,
    /** Orders one api process holds waiting for a transaction before refusing more (503). @default 10000 */
    orderIntakeMaxQueued: e.ORDER_INTAKE_MAX_QUEUED,
    /** How long an order may wait for its transaction before it is dropped unexecuted (503). @default 10000 */
    orderIntakeDeadlineMs: e.ORDER_INTAKE_DEADLINE_MS,
  }));

/** Every block, in the order a bad setting is reported. */
export const CONFIG_BLOCKS = {
  process: processBlock,
  database: databaseBlock,
  redis: redisBlock,
  auth: authBlock,
  mail: mailBlock,
  outbox: outboxBlock,
  worker: workerBlock,
  ws: wsBlock,
  api: apiBlock,
} as const;

export type ConfigBlockName = keyof typeof CONFIG_BLOCKS;
