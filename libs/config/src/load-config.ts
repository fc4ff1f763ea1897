import { z } from 'zod';
import { ConfigError } from './config-error';
import { bool, int, optionalString, url } from './env';

const DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-change-me-0123456789';

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).optional().transform((v) => v ?? 'development'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .optional()
    .transform((v) => v ?? 'info'),
  DATABASE_URL: url('postgres://postgres@127.0.0.1:5432/exec_notify', ['postgres', 'postgresql']),
  DATABASE_POOL_SIZE: int(10, 1, 200),
  REDIS_URL: url('redis://127.0.0.1:6379', ['redis', 'rediss']),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:{}-]{1,64}$/, { message: 'expected 1-64 of A-Z a-z 0-9 _ . : { } -' })
    .optional()
    .transform((v) => v ?? 'bull'),
  SMTP_URL: url('smtp://127.0.0.1:1025', ['smtp', 'smtps']),
  // STARTTLS is mandatory towards a relay that is not on loopback (a stripped STARTTLS must not
  // send reports in clear); `false` is the documented opt-out for a trusted network.
  SMTP_REQUIRE_TLS: bool(true),
  MAIL_FROM: z.string().min(3).optional().transform((v) => v ?? 'Executions <executions@localhost>'),
  JWT_SECRET: optionalString(),
  // Interface every HTTP listener binds to (api, ws, poller/worker metrics): loopback unless an
  // operator says otherwise, so a dev stack with dev tokens and dev credentials is not on the network.
  HOST: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.:-]{1,253}$/, { message: 'expected an IP address or host name, e.g. 127.0.0.1 or 0.0.0.0' })
    .optional()
    .transform((v) => v || '127.0.0.1'),
  API_PORT: int(3000, 0, 65535),
  WS_PORT: int(3001, 0, 65535),
  METRICS_PORT: z
    .string()
    .regex(/^\d+$/, { message: 'expected a port number' })
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535))
    .optional(),
  BULL_BOARD_USER: optionalString(),
  BULL_BOARD_PASSWORD: optionalString(),
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
  // /healthz of poller and worker turns 503 when no progress was seen for this long.
  PROGRESS_STALE_AFTER_MS: int(60_000, 1_000, 3_600_000),
  POLL_INTERVAL_MS: int(200, 10, 60_000),
  OUTBOX_BATCH_SIZE: int(500, 1, 10_000),
  OUTBOX_JOB_MAX_EVENTS: int(20, 1, 500),
  OUTBOX_LEASE_MS: int(60_000, 1_000, 3_600_000),
  OUTBOX_ATTEMPTS: int(10, 1, 100),
  // 12 attempts from 2 s doubling: ~2+4+...+2^11*2 s ≈ 68 min of retries, well past a 10-minute outage.
  MAIL_ATTEMPTS: int(12, 1, 100),
  MAIL_BACKOFF_MS: int(2_000, 10, 3_600_000),
  MAIL_SOCKET_TIMEOUT_MS: int(10_000, 100, 300_000),
  // The daily summary of orders still working (order_summary preference): after US close all year round.
  MAIL_SUMMARY_DAILY_AT: z
    .string()
    .trim()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'expected a UTC time HH:MM, e.g. 22:00' })
    .optional()
    .transform((v) => v ?? '22:00'),
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
  WS_PUBLIC_URLS: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^(https?:\/\/[^\s,]+|:\d{1,5})$/, { message: 'expected http(s) URLs or :port, comma-separated' }))),
  // Dev only: tokens the trader page offers with one click (`label=token,label=token`); `npm start` sets it.
  TRADER_PAGE_DEV_TOKENS: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9_.@-]{1,64}=[A-Za-z0-9_.-]+$/, { message: 'expected label=token pairs, comma-separated' })))
    .transform((pairs) =>
      pairs.map((pair) => {
        const at = pair.indexOf('=');
        return { label: pair.slice(0, at), token: pair.slice(at + 1) };
      }),
    ),
  SHUTDOWN_TIMEOUT_MS: int(8_000, 100, 60_000),
  ENABLE_NOTIFY: bool(true),
  // Most orders of one symbol the api groups into one transaction; 1 turns batching off.
  ORDER_BATCH_MAX: int(64, 1, 1_000),
  // Order transactions one api process runs at once (fewer: bigger batches; more: more overlap).
  ORDER_MAX_CONCURRENT: int(2, 1, 200),
  // Per account: orders placed and cancelled per second (token bucket, burst of twice that); beyond it 429.
  ORDER_RATE_LIMIT_PER_SECOND: int(2_000, 1, 1_000_000),
});

