import { loadConfigOrExit } from '@execn/config';
import { createPollerMetrics, runProcess } from '@execn/observability';
import { POLLER_CONFIG_BLOCKS, startOutboxPoller } from '@execn/outbox';

/** Poller process (the outbox relay): config → relay → health server; signals and shutdown are the runner's. */
void runProcess({
  name: 'poller',
  loadConfig: () => loadConfigOrExit(POLLER_CONFIG_BLOCKS),
  createMetrics: createPollerMetrics,
  start: async ({ config, log, metrics, onShutdown, serveHealth }) => {
    const app = await startOutboxPoller(config, log, metrics);
    onShutdown('relay and clients', () => app.close());
    await serveHealth({ live: app.live, ready: app.ready });
    log.info(
      { batchSize: config.outbox.batchSize, pollIntervalMs: config.outbox.pollIntervalMs, notify: config.outbox.notify },
      'poller started',
    );
  },
});
