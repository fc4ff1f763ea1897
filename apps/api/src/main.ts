import { loadConfigOrExit } from '@execn/config';
import { createApiMetrics, runProcess } from '@execn/observability';
import { API_CONFIG_BLOCKS, startApiServer } from './server';

/** api process: config → dependencies → listen; signals and shutdown are the runner's. */
void runProcess({
  name: 'api',
  loadConfig: () => loadConfigOrExit(API_CONFIG_BLOCKS),
  createMetrics: createApiMetrics,
  start: async ({ config, log, metrics, onShutdown }) => {
    if (config.jwtSecretIsDefault) {
      log.warn('JWT_SECRET is not set: using the built-in development secret; anyone can forge tokens. Set JWT_SECRET.');
    }
    const api = await startApiServer(config, log, metrics);
    onShutdown('http server, orders in flight, redis, database', () => api.close());
    log.info({ host: config.host, port: api.port, orderBatchMax: config.orderBatchMax, notify: config.outbox.notify }, 'api listening');
  },
});
