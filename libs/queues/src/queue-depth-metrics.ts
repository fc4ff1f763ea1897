import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';

/** The job states exported per queue. */
export const QUEUE_DEPTH_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/** The metric's name: part of the public metrics (dashboards and alerts use it). */
export const QUEUE_DEPTH_METRIC = 'bullmq_queue_jobs';

/** Options of `registerQueueDepthMetrics`. */
export interface QueueDepthMetricsOptions {
  /** A scrape never waits longer than this for Redis. @default 2000 */
  timeoutMs?: number;
  /** Told when Redis did not answer in time or failed; the scrape goes on without the gauge's samples. */
  onError?: (err: unknown, queue: string) => void;
}

/**
 * Registers `bullmq_queue_jobs{queue,state}`: the number of jobs per queue and
 * state, read from Redis on each scrape (one pipelined call per queue), so the
 * values are never older than the scrape. A queue whose counts cannot be read
 * (Redis down) exports no samples rather than stale ones, and the rest of
 * `/metrics` still answers.
 */
export function registerQueueDepthMetrics(registry: Registry, queues: Queue[], options: QueueDepthMetricsOptions = {}): Gauge<'queue' | 'state'> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  return new Gauge({
    name: QUEUE_DEPTH_METRIC,
    help: 'BullMQ jobs per queue and state (waiting, active, delayed, failed, completed), read on scrape',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      await Promise.all(
        queues.map(async (queue) => {
          try {
            const counts = await withTimeout(queue.getJobCounts(...QUEUE_DEPTH_STATES), timeoutMs);
            for (const state of QUEUE_DEPTH_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
          } catch (err) {
            options.onError?.(err, queue.name);
          }
        }),
      );
    },
  });
}

/** Rejects after `ms`: BullMQ connections retry forever while Redis is down, a scrape must not. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
