import { loadConfigOrExit } from '@execn/config';
import { ShutdownManager, createLogger, createMetrics, startHealthServer } from '@execn/observability';
import { startOutboxPoller } from '@execn/outbox';

/** Poller process (the outbox relay): config → relay → health server → graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
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
    const health = await startHealthServer(config.metricsPort, metrics.registry, { live: app.live, ready: app.ready }, config.host);
    shutdown.add('health server', () => health.close());
    log.info({ host: config.host, port: health.port }, 'metrics and health listening');
  }
  log.info(
    { batchSize: config.outbox.batchSize, pollIntervalMs: config.outbox.pollIntervalMs, notify: config.outbox.notify },
    'poller started',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`poller failed to start: ${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
