/**
 * What `npm start` runs, worked out from the configuration before anything
 * starts: every process with its environment and ports, and the URLs the
 * banner prints and the readiness check polls. Pure: config in, plan out.
 */
import path from 'node:path';
import type { Config } from '@execn/config';
import type { ProcessSpec } from './supervisor';

/** The apps of CONTRACT section 1, in start order. */
export const STACK_APPS = ['api', 'ws', 'poller', 'worker'] as const;
export type StackApp = (typeof STACK_APPS)[number];

/** How many of each app the local stack runs. */
export const STACK_REPLICAS: Record<StackApp, number> = { api: 1, ws: 2, poller: 1, worker: 2 };

/** Inputs of `planStack` that are not app configuration. */
export interface StackPlanInput {
  root: string;
  config: Config;
  /** The environment the stack runner was started with; children inherit it. */
  env: NodeJS.ProcessEnv;
  /** URLs of the PostgreSQL and Redis actually in use (maybe private instances). */
  databaseUrl: string;
  /** Absent with a Redis Cluster: the apps read `REDIS_CLUSTER_URLS` from `env`. */
  redisUrl: string | undefined;
  smtpUrl: string;
  /** Concrete ports (0 already resolved). */
  ports: { api: number; ws: number[]; metrics: number[] };
  /** Dev credentials for Bull Board when none are configured. */
  bullBoard: { user: string; password: string };
  /** Apps whose bundle exists. */
  builtApps: ReadonlySet<StackApp>;
}

/** A process of the plan, with where it answers /readyz. */
export interface PlannedProcess extends ProcessSpec {
  app: StackApp;
  /** Base URL of its HTTP server (`/readyz`, `/metrics`). */
  httpUrl: string;
}

/** The stack to run. */
export interface StackPlan {
  processes: PlannedProcess[];
  /** Apps of the contract with no bundle yet (skipped, reported). */
  missingApps: StackApp[];
  apiUrl: string;
  wsUrls: string[];
}

/** Names each replica (`api`, `ws-1`, `ws-2`, `poller`, `worker-1`...). */
function replicaName(app: StackApp, index: number): string {
  return STACK_REPLICAS[app] > 1 ? `${app}-${index + 1}` : app;
}

/** The CPU priority (nice) of the local stack's mail worker: it yields the cores to the live path. */
export const MAIL_WORKER_NICE = '10';

/**
 * What the `index`-th of `count` workers consumes, as `npm start` (and `npm run bench:live`) run them: with two
 * or more, the last one sends the mail (`WORKER_QUEUES=mail`) at a lower CPU priority (`WORKER_NICE`) and the
 * others dispatch (`WORKER_QUEUES=outbox`), so that on a busy machine the broadcasts, the api and the ws nodes
 * get the cores first and the mail catches up when they are idle (README, "Measured performance"). One worker,
 * or a `WORKER_QUEUES` set in the environment, keeps each worker on both queues at the default priority.
 */
export function workerRoleEnv(index: number, count: number, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (count < 2 || env.WORKER_QUEUES) return {};
  return index === count - 1 ? { WORKER_QUEUES: 'mail', WORKER_NICE: env.WORKER_NICE || MAIL_WORKER_NICE } : { WORKER_QUEUES: 'outbox' };
}

/** Lays out every process of the local stack. */
export function planStack(input: StackPlanInput): StackPlan {
  const { root, ports } = input;
  const common: NodeJS.ProcessEnv = {
    ...input.env,
    DATABASE_URL: input.databaseUrl,
    ...(input.redisUrl === undefined ? {} : { REDIS_URL: input.redisUrl }),
    SMTP_URL: input.smtpUrl,
    QUEUE_PREFIX: input.config.queuePrefix,
    BULL_BOARD_USER: input.bullBoard.user,
    BULL_BOARD_PASSWORD: input.bullBoard.password,
    // The trader page (served by the api) hands browsers both ws nodes, on the page's own host.
    WS_PUBLIC_URLS: input.env.WS_PUBLIC_URLS || ports.ws.map((p) => `:${p}`).join(','),
  };
  const processes: PlannedProcess[] = [];
  let metricsIndex = 0;
  for (const app of STACK_APPS) {
    if (!input.builtApps.has(app)) continue;
    for (let i = 0; i < STACK_REPLICAS[app]; i++) {
      const env: NodeJS.ProcessEnv = { ...common, ...(app === 'worker' ? workerRoleEnv(i, STACK_REPLICAS.worker, input.env) : {}) };
      const port = app === 'api' ? ports.api : app === 'ws' ? ports.ws[i]! : ports.metrics[metricsIndex++]!;
      env[app === 'api' ? 'API_PORT' : app === 'ws' ? 'WS_PORT' : 'METRICS_PORT'] = String(port);
      processes.push({
        app,
        name: replicaName(app, i),
        command: process.execPath,
        args: ['--enable-source-maps', path.join(root, 'apps', app, 'dist', 'main.js')],
        env,
        cwd: root,
        httpUrl: `http://127.0.0.1:${port}`,
      });
    }
  }
  return {
    processes,
    missingApps: STACK_APPS.filter((a) => !input.builtApps.has(a)),
    apiUrl: `http://localhost:${ports.api}`,
    wsUrls: ports.ws.map((p) => `http://localhost:${p}`),
  };
}
