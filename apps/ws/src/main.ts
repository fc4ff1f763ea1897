import { loadConfigOrExit } from '@execn/config';
import { createDatabase } from '@execn/db';
import { createWsMetrics, runProcess } from '@execn/observability';
import { createWsServer } from './server';

/** The config blocks a ws node reads. */
const WS_CONFIG_BLOCKS = ['process', 'database', 'redis', 'auth', 'ws'] as const;

/** ws node: config → deps → listen; signals and shutdown are the runner's. The node itself is `createWsServer`. */
void runProcess({
  name: 'ws',
  loadConfig: () => loadConfigOrExit(WS_CONFIG_BLOCKS),
  createMetrics: createWsMetrics,
  start: async ({ config, log, metrics, onShutdown }) => {
    if (config.jwtSecretIsDefault) log.warn('JWT_SECRET is not set: using the insecure development secret');
    const database = createDatabase(config.databaseUrl, { max: config.databasePoolSize, applicationName: 'ws' });
    const server = createWsServer({ config, log, metrics, database });
    onShutdown('ws server', () => server.close());
    onShutdown('database', () => database.close());
    const port = await server.listen(config.wsPort, config.host);
    log.info({ host: config.host, port }, 'ws node listening');
  },
});
