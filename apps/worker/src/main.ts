import { loadConfigOrExit } from '@execn/config';
import { createWorkerMetrics, runProcess } from '@execn/observability';
import { startWorkerApp, WORKER_CONFIG_BLOCKS } from './worker-app';

/** Worker process: config → workers → health server; signals and shutdown are the runner's. */
void runProcess({
  name: 'worker',
  loadConfig: () => loadConfigOrExit(WORKER_CONFIG_BLOCKS),
  createMetrics: createWorkerMetrics,
  start: async ({ config, log, metrics, onShutdown, serveHealth }) => {
    const app = startWorkerApp(config, log, metrics);
    onShutdown('workers and clients', () => app.close());
    await serveHealth({ live: app.live, ready: app.ready });
    log.info({ queues: config.worker.queues, concurrency: config.worker.concurrency, prefix: config.queuePrefix }, 'worker started');
  },
});
