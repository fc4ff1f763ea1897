import { loadConfigOrExit } from '@execn/config';
import { createWorkerMetrics, lowerCpuPriority, runProcess } from '@execn/observability';
import { startWorkerApp, WORKER_CONFIG_BLOCKS } from './worker-app';

/** Worker process: config → workers → health server; signals and shutdown are the runner's. */
void runProcess({
  name: 'worker',
  loadConfig: () => loadConfigOrExit(WORKER_CONFIG_BLOCKS),
  createMetrics: createWorkerMetrics,
  start: async ({ config, log, metrics, onShutdown, serveHealth }) => {
    // Before the clients open, so the threads they start inherit it.
    if (config.worker.nice > 0) {
      try {
        log.info({ nice: config.worker.nice, threads: lowerCpuPriority(config.worker.nice) }, 'worker CPU priority lowered');
      } catch (err) {
        log.warn({ err, nice: config.worker.nice }, 'worker CPU priority not lowered; running at the default');
      }
    }
    const app = startWorkerApp(config, log, metrics);
    onShutdown('workers and clients', () => app.close());
    await serveHealth({ live: app.live, ready: app.ready });
    log.info({ queues: config.worker.queues, concurrency: config.worker.concurrency, prefix: config.queuePrefix }, 'worker started');
  },
});
