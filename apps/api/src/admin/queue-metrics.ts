import type { Queue } from 'bullmq';
import type { Logger } from '@execn/observability';
import { QUEUE_DEPTH_METRIC, registerQueueDepthMetrics } from '@execn/queues';
import type { Registry } from 'prom-client';

/**
 * Adds `bullmq_queue_jobs{queue,state}` to the api's `/metrics`, once per
 * registry (a second `createApp` on the same registry, as tests do, reuses it).
 */
export function observeQueueDepths(registry: Registry, queues: Queue[], log: Logger): void {
  if (registry.getSingleMetric(QUEUE_DEPTH_METRIC)) return;
  let lastWarn = 0;
  registerQueueDepthMetrics(registry, queues, {
    onError: (err, queue) => {
      // A scrape every few seconds while Redis is down: one line a minute is enough.
      if (Date.now() - lastWarn < 60_000) return;
      lastWarn = Date.now();
      log.warn({ err, queue }, 'queue depth unavailable for /metrics');
    },
  });
}
