/**
 * ws node: config → deps → listen → shutdown. Wiring only; the node itself is
 * `createWsServer` in server.ts.
 */
import { loadConfigOrExit } from '@execn/config';
import { createDatabase } from '@execn/db';
import { ShutdownManager, createLogger, createMetrics } from '@execn/observability';
import { createWsServer } from './server';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger({ name: 'ws', level: config.logLevel });
  if (config.jwtSecretIsDefault) log.warn('JWT_SECRET is not set: using the insecure development secret');
  const metrics = createMetrics();
  const database = createDatabase(config.databaseUrl, { max: config.databasePoolSize, applicationName: 'ws' });
  const server = createWsServer({ config, log, metrics, database });

  const shutdown = new ShutdownManager(log, config.shutdownTimeoutMs);
  shutdown.add('ws server', () => server.close());
  shutdown.add('database', () => database.close());
  const stop = (signal: string) => {
    // Exit 0 even past the deadline (ShutdownManager logs it): the contract is "exits within 10 s".
    void shutdown.shutdown(signal).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const port = await server.listen(config.wsPort, config.host);
  log.info({ host: config.host, port }, 'ws node listening');
}

main().catch((err: unknown) => {
  process.stderr.write(`ws failed to start: ${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