type Env = z.infer<typeof envSchema>;

/** Every process's settings, parsed once from the environment. */
export interface Config {
  nodeEnv: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  databaseUrl: string;
  databasePoolSize: number;
  redisUrl: string;
  queuePrefix: string;
  /**
   * `SMTP_URL`, with `requireTLS=true` in its query (nodemailer's URL option)
   * when its host is not loopback, the scheme is `smtp` and `SMTP_REQUIRE_TLS`
   * is not `false`.
   */
  smtpUrl: string;
  mailFrom: string;
  /** Interface the HTTP listeners bind to. @default '127.0.0.1' */
  host: string;
  jwtSecret: string;
  /** True when JWT_SECRET was not set and the dev secret is in use; callers log a loud warning. */
  jwtSecretIsDefault: boolean;
  apiPort: number;
  wsPort: number;
  metricsPort: number | undefined;
  bullBoard: { user: string; password: string } | undefined;
  worker: {
    queues: Array<'outbox' | 'mail'>;
    concurrency: number;
    lockDurationMs: number;
    stalledIntervalMs: number;
  };
  /** How long poller and worker may go without progress before `/healthz` fails. */
  progressStaleAfterMs: number;
  outbox: { pollIntervalMs: number; batchSize: number; jobMaxEvents: number; leaseMs: number; attempts: number; notify: boolean };
  /** `summaryDailyAt`: UTC `HH:MM` of the daily summary of orders still working (`order_summary`). */
  mail: { attempts: number; backoffMs: number; socketTimeoutMs: number; summaryDailyAt: string };
  ws: {
    resumeBatchSize: number;
    maxMessageBytes: number;
    rateLimitPerSecond: number;
    /** URLs the trader page hands to browsers (`:port` = the page's host). @default [`:${wsPort}`] */
    publicUrls: string[];
    /** Offer the long-polling transport (needs sticky sessions). @default false */
    allowPolling: boolean;
    /** Sockets one account may hold on one node. @default 20 */
    maxConnectionsPerAccount: number;
    /** `orders_status:` rooms one socket may join. @default 100 */
    maxSubscriptionsPerSocket: number;
    /** Messages queued for one socket before it is dropped as not reading. @default 5000 */
    maxBufferedMessages: number;
    /** How long a resume waits for a socket that does not read before dropping it. @default 10000 */
    slowClientTimeoutMs: number;
  };
  shutdownTimeoutMs: number;
  /** Tokens the trader page offers with one click (dev only). */
  traderPageDevTokens: Array<{ label: string; token: string }>;
  /** Most concurrent orders of one symbol grouped into one transaction (1 = no batching). */
  orderBatchMax: number;
  /** Order transactions one api process runs at once (with batching on). */
  orderMaxConcurrent: number;
  /** Orders one account may place and cancel per second on one api process (burst: twice that). @default 2000 */
  orderRateLimitPerSecond: number;
}

/** Whether `host` (a host name or address, IPv6 with or without brackets) is this machine's loopback. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/** `smtpUrl` asking nodemailer for STARTTLS or nothing, when it goes off this machine in clear. */
function withRequiredTls(smtpUrl: string, requireTls: boolean): string {
  const u = new URL(smtpUrl);
  if (!requireTls || u.protocol !== 'smtp:' || isLoopbackHost(u.hostname)) return smtpUrl;
  u.searchParams.set('requireTLS', 'true');
  return u.toString();
}

