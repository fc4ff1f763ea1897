import { loadConfigOrExit } from '@execn/config';
import { ShutdownManager, createLogger, createMetrics } from '@execn/observability';
import { startApiServer } from './server';

/** api process: config → dependencies → listen → graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger({ name: 'api', level: config.logLevel });
  if (config.jwtSecretIsDefault) {
    log.warn('JWT_SECRET is not set: using the built-in development secret; anyone can forge tokens. Set JWT_SECRET.');
  }
  const shutdown = new ShutdownManager(log, config.shutdownTimeoutMs);
  const stop = (signal: string) => {
    void shutdown.shutdown(signal).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const api = await startApiServer(config, log, createMetrics());
  shutdown.add('http server, orders in flight, redis, database', () => api.close());
  log.info({ host: config.host, port: api.port, orderBatchMax: config.orderBatchMax, notify: config.outbox.notify }, 'api listening');
}

main().catch((err: unknown) => {
  process.stderr.write(`api failed to start: ${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
