/**
 * The local stack, start to stop: build if needed, PostgreSQL and Redis (maybe
 * private), migrate, seed, mail sink, the apps under the supervisor, readiness,
 * banner. Each step that holds a resource registers its undo, so a failure or a
 * Ctrl-C at any point leaves nothing running.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { signToken } from '@execn/auth';
import type { Config } from '@execn/config';
import { createDatabase, migrateDatabase } from '@execn/db';
import { renderBanner } from './banner';
import { buildIfNeeded } from './build-apps';
import { startStackMailSink } from './mail-sink';
import { isProcessAlive, findServerBinaries } from '@execn/testing';
import { ensureServices } from './services';
import { DEMO_ACCOUNTS, DEMO_ADMIN_ID, seedDemoData } from './seed';
import { StackError } from './stack-error';
import { resolveStackPorts, type StackOptions } from './stack-options';
import type { StackOutput } from './stack-output';
import { planStack, STACK_APPS, STACK_REPLICAS, type StackApp } from './stack-plan';
import { Supervisor } from './supervisor';
import { waitUntilReady } from './readiness';

/** Dev Bull Board credentials when BULL_BOARD_USER/PASSWORD are not set. */
export const DEV_BULL_BOARD = { user: 'ops', password: 'ops' } as const;
const TOKEN_TTL_SECONDS = 12 * 3600;

/** Inputs of `startStack`. */
export interface StartStackInput {
  root: string;
  config: Config;
  options: StackOptions;
  env: NodeJS.ProcessEnv;
  out: StackOutput;
  /** True once a stop was asked for: startup stops at the next step. */
  cancelled: () => boolean;
}

/** A running stack. */
export interface RunningStack {
  supervisor: Supervisor;
  /** Graceful stop of everything, in reverse start order; twice-safe. */
  stop(): Promise<void>;
  /** Last resort (second Ctrl-C, crash): SIGKILL whatever still runs, synchronously. */
  forceKill(): void;
}

/** Thrown when a stop was asked for during startup (not an error: exit 0). */
export class StartCancelled extends Error {}

/** Starts everything; on failure (or cancellation) undoes what it did and rethrows. */
export async function startStack(input: StartStackInput): Promise<RunningStack> {
  const { root, config, options, out } = input;
  const undo: Array<() => Promise<void>> = [];
  const killPids: Array<() => number[]> = [];
  const supervisor = new Supervisor({ out, restart: true, stopTimeoutMs: 10_000 });
  let stopping: Promise<void> | undefined;
  let stopped = false;
  const stop = () =>
    (stopping ??= (async () => {
      for (const step of undo.reverse()) await step().catch((err: Error) => out.error('stack', `while stopping: ${err.message}`));
      stopped = true;
    })());
  const forceKill = () => {
    // After a clean stop every pid is gone and may already belong to someone else: never signal it.
    if (stopped) return;
    for (const pid of killPids.flatMap((f) => f())) {
      try {
        if (isProcessAlive(pid)) process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  const step = () => {
    if (input.cancelled()) throw new StartCancelled('stopped during startup');
  };

  try {
    // Ports first: a taken port is the commonest newcomer problem, report it before any slow step.
    const ports = await resolveStackPorts(config, options, STACK_REPLICAS.ws, STACK_REPLICAS.poller + STACK_REPLICAS.worker);
    await buildIfNeeded(root, out);
    step();
    const services = await ensureServices({
      databaseUrl: config.databaseUrl,
      redisUrl: config.redis.mode === 'standalone' ? config.redis.url : undefined,
      dataDir: options.dataDir,
      binaries: findServerBinaries(input.env.PATH ?? ''),
      out,
    });
    undo.push(() => services.stop());
    killPids.push(() => services.started.filter((s) => isProcessAlive(s.pid)).map((s) => s.pid));
    step();

    const { created } = await migrateDatabase(services.databaseUrl);
    out.info('stack', `${created ? 'created and migrated' : 'migrated'} database ${new URL(services.databaseUrl).pathname.slice(1)}`);
    const database = createDatabase(services.databaseUrl, { max: 1, applicationName: 'exec-notify-start' });
    try {
      const { seeded } = await seedDemoData(database.db);
      out.info('stack', seeded ? `seeded demo accounts (${DEMO_ACCOUNTS.map((a) => a.id).join(', ')}) and instruments` : 'database has data: no demo seed');
    } finally {
      await database.close();
    }
    step();

    const builtApps = new Set<StackApp>(STACK_APPS.filter((a) => existsSync(path.join(root, 'apps', a, 'dist', 'main.js'))));
    const sink = await startStackMailSink(config.smtpUrl, ports.smtp, ports.mailUi, out);
    undo.push(() => sink.stop());
    step();

    const tokens = [
      ...(await Promise.all(DEMO_ACCOUNTS.map(async (a) => ({ accountId: a.id, role: 'trader' as const, token: await signToken(config.jwtSecret, { accountId: a.id, role: 'trader' }, TOKEN_TTL_SECONDS) })))),
      { accountId: DEMO_ADMIN_ID, role: 'admin' as const, token: await signToken(config.jwtSecret, { accountId: DEMO_ADMIN_ID, role: 'admin' }, TOKEN_TTL_SECONDS) },
    ];
    // The trader page offers the demo traders' tokens with one click (dev only).
    const pageTokens = tokens.filter((t) => t.role === 'trader').map((t) => `${t.accountId}=${t.token}`).join(',');
    const bullBoard = config.bullBoard ?? DEV_BULL_BOARD;
    const plan = planStack({ root, config, env: { TRADER_PAGE_DEV_TOKENS: pageTokens, ...input.env }, databaseUrl: services.databaseUrl, redisUrl: services.redisUrl, smtpUrl: sink.smtpUrl, ports, bullBoard, builtApps });
    for (const app of plan.missingApps) out.warn('stack', `apps/${app} is not built (no apps/${app}/src/main.ts yet): skipped`);
    undo.push(() => supervisor.stop());
    killPids.push(() => Object.values(supervisor.pids()));
    const startedAt = Date.now();
    for (const p of plan.processes) supervisor.start(p);
    const notReady = await waitUntilReady(
      plan.processes.map((p) => ({ name: p.name, url: p.httpUrl })),
      options.readyTimeoutMs,
      input.cancelled,
    );
    step();

    out.raw(
      renderBanner({
        color: out.color,
        readySeconds: (Date.now() - startedAt) / 1000,
        notReady,
        apiUrl: builtApps.has('api') ? plan.apiUrl : undefined,
        wsUrls: builtApps.has('ws') ? plan.wsUrls : [],
        bullBoard: { ...bullBoard, isDev: !config.bullBoard },
        mailPageUrl: sink.page?.url.replace('127.0.0.1', 'localhost'),
        smtpUrl: sink.smtpUrl,
        metricsUrls: plan.processes.map((p) => ({ name: p.name, url: p.httpUrl.replace('127.0.0.1', 'localhost') })),
        databaseUrl: services.databaseUrl,
        redisUrls: services.redisUrl !== undefined ? [services.redisUrl] : config.redis.mode === 'cluster' ? config.redis.urls : [],
        queuePrefix: config.queuePrefix,
        tokens,
        tokenTtl: '12 h',
        devJwtSecret: config.jwtSecretIsDefault,
        missingApps: plan.missingApps,
      }),
    );
    return { supervisor, stop, forceKill };
  } catch (err) {
    await stop();
    if (err instanceof StartCancelled || err instanceof StackError) throw err;
    throw new StackError(`npm start failed: ${(err as Error)?.message ?? String(err)}`);
  }
}