/**
 * Parses and validates the environment. Throws a `ConfigError` naming the first
 * bad variable; `main` prints its message and exits 1.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // The rule, never the value: a value may be a secret (a password in a URL) and this line ends up in logs.
    throw new ConfigError(String(issue.path[0] ?? 'environment'), issue.message);
  }
  const e = parsed.data;
  if (!e.JWT_SECRET && e.NODE_ENV === 'production') {
    throw new ConfigError('JWT_SECRET', 'required when NODE_ENV=production');
  }
  if (e.TRADER_PAGE_DEV_TOKENS.length > 0 && e.NODE_ENV === 'production') {
    throw new ConfigError('TRADER_PAGE_DEV_TOKENS', 'dev tokens must not be served when NODE_ENV=production');
  }
  if (e.JWT_SECRET && e.JWT_SECRET.length < 32) {
    throw new ConfigError('JWT_SECRET', 'expected at least 32 characters for an HS256 key');
  }
  if (Boolean(e.BULL_BOARD_USER) !== Boolean(e.BULL_BOARD_PASSWORD)) {
    throw new ConfigError(
      e.BULL_BOARD_USER ? 'BULL_BOARD_PASSWORD' : 'BULL_BOARD_USER',
      'BULL_BOARD_USER and BULL_BOARD_PASSWORD go together',
    );
  }
  return {
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    smtpUrl: withRequiredTls(e.SMTP_URL, e.SMTP_REQUIRE_TLS),
    mailFrom: e.MAIL_FROM,
    host: e.HOST,
    jwtSecret: e.JWT_SECRET ?? DEV_JWT_SECRET,
    jwtSecretIsDefault: !e.JWT_SECRET,
    apiPort: e.API_PORT,
    wsPort: e.WS_PORT,
    metricsPort: e.METRICS_PORT,
    bullBoard:
      e.BULL_BOARD_USER && e.BULL_BOARD_PASSWORD
        ? { user: e.BULL_BOARD_USER, password: e.BULL_BOARD_PASSWORD }
        : undefined,
    worker: {
      queues: e.WORKER_QUEUES,
      concurrency: e.WORKER_CONCURRENCY,
      lockDurationMs: e.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
    },
    progressStaleAfterMs: e.PROGRESS_STALE_AFTER_MS,
    outbox: {
      pollIntervalMs: e.POLL_INTERVAL_MS,
      batchSize: e.OUTBOX_BATCH_SIZE,
      jobMaxEvents: e.OUTBOX_JOB_MAX_EVENTS,
      leaseMs: e.OUTBOX_LEASE_MS,
      attempts: e.OUTBOX_ATTEMPTS,
      notify: e.ENABLE_NOTIFY,
    },
    mail: {
      attempts: e.MAIL_ATTEMPTS,
      backoffMs: e.MAIL_BACKOFF_MS,
      socketTimeoutMs: e.MAIL_SOCKET_TIMEOUT_MS,
      summaryDailyAt: e.MAIL_SUMMARY_DAILY_AT,
    },
    ws: {
      resumeBatchSize: e.WS_RESUME_BATCH_SIZE,
      maxMessageBytes: e.WS_MAX_MESSAGE_BYTES,
      rateLimitPerSecond: e.WS_RATE_LIMIT_PER_SECOND,
      publicUrls: e.WS_PUBLIC_URLS.length > 0 ? e.WS_PUBLIC_URLS : [`:${e.WS_PORT}`],
      allowPolling: e.WS_ALLOW_POLLING,
      maxConnectionsPerAccount: e.WS_MAX_CONNECTIONS_PER_ACCOUNT,
      maxSubscriptionsPerSocket: e.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
      maxBufferedMessages: e.WS_MAX_BUFFERED_MESSAGES,
      slowClientTimeoutMs: e.WS_SLOW_CLIENT_TIMEOUT_MS,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    traderPageDevTokens: e.TRADER_PAGE_DEV_TOKENS,
    orderBatchMax: e.ORDER_BATCH_MAX,
    orderMaxConcurrent: e.ORDER_MAX_CONCURRENT,
    orderRateLimitPerSecond: e.ORDER_RATE_LIMIT_PER_SECOND,
  };
}

/**
 * For a process's `main`: `loadConfig()`, or on a bad setting print its one
 * line (naming the variable) to stderr and exit 1, as CONTRACT section 2 asks.
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
