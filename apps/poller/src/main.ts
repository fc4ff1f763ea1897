import { ConfigError, loadConfig, type Config } from '@execn/config';
import { ShutdownManager, createLogger, createMetrics, startHealthServer } from '@execn/observability';
import { startOutboxPoller } from '@execn/outbox';

/** Poller process (the outbox relay): config → relay → health server → graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger({ name: 'poller', level: config.logLevel });
  const metrics = createMetrics();
  const shutdown = new ShutdownManager(log, config.shutdownTimeoutMs);
  // Registered first, so a SIGTERM during start-up also exits 0.
  const stop = (signal: string) => {
    void shutdown.shutdown(signal).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  const app = await startOutboxPoller(config, log, metrics);
  shutdown.add('relay and clients', () => app.close());
  if (config.metricsPort !== undefined) {
    const health = await startHealthServer(config.metricsPort, metrics.registry, { live: app.live, ready: app.ready });
    shutdown.add('health server', () => health.close());
    log.info({ port: health.port }, 'metrics and health listening');
  }
  log.info(
    { batchSize: config.outbox.batchSize, pollIntervalMs: config.outbox.pollIntervalMs, notify: config.outbox.notify },
    'poller started',
  );
}

void main();
