import { constants } from 'node:os';
import { startHealthServer, type HealthChecks } from './health-server';
import { createLogger, type Logger } from './logger';
import type { MetricsOptions, ProcessMetrics } from './metrics';
import { ShutdownManager } from './shutdown';

/** The settings every process has (the blocks of `@execn/config` the runner reads). */
export interface ProcessSettings {
  logLevel: string;
  /** The graceful-stop deadline: past it the process exits anyway. */
  shutdownTimeoutMs: number;
  /** Where `serveHealth` listens; unset: no health server. */
  metricsPort?: number | undefined;
  /** The interface the health server binds to (HOST; 127.0.0.1 by default). */
  host?: string | undefined;
}

/** What a process's `start` is given. */
export interface ProcessContext<C extends ProcessSettings, M extends ProcessMetrics = ProcessMetrics> {
  config: C;
  log: Logger;
  /** This process's own metrics (its `/metrics` serves only these and Node's defaults). */
  metrics: M;
  /**
   * Adds a step to the graceful stop. Steps run in the order added, so add
   * intake first and clients last; each is attempted even when an earlier one
   * rejects, and a failure is logged with the step's name.
   */
  onShutdown(name: string, close: () => Promise<unknown> | unknown): void;
  /** Serves `/healthz`, `/readyz`, `/metrics` on `config.metricsPort` when it is set; its close becomes the next step. */
  serveHealth(checks: HealthChecks): Promise<void>;
}

/** A process: its name, how it reads its config, its metrics, and how it starts. */
export interface ProcessSpec<C extends ProcessSettings, M extends ProcessMetrics = ProcessMetrics> {
  /** Bound as `app` on every log line, and in the start-up failure line. */
  name: string;
  /** Reads the config once (a bad value exits with one line naming it: `loadConfigOrExit`). */
  loadConfig: () => C;
  /** Creates this process's registry with its metrics (`createWorkerMetrics`, …). */
  createMetrics: (options: MetricsOptions) => M;
  /** Wiring only: starts the process and registers its closes with `onShutdown`. */
  start: (ctx: ProcessContext<C, M>) => Promise<void>;
}

/** What the runner needs of the Node process; tests pass a fake. */
export interface ProcessHost {
  onSignal(signal: 'SIGTERM' | 'SIGINT', handler: () => void): void;
  exit(code: number): void;
  writeError(text: string): void;
  createLogger(name: string, level: string): Logger;
  /** How the process's metrics are created (tests leave Node's default metrics out). */
  metricsOptions: MetricsOptions;
}

/** Exit codes of a process run by `runProcess`. */
export const EXIT_CODES = {
  /**
   * Stopped on SIGTERM/SIGINT: every close attempted (failures are logged), or
   * the deadline came first (logged). The contract is "exits 0 within 10 s".
   */
  stopped: 0,
  /** The config was refused or `start` threw. */
  failedToStart: 1,
  /** A second signal during the graceful stop: 128 + the signal's number, as a shell reports it. */
  forced: (signal: 'SIGTERM' | 'SIGINT') => 128 + constants.signals[signal],
} as const;

const nodeHost: ProcessHost = {
  onSignal: (signal, handler) => process.on(signal, handler),
  exit: (code) => process.exit(code),
  writeError: (text) => process.stderr.write(text),
  createLogger: (name, level) => createLogger({ name, level }),
  metricsOptions: {},
};

/**
 * Runs one process: config → logger → signals → `start` → wait. The signal
 * handlers are registered before `start`, so a SIGTERM during start-up also
 * stops it gracefully. The first SIGTERM or SIGINT runs the graceful stop
 * (bounded by `shutdownTimeoutMs`), then exits 0; a second one exits at once.
 * Resolves once `start` has settled (the process then lives on its handles).
 */
export async function runProcess<C extends ProcessSettings, M extends ProcessMetrics>(
  spec: ProcessSpec<C, M>,
  host: ProcessHost = nodeHost,
): Promise<void> {
  let config: C;
  try {
    config = spec.loadConfig();
  } catch (err) {
    host.writeError(`${spec.name} failed to start: ${String((err as Error)?.stack ?? err)}\n`);
    host.exit(EXIT_CODES.failedToStart);
    return;
  }
  const log = host.createLogger(spec.name, config.logLevel);
  const metrics = spec.createMetrics(host.metricsOptions);
  const shutdown = new ShutdownManager(log, config.shutdownTimeoutMs);
  let exited = false;
  const exit = (code: number) => {
    if (exited) return;
    exited = true;
    host.exit(code);
  };
  const stop = (signal: 'SIGTERM' | 'SIGINT') => {
    if (shutdown.started) {
      log.warn({ signal }, 'second signal during shutdown: exiting now');
      exit(EXIT_CODES.forced(signal));
      return;
    }
    void shutdown.shutdown(signal).then(() => exit(EXIT_CODES.stopped));
  };
  host.onSignal('SIGTERM', () => stop('SIGTERM'));
  host.onSignal('SIGINT', () => stop('SIGINT'));

  const context: ProcessContext<C, M> = {
    config,
    log,
    metrics,
    onShutdown: (name, close) => shutdown.add(name, close),
    serveHealth: async (checks) => {
      if (config.metricsPort === undefined) return;
      const health = await startHealthServer(config.metricsPort, metrics.registry, checks, config.host);
      shutdown.add('health server', () => health.close());
      log.info({ host: config.host, port: health.port }, 'metrics and health listening');
    },
  };
  try {
    await spec.start(context);
  } catch (err) {
    host.writeError(`${spec.name} failed to start: ${String((err as Error)?.stack ?? err)}\n`);
    // Closes what did start, within the deadline, so its connections end cleanly.
    await shutdown.shutdown('start-up failed');
    exit(EXIT_CODES.failedToStart);
  }
}
